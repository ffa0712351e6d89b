"""Message catalogs without GNU gettext: extract, merge, compile and check (no Django setup).

Messages are found the way Django's ``makemessages`` finds them, but with Python only:
templates go through Django's ``templatize()`` (which rewrites ``{% translate %}`` and
``{% blocktranslate %}`` as gettext calls) and then, like ``.py`` files, through Babel's
Python extractor. Catalogs are merged and compiled with Babel, so a fresh machine with
only the project's Python packages can run every step, and ``isoc i18n check`` (run by a
test) fails when a catalog is out of date, incomplete, or its ``.mo`` is stale.

The functions here are pure apart from reading and writing the files they are given.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract as babel_extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

DOMAIN = "django"
PROJECT = "isoc"
COPYRIGHT_HOLDER = "isoc contributors"
HEADER_COMMENT = """\
# Translations of isoc into {language}.
# Distributed under the same licence as isoc (AGPL-3.0-or-later).
# Translate the msgstr lines; then `isoc i18n compile` writes the .mo.
# `isoc i18n extract` updates the msgids from the source;
# `isoc i18n check` names what is missing or out of date.
#"""

# Django's translation functions, as Babel keyword specs: (argument positions, with
# (n, "c") marking the context argument). ``None`` means "the first argument".
KEYWORDS: dict[str, tuple | None] = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ("Translators",)
TEMPLATE_SUFFIXES = (".html", ".txt")
SKIP_DIRS = {"__pycache__", "migrations", "locale", "static", "node_modules"}

# "%(name)s", "%(count)d", "%s", "%%": what a translation must keep exactly.
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")


# --- finding messages ------------------------------------------------------------------


def source_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Files under ``root`` that may hold messages, as (path, kind), in a stable order:
    ``kind`` is "python" for modules, "template" for files under a ``templates`` folder."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or SKIP_DIRS & set(rel.parts[:-1]):
            continue
        if path.suffix == ".py":
            yield path, "python"
        elif path.suffix in TEMPLATE_SUFFIXES and "templates" in rel.parts[:-1]:
            yield path, "template"


def messages_in_source(text: str, kind: str, origin: str = "") -> list[tuple[int, object, list[str], str | None]]:
    """(line, message, translator comments, context) for each message in one file's text.
    ``message`` is a string, or a (singular, plural) tuple."""
    if kind == "template":
        from django.utils.translation.template import templatize

        text = templatize(text, origin=origin or None)
    found = []
    for lineno, message, comments, context in babel_extract(
        "python", io.BytesIO(text.encode("utf-8")), keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        # Babel strips the tag ("Translators") but not the colon after it.
        found.append((lineno, message, [c.lstrip(": ").strip() for c in comments], context))
    return found


def new_catalog(locale: str | None = None) -> Catalog:
    catalog = Catalog(locale=locale, domain=DOMAIN, project=PROJECT, version="1", copyright_holder=COPYRIGHT_HOLDER,
                      msgid_bugs_address="", last_translator=COPYRIGHT_HOLDER, fuzzy=False)
    if locale:
        name = catalog.locale.english_name if catalog.locale else locale
        catalog.language_team = name
        catalog.header_comment = HEADER_COMMENT.format(language=name)
    return catalog


def extract_messages(root: Path) -> Catalog:
    """Every message isoc defines under ``root`` (its templates and Python modules), as a
    template catalog (no translations)."""
    catalog = new_catalog()
    for path, kind in source_files(root):
        rel = path.relative_to(root).as_posix()
        for lineno, message, comments, context in messages_in_source(path.read_text("utf-8"), kind, rel):
            catalog.add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    return catalog


# --- comparing and merging -------------------------------------------------------------


def key(message: Message) -> tuple[str, str | None]:
    """A message's identity in a catalog: its (singular) msgid and its context."""
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def keys(catalog: Catalog) -> dict[tuple[str, str | None], Message]:
    return {key(m): m for m in catalog if m.id}


def describe(k: tuple[str, str | None]) -> str:
    msgid, context = k
    return f"{msgid!r}" + (f" (context {context!r})" if context else "")


@dataclass
class MergeReport:
    language: str
    added: list[tuple[str, str | None]] = field(default_factory=list)
    obsolete: list[tuple[str, str | None]] = field(default_factory=list)
    changed: bool = False


def merge(template: Catalog, existing: Catalog | None, language: str) -> tuple[Catalog, MergeReport]:
    """``existing`` (or a new catalog for ``language``) brought up to date with
    ``template``: new messages added untranslated (or fuzzy, from a close old message),
    messages no longer in the source dropped, translations kept."""
    catalog = existing if existing is not None else new_catalog(language)
    before = keys(catalog)
    catalog.update(template, update_header_comment=False, keep_user_comments=True, update_creation_date=False)
    after = keys(catalog)
    report = MergeReport(language)
    report.added = [k for k in after if k not in before]
    report.obsolete = sorted((k for k in before if k not in after), key=lambda k: (k[0], k[1] or ""))
    catalog.obsolete.clear()
    report.changed = existing is None or _fingerprint(catalog) != _fingerprint_of(existing, before)
    return catalog, report


def _fingerprint(catalog: Catalog) -> list:
    return [
        (key(m), m.id, m.string, sorted(m.flags), list(m.auto_comments), sorted({loc[0] for loc in m.locations}))
        for m in catalog if m.id
    ]


def _fingerprint_of(_catalog: Catalog, before: dict) -> list:
    return [
        (k, m.id, m.string, sorted(m.flags), list(m.auto_comments), sorted({loc[0] for loc in m.locations}))
        for k, m in before.items()
    ]


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    # No line numbers in the references: moving code does not churn the catalogs.
    write_po(out, catalog, width=79, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=language, domain=DOMAIN)


def po_path(locale_dir: Path, language: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages_in(locale_dir: Path) -> list[str]:
    """The languages that have a catalog under ``locale_dir``."""
    if not locale_dir.is_dir():
        return []
    return sorted(p.name for p in locale_dir.iterdir() if po_path(locale_dir, p.name).is_file())


def update_catalogs(root: Path, locale_dir: Path, languages: Iterable[str] = ()) -> list[MergeReport]:
    """``isoc i18n extract``: bring every catalog (and any new ``languages``) up to date
    with the source. A file is rewritten only when its messages changed."""
    template = extract_messages(root)
    reports = []
    for language in sorted(set(languages_in(locale_dir)) | set(languages)):
        path = po_path(locale_dir, language)
        existing = read_catalog(path, language) if path.is_file() else None
        catalog, report = merge(template, existing, language)
        if report.changed:
            catalog.revision_date = datetime.now(UTC)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(po_bytes(catalog))
        reports.append(report)
    return reports


def compile_catalogs(locale_dir: Path) -> list[Path]:
    """``isoc i18n compile``: write each catalog's ``.mo`` beside its ``.po``."""
    written = []
    for language in languages_in(locale_dir):
        path = po_path(locale_dir, language)
        mo = path.with_suffix(".mo")
        mo.write_bytes(mo_bytes(read_catalog(path, language)))
        written.append(mo)
    return written


# --- checking --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    language: str
    kind: str  # missing-catalog, not-extracted, obsolete, untranslated, fuzzy, placeholders, plural, stale-mo
    message: str

    def __str__(self) -> str:
        return f"{self.language}: {self.kind}: {self.message}"


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text))


def _strings(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def mo_content(data: bytes) -> tuple[dict, str]:
    """What a compiled catalog says, read back with the standard library's gettext (as a
    program would): its messages, and its Plural-Forms header."""
    translations = stdlib_gettext.GNUTranslations(io.BytesIO(data))
    catalog = dict(translations._catalog)  # the parsed messages; gettext offers no public view
    header = catalog.pop("", "")
    plural = next((line for line in header.splitlines() if line.lower().startswith("plural-forms:")), "")
    return catalog, plural


def check_catalog(template: Catalog, catalog: Catalog, language: str, mo: bytes | None) -> list[Problem]:
    """Everything wrong with one language's catalog against the source's ``template``."""
    problems: list[Problem] = []
    wanted, have = keys(template), keys(catalog)
    for k in wanted:
        if k not in have:
            problems.append(Problem(language, "not-extracted", f"{describe(k)} is in the source but not in the catalog"))
    for k in have:
        if k not in wanted:
            problems.append(Problem(language, "obsolete", f"{describe(k)} is no longer in the source"))
    for k, message in have.items():
        if k not in wanted:
            continue
        source = wanted[k]
        if isinstance(source.id, str) != isinstance(message.id, str) or source.id != message.id:
            problems.append(Problem(language, "not-extracted", f"{describe(k)} changed in the source (plural form)"))
            continue
        strings = _strings(message.string)
        if message.fuzzy:
            problems.append(Problem(language, "fuzzy", f"{describe(k)} is marked fuzzy"))
        if not all(s.strip() for s in strings):
            problems.append(Problem(language, "untranslated", f"{describe(k)} has no translation"))
            continue
        if message.pluralizable and len(strings) != catalog.num_plurals:
            problems.append(Problem(language, "plural",
                                    f"{describe(k)} has {len(strings)} forms; {language} needs {catalog.num_plurals}"))
        sources = _strings(message.id)
        expected = set(placeholders(sources[-1])) | set(placeholders(sources[0]))
        for s in strings:
            found = set(placeholders(s))
            # A singular may spell out its number ("un jour") and omit the count.
            if found - expected or (expected - found and not message.pluralizable):
                problems.append(Problem(language, "placeholders",
                                        f"{describe(k)}: translation {s!r} has {sorted(found)}, source {sorted(expected)}"))
    if mo is None:
        problems.append(Problem(language, "stale-mo", "no compiled .mo file (run `isoc i18n compile`)"))
    elif mo_content(mo) != mo_content(mo_bytes(catalog)):
        problems.append(Problem(language, "stale-mo", "the .mo does not match the .po (run `isoc i18n compile`)"))
    return problems


def check_catalogs(root: Path, locale_dir: Path, languages: Iterable[str] = (), template: Catalog | None = None) -> list[Problem]:
    """``isoc i18n check``: every problem in every catalog; empty when all is well.
    ``languages`` that must have a catalog may be named (the site's languages)."""
    template = template if template is not None else extract_messages(root)
    problems: list[Problem] = []
    for language in sorted(set(languages_in(locale_dir)) | set(languages)):
        path = po_path(locale_dir, language)
        if not path.is_file():
            problems.append(Problem(language, "missing-catalog", f"{path} does not exist (run `isoc i18n extract --language {language}`)"))
            continue
        mo_path = path.with_suffix(".mo")
        problems += check_catalog(template, read_catalog(path, language), language,
                                  mo_path.read_bytes() if mo_path.is_file() else None)
    return problems
