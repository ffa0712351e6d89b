"""Languages: every string a reader sees is marked for translation, the French, Spanish
and Estonian catalogs are complete and compiled, pages and emails come out in the
reader's language, and numbers, money, dates and countries follow the reader's locale."""

from __future__ import annotations

import ast
import re
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from django.conf import settings
from django.core import mail
from django.template.base import DebugLexer, TokenType
from django.utils import translation
from typer.testing import CliRunner

from isoc.site import i18n_catalogs as catalogs
from isoc.site import l10n
from isoc.site.cli import app

PACKAGE = Path(catalogs.__file__).resolve().parents[1]
LOCALE = PACKAGE / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
TEMPLATES = sorted(p for p in PACKAGE.rglob("templates/**/*") if p.is_file() and p.suffix in (".html", ".txt"))

# --- (a) nothing a reader sees is left unmarked ----------------------------------------

# Words that are the same in every language, each with the reason it may stay as it is.
ALLOWED_WORDS = {
    "isoc": "the software's own name, shown after the page title",
    "JSON": "the name of a data format, linked beside the organizations' count",
    "CSV": "the name of a data format (download links)",
    "Parquet": "the name of a data format (download links)",
    "AS": "the prefix of an Autonomous System number (AS15169), written so in every language",
}
# The secretariat's admin screens are in English, as the rest of isoc's admin
# configuration (actions, columns, messages) is: staff work in one language.
NOT_CHECKED = ("admin/",)
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "aria-placeholder",
                      "aria-roledescription", "aria-valuetext", "label"}
BUTTON_INPUTS = {"submit", "button", "reset"}
NAMED_DATE_FORMATS = {"DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT",
                      "TIME_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"}
TEXT_FILTERS = {"default", "default_if_none", "yesno", "add"}
HOLE = "\ufffc"  # stands for a tag or variable: not a letter, so it never counts as text
LETTER = re.compile(r"[^\W\d_]")


def _flatten(source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template with every tag, variable and comment (and everything inside
    ``blocktranslate`` and ``comment``) replaced by a placeholder, keeping line numbers;
    plus the problems seen in variables (hand-formatted dates, untranslated defaults)."""
    out: list[str] = []
    problems: list[tuple[int, str]] = []
    skip_until = None
    for token in DebugLexer(source).tokenize():
        start, end = token.position
        raw = source[start:end]
        if token.token_type == TokenType.TEXT and skip_until is None:
            out.append(raw)
            continue
        if token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            if skip_until is not None and name == skip_until:
                skip_until = None
            elif skip_until is None and name in ("blocktranslate", "blocktrans", "comment"):
                skip_until = "end" + name
        elif token.token_type == TokenType.VAR and skip_until is None:
            for match in re.finditer(r"\|(\w+):(\"[^\"]*\"|'[^']*')", token.contents):
                name, literal = match.group(1), match.group(2)[1:-1]
                if name in ("date", "time") and literal not in NAMED_DATE_FORMATS:
                    problems.append((token.lineno, f"hand-formatted date {{{{ {token.contents} }}}}: "
                                                   "use a named format or {% instant %}"))
                if name in TEXT_FILTERS and LETTER.search(literal):
                    problems.append((token.lineno, f"untranslated text in {{{{ {token.contents} }}}}"))
        out.append(HOLE + "\n" * raw.count("\n"))
    return "".join(out), problems


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._hidden = 0  # inside <script> or <style>

    def _check(self, text: str, where: str) -> None:
        words = [w for w in re.split(rf"[\s{HOLE}]+", text) if LETTER.search(w)]
        words = [w for w in words if w.strip(".,:;()[]·!?\"'") not in ALLOWED_WORDS]
        if words:
            self.found.append((self.getpos()[0], f"{where}: {' '.join(words)!r}"))

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUTS)
            if visible and value:
                self._check(value, f'<{tag} {name}="…">')

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self._check(data, "text")


def unmarked_text(source: str) -> list[tuple[int, str]]:
    """(line, what) for each piece of reader-visible text in a template that is not inside
    a translation tag, and each variable that hand-formats a date or holds literal text."""
    flat, problems = _flatten(source)
    finder = _TextFinder()
    finder.feed(flat)
    finder.close()
    return sorted(problems + finder.found)


def _checked(path: Path) -> bool:
    rel = path.relative_to(PACKAGE).as_posix().split("templates/", 1)[1]
    return not rel.startswith(NOT_CHECKED)


def test_templates_are_found_including_email_text():
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "home.html", "renewal_reminder.txt", "renewal_reminder_subject.txt"} <= names


@pytest.mark.parametrize("path", [p for p in TEMPLATES if _checked(p)], ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_template_marks_all_its_text_for_translation(path):
    found = unmarked_text(path.read_text("utf-8"))
    assert not found, f"{path.relative_to(PACKAGE)} has text outside translation tags:\n" + "\n".join(
        f"  line {line}: {what}" for line, what in found)


@pytest.mark.parametrize("source, expected", [
    ("<p>Hello</p>", "'Hello'"),
    ('<p>{% translate "Hi" %} there</p>', "'there'"),
    ('<img src="x.png" alt="Our logo">', 'alt'),
    ('<a href="/" title="Home page">{% translate "Home" %}</a>', "title"),
    ('<input type="search" placeholder="Search members">', "placeholder"),
    ('<nav aria-label="Main">{{ x }}</nav>', "aria-label"),
    ('<input type="submit" value="Send">', "value"),
    ('{% if x %}\n<p>{{ a }} and {{ b }}</p>{% endif %}', "'and'"),
    ('<td>{{ state|default:"none" }}</td>', "untranslated text"),
    ('<td>{{ day|date:"Y-m-d" }}</td>', "hand-formatted date"),
    ("Dear {{ name }},\n\nYour membership ends soon.", "'Dear"),
])
def test_the_template_check_finds_unmarked_text(source, expected):
    found = unmarked_text(source)
    assert found and any(expected in what for _line, what in found), found


@pytest.mark.parametrize("source", [
    '{% load i18n %}<p>{% translate "Hello" %}</p>',
    '<p>{% blocktranslate with n=x %}Hello {{ n }}, welcome{% endblocktranslate %}</p>',
    '<p>{% blocktranslate count c=n %}{{ c }} item{% plural %}{{ c }} items{% endblocktranslate %}</p>',
    '<nav aria-label="{% translate \'Main\' %}"><a href="/members/">{{ label }}</a></nav>',
    '<input type="text" name="q" value="query"><input type="hidden" name="next" value="/back">',
    '<script>var greeting = "hello";</script><style>body { font-family: serif; }</style>',
    "<!-- a comment for developers -->{# and one in the template #}{% comment %}notes{% endcomment %}",
    "<p>&nbsp;&mdash; · → {{ n }} — 50 %</p>",
    "<title>{% block title %}{% endblock %} · isoc</title>",
    '<td>{{ issued|date:"DATE_FORMAT" }} {{ x|default:"—" }}</td>',
])
def test_the_template_check_accepts_marked_text(source):
    assert unmarked_text(source) == []


def test_the_allowlist_stays_small_and_explained():
    assert len(ALLOWED_WORDS) <= 5
    assert all(len(reason) > 20 for reason in ALLOWED_WORDS.values())


# Python: messages are literal strings (an f-string or a variable inside gettext cannot
# be extracted, and an f-string is formatted before it is translated), and the strings
# readers see (labels, messages, refusals) go through gettext.
GETTEXT = set(catalogs.KEYWORDS)
MESSAGE_ARGS = {"gettext": 1, "gettext_lazy": 1, "gettext_noop": 1, "_": 1, "ngettext": 2, "ngettext_lazy": 2,
                "pgettext": 2, "pgettext_lazy": 2, "npgettext": 3, "npgettext_lazy": 3}
READER_CALLS = {"RuleViolation", "ValidationError", "HttpResponseForbidden", "Http404"}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
READER_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
# Modules whose text is for the secretariat (admin), the command line or the log.
PYTHON_NOT_CHECKED = {"admin.py", "cli.py", "accounts.py", "seed.py", "demo.py", "settings.py", "config.py"}


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _is_text(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(LETTER.search(node.value))


def python_problems(source: str, reader_facing: bool = True) -> list[tuple[int, str]]:
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in GETTEXT and isinstance(node.func, ast.Name):
            for arg in node.args[:MESSAGE_ARGS.get(name, 1)]:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    kind = "an f-string" if isinstance(arg, ast.JoinedStr) else "not a literal string"
                    problems.append((node.lineno, f"{name}() message is {kind}: {ast.unparse(arg)}"))
        if not reader_facing:
            continue
        literal = None
        if name in READER_CALLS and node.args and _is_text(node.args[0]):
            literal = node.args[0]
        elif (name in MESSAGE_LEVELS and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "messages"
              and len(node.args) > 1 and _is_text(node.args[1])):
            literal = node.args[1]
        for keyword in node.keywords:
            if keyword.arg in READER_KEYWORDS and _is_text(keyword.value):
                literal = keyword.value
        if literal is not None:
            problems.append((node.lineno, f"{name}(…) shows {literal.value!r} without gettext"))
    return problems


PYTHON_FILES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_python_messages_are_literal_and_marked(path):
    found = python_problems(path.read_text("utf-8"), reader_facing=path.name not in PYTHON_NOT_CHECKED)
    assert not found, f"{path.relative_to(PACKAGE)}:\n" + "\n".join(f"  line {n}: {what}" for n, what in found)


@pytest.mark.parametrize("source, expected", [
    ('_(f"Hello {name}")', "an f-string"),
    ("gettext(state)", "not a literal"),
    ('ngettext("%(n)s day", plural, n)', "not a literal"),
    ('raise RuleViolation("Not allowed.")', "without gettext"),
    ('messages.success(request, "Saved.")', "without gettext"),
    ('forms.CharField(label="Name")', "without gettext"),
])
def test_the_python_check_finds_unmarked_messages(source, expected):
    found = python_problems(source)
    assert found and expected in found[0][1], found


def test_the_python_check_accepts_marked_messages():
    source = ('_("Hello %(name)s") % {"name": n}\nmessages.success(request, _("Saved."))\n'
              'forms.CharField(label=_("Name"))\nraise RuleViolation(_("No."), "field")\nraise ValueError(f"bad {x}")\n'
              'pgettext_lazy("invoice state", "paid")\n')
    assert python_problems(source) == []


# --- (b) the catalogs are complete, current and compiled -------------------------------


def test_each_site_language_but_english_has_a_catalog():
    assert catalogs.languages_in(LOCALE) == sorted(TRANSLATED)
    assert set(TRANSLATED) == {"fr", "es", "et"}


def test_catalogs_are_up_to_date_complete_and_compiled():
    problems = catalogs.check_catalogs(PACKAGE, LOCALE, TRANSLATED)
    assert not problems, "run `isoc i18n extract`, translate, `isoc i18n compile`:\n" + "\n".join(map(str, problems))


def test_the_catalogs_hold_every_message_and_only_those():
    template = catalogs.extract_messages(PACKAGE)
    source_keys = set(catalogs.keys(template))
    assert len(source_keys) > 200
    for language in TRANSLATED:
        catalog = catalogs.read_catalog(catalogs.po_path(LOCALE, language), language)
        assert set(catalogs.keys(catalog)) == source_keys, language


def test_plural_forms_are_each_languages_own():
    forms = {lang: catalogs.read_catalog(catalogs.po_path(LOCALE, lang), lang).plural_forms for lang in TRANSLATED}
    assert forms == {"fr": "nplurals=2; plural=(n > 1);", "es": "nplurals=2; plural=(n != 1);",
                     "et": "nplurals=2; plural=(n != 1);"}


def test_isoc_i18n_check_passes_on_the_shipped_catalogs():
    result = CliRunner().invoke(app, ["i18n", "check", *sum((["--language", lang] for lang in TRANSLATED), [])])
    assert result.exit_code == 0, result.output
    assert "catalogs up to date: es, et, fr" in result.output


@pytest.fixture
def source_copy(tmp_path) -> tuple[Path, Path]:
    """A copy of the package's sources and catalogs, to change without touching the real
    ones; its catalogs are first brought up to date and filled in (with the English text
    where a translation is missing), so the tools' tests start from a clean state even
    while someone is adding messages to the real source."""
    root = tmp_path / "isoc"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "static", "*.pyc"))
    locale = root / "locale"
    catalogs.update_catalogs(root, locale)
    for language in catalogs.languages_in(locale):
        path = catalogs.po_path(locale, language)
        catalog = catalogs.read_catalog(path, language)
        for message in catalog:
            if message.id and (message.fuzzy or not all(catalogs._strings(message.string))):
                message.string = message.id if isinstance(message.id, str) else tuple(message.id)
                message.flags.discard("fuzzy")
        path.write_bytes(catalogs.po_bytes(catalog))
    catalogs.compile_catalogs(locale)
    assert catalogs.check_catalogs(root, locale) == []
    return root, locale


def _run(*args: str):
    return CliRunner().invoke(app, ["i18n", *args])


def test_a_new_message_fails_the_check_until_extracted_translated_and_compiled(source_copy):
    root, locale = source_copy
    (root / "members" / "newly_added.py").write_text(
        'from django.utils.translation import gettext as _\n\n\ndef hello():\n    return _("A message nobody translated yet")\n')
    (root / "site" / "templates" / "site" / "newly_added.html").write_text(
        '{% load i18n %}<p>{% blocktranslate count n=k %}{{ n }} new line{% plural %}{{ n }} new lines{% endblocktranslate %}</p>')

    result = _run("check", "--source", str(root), "--locale", str(locale))
    assert result.exit_code == 1
    assert "fr: not-extracted: 'A message nobody translated yet'" in result.output
    assert "et: not-extracted: '%(n)s new line'" in result.output

    result = _run("extract", "--source", str(root), "--locale", str(locale))
    assert result.exit_code == 0, result.output
    assert "fr: updated, 2 new, 0 obsolete" in result.output
    result = _run("check", "--source", str(root), "--locale", str(locale))
    assert result.exit_code == 1
    assert "es: untranslated: 'A message nobody translated yet'" in result.output

    for language in TRANSLATED:
        path = catalogs.po_path(locale, language)
        catalog = catalogs.read_catalog(path, language)
        catalog.get("A message nobody translated yet").string = f"[{language}] translated"
        catalog.get("%(n)s new line").string = (f"%(n)s [{language}] line", f"%(n)s [{language}] lines")
        # extract may have guessed a translation from a similar message ("%(n)s incident")
        # and marked it fuzzy; a translator who writes the translation clears that mark.
        for msgid in ("A message nobody translated yet", "%(n)s new line"):
            catalog.get(msgid).flags.discard("fuzzy")
        path.write_bytes(catalogs.po_bytes(catalog))
    result = _run("check", "--source", str(root), "--locale", str(locale))
    assert result.exit_code == 1
    assert "fr: stale-mo" in result.output

    assert _run("compile", "--locale", str(locale)).exit_code == 0
    result = _run("check", "--source", str(root), "--locale", str(locale))
    assert result.exit_code == 0, result.output


def test_a_message_removed_from_the_source_is_obsolete(source_copy):
    root, locale = source_copy
    fallback = root / "site" / "templates" / "site" / "fallback_note.html"
    fallback.write_text("{% load i18n %}<p>{% translate 'Shown in English.' %}</p>")
    result = _run("check", "--source", str(root), "--locale", str(locale))
    assert result.exit_code == 1
    assert "obsolete: 'This text has not been translated into your language yet; it is shown in English.'" in result.output
    result = _run("extract", "--source", str(root), "--locale", str(locale))
    assert "1 new, 1 obsolete" in result.output
    catalog = catalogs.read_catalog(catalogs.po_path(locale, "fr"), "fr")
    assert catalog.get("This text has not been translated into your language yet; it is shown in English.") is None


def test_extract_leaves_unchanged_catalogs_alone(source_copy):
    root, locale = source_copy
    before = {lang: catalogs.po_path(locale, lang).read_bytes() for lang in TRANSLATED}
    result = _run("extract", "--source", str(root), "--locale", str(locale))
    assert result.exit_code == 0
    assert "fr: unchanged, 0 new, 0 obsolete" in result.output
    assert {lang: catalogs.po_path(locale, lang).read_bytes() for lang in TRANSLATED} == before


def test_compile_writes_what_is_committed(tmp_path):
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE, locale)
    assert _run("compile", "--locale", str(locale)).exit_code == 0
    for language in TRANSLATED:
        committed = catalogs.po_path(LOCALE, language).with_suffix(".mo").read_bytes()
        compiled = catalogs.po_path(locale, language).with_suffix(".mo").read_bytes()
        assert catalogs.mo_content(compiled) == catalogs.mo_content(committed)


def _catalog_with(language: str, msgid, string, flags=()) -> Catalog:
    catalog = catalogs.new_catalog(language)
    catalog.add(msgid, string, flags=flags)
    return catalog


@pytest.mark.parametrize("string, flags, kind", [
    ("", (), "untranslated"),
    ("Bonjour %(name)s", ("fuzzy",), "fuzzy"),
    ("Bonjour %(nom)s", (), "placeholders"),
    ("Bonjour", (), "placeholders"),
])
def test_check_catalog_names_each_kind_of_problem(string, flags, kind):
    template = _catalog_with("fr", "Hello %(name)s", None)
    catalog = _catalog_with("fr", "Hello %(name)s", string, flags)
    problems = catalogs.check_catalog(template, catalog, "fr", catalogs.mo_bytes(catalog))
    assert [p.kind for p in problems] == [kind], problems
    assert "'Hello %(name)s'" in problems[0].message


def test_check_catalog_accepts_a_good_translation_and_flags_a_missing_mo():
    template = _catalog_with("fr", "Hello %(name)s", None)
    catalog = _catalog_with("fr", "Hello %(name)s", "Bonjour %(name)s")
    assert catalogs.check_catalog(template, catalog, "fr", catalogs.mo_bytes(catalog)) == []
    assert [p.kind for p in catalogs.check_catalog(template, catalog, "fr", None)] == ["stale-mo"]


def test_messages_are_found_in_templates_and_code(tmp_path):
    (tmp_path / "app" / "templates" / "app").mkdir(parents=True)
    (tmp_path / "app" / "templates" / "app" / "page.html").write_text(
        '{% load i18n %}<h1>{% translate "Title" context "page" %}</h1>\n'
        "{# Translators: the reader's name #}\n"
        "<p>{% blocktranslate with name=user.name %}Hi {{ name }}, 100% sure{% endblocktranslate %}</p>\n")
    (tmp_path / "app" / "templates" / "app" / "mail.txt").write_text('{% load i18n %}{% translate "Dear reader" %}')
    (tmp_path / "app" / "views.py").write_text(
        "from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy\n"
        'A = gettext_lazy("Lazy")\nB = ngettext("%(n)s day", "%(n)s days", 2)\nC = pgettext_lazy("invoice state", "paid")\n')
    (tmp_path / "app" / "migrations").mkdir()
    (tmp_path / "app" / "migrations" / "0001.py").write_text('from django.utils.translation import gettext as _\n_("Not me")\n')
    found = {catalogs.key(m): m for m in catalogs.extract_messages(tmp_path) if m.id}
    assert set(found) == {("Title", "page"), ("Hi %(name)s, 100%% sure", None), ("Dear reader", None),
                          ("Lazy", None), ("%(n)s day", None), ("paid", "invoice state")}
    assert found[("%(n)s day", None)].id == ("%(n)s day", "%(n)s days")
    assert found[("Hi %(name)s, 100%% sure", None)].auto_comments == ["the reader's name"]
    assert ("app/templates/app/page.html", 3) in found[("Hi %(name)s, 100%% sure", None)].locations


def test_django_reads_the_compiled_catalogs():
    for language, expected in {"fr": "Adhérer à l’Internet Society", "es": "Únase a la Internet Society",
                               "et": "Astu Internet Society liikmeks"}.items():
        with translation.override(language):
            assert translation.gettext("Join the Internet Society") == expected
            assert translation.pgettext("invoice state", "paid") != "paid"


def test_french_counts_zero_as_singular_and_spanish_as_plural():
    message = ("%(counter)s member listed", "%(counter)s members listed")
    with translation.override("fr"):
        assert translation.ngettext(*message, 0) % {"counter": 0} == "0 membre inscrit"
        assert translation.ngettext(*message, 2) % {"counter": 2} == "2 membres inscrits"
    with translation.override("es"):
        assert translation.ngettext(*message, 0) % {"counter": 0} == "0 miembros inscritos"
        assert translation.ngettext(*message, 1) % {"counter": 1} == "1 miembro inscrito"
    with translation.override("et"):
        assert translation.ngettext(*message, 1) % {"counter": 1} == "1 liige nimekirjas"
        assert translation.ngettext(*message, 5) % {"counter": 5} == "5 liiget nimekirjas"


# --- (c) pages come out in the reader's language --------------------------------------


def _html(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _spaces(text: str) -> str:
    """CLDR separates thousands and currency signs with (narrow) no-break spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize("language, expected", [
    ("en", ["Become a member", "Skip to content", "Open data"]),
    ("fr", ["Devenir membre", "Aller au contenu", "Données ouvertes", "L’Internet est pour tout le monde."]),
    ("es", ["Hágase miembro", "Ir al contenido", "Datos abiertos", "Internet es para todos."]),
    ("et", ["Hakka liikmeks", "Mine sisu juurde", "Avaandmed", "Internet on kõigi jaoks."]),
])
def test_the_home_page_speaks_the_browsers_language(client, db, language, expected):
    html = _html(client, "/", HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")
    assert f'<html lang="{language}">' in html
    for text in expected:
        assert text in html, text
    if language != "en":
        assert "Become a member" not in html


def test_the_language_cookie_beats_the_browser(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = _html(client, "/members/organizations/", HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="es">' in html
    assert "Organizaciones miembro" in html and "Unirse como organización" in html


def test_a_signed_in_persons_saved_language_beats_cookie_and_browser(member_client, person):
    person.preferred_language = "et"
    person.save()
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = _html(member_client, "/members/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="et">' in html
    assert "Tere tulemast, Ada Lovelace" in html and "Te ei ole veel liige." in html
    assert "Logi välja" in html


def test_choosing_a_language_in_the_footer_saves_it_on_the_account(member_client, person):
    response = member_client.post("/preferences/", {"language": "fr", "time_zone": "", "next": "/members/"},
                                  HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == "/members/"
    person.refresh_from_db()
    assert person.preferred_language == "fr"
    html = _html(member_client, "/members/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="fr">' in html and "Vous n’êtes pas encore membre." in html


@pytest.mark.parametrize("language, dues", [("en", "$50.00"), ("fr", "50,00 $US"), ("es", "50,00 US$"), ("et", "50,00 $")])
def test_joining_quotes_the_dues_in_the_readers_locale(member_client, language, dues):
    html = _spaces(_html(member_client, "/members/join/", HTTP_ACCEPT_LANGUAGE=language))
    sentence = {"en": f"Sustaining dues are {dues} a year",
                "fr": f"La cotisation de membre soutien est de {dues} par an",
                "es": f"La cuota de miembro contribuyente es de {dues} al año",
                "et": f"Toetajaliikme liikmemaks on {dues} aastas"}[language]
    assert sentence in html


def test_a_members_page_translates_statuses_states_and_dates(member_client, person):
    from isoc.members import services

    membership = services.join(person, "sustaining")
    invoice = person.invoices.get()
    html = _spaces(_html(member_client, "/members/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert 'data-testid="membership-status">En attente<' in html
    assert 'data-testid="invoice-state">à régler<' in html
    assert "50,00 $US" in html and "à réception du paiement" in html

    services.record_payment(invoice, amount=invoice.amount, reference="BANK-1")
    term = membership.terms.get()
    for language, category, state in [("fr", "Membre soutien", "payée"), ("es", "Miembro contribuyente", "pagada"),
                                      ("et", "Toetajaliige", "tasutud")]:
        html = _spaces(_html(member_client, "/members/", HTTP_ACCEPT_LANGUAGE=language))
        assert f'data-testid="membership-category">{category}<' in html
        assert f'data-testid="invoice-state">{state}<' in html
        # The term's dates in the locale's own format, in the reader's zone (UTC here).
        assert _spaces(l10n.instant(term.starts_at, "UTC", language)) in html
    assert re.search(r"\d{1,2}\. \w+ \d{4} \d{2}:\d{2} \(UTC\)", html), "Estonian dates read 5. märts 2026 15:07"


def test_a_refusal_is_explained_in_the_readers_language(member_client, person):
    from isoc.members import services

    services.join(person, "global")
    response = member_client.post("/members/join/", {"category": "sustaining"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Ya tiene una membresía (estado: activa)" in response.content.decode()


def test_the_receipt_and_payment_instructions_follow_the_locale(member_client, person):
    from isoc.members import services

    services.join(person, "sustaining")
    invoice = person.invoices.get()
    html = _spaces(_html(member_client, invoice.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="et"))
    assert f"Arve {invoice.number}" in html
    assert 'data-testid="receipt-state">tasumata<' in html
    assert f"Tasuge 50,00 $ pangaülekandega Internet Societyle, märkides selgitusse {invoice.number}." in html


@pytest.mark.parametrize("language, text", [
    ("fr", "0 organisation en règle."),  # French counts zero as singular…
    ("es", "0 organizaciones al día."),  # …Spanish as plural
    ("et", "0 organisatsiooni, mille liikmesus kehtib."),
])
def test_counts_use_each_languages_plural_rule(client, db, language, text):
    assert text in _html(client, "/members/organizations/", HTTP_ACCEPT_LANGUAGE=language)


def test_country_names_on_pages_are_in_the_readers_language(member_client, person):
    from isoc.members import services
    from isoc.members.models import OrganizationTier

    org = services.join_organization(person, legal_name="Kigali IX", country="DE", tier=OrganizationTier.objects.get(slug="gold"))
    invoice = org.invoices.get()
    services.record_payment(invoice, amount=invoice.amount, reference="BANK-2")
    for language, name in [("en", "Germany"), ("fr", "Allemagne"), ("es", "Alemania"), ("et", "Saksamaa")]:
        assert f"<dd>{name}</dd>" in _html(member_client, org.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)


# --- (d) emails go out in the recipient's language -------------------------------------


def _paid_sustaining(person, paid_days_ago: int):
    from isoc.members import services

    at = datetime.now(UTC) - timedelta(days=paid_days_ago)
    membership = services.join(person, "sustaining", at=at)
    invoice = person.invoices.get()
    services.record_payment(invoice, amount=invoice.amount, reference="BANK-REF", received_at=at)
    return membership


@pytest.mark.parametrize("language, subject, body", [
    ("fr", "Votre adhésion à l’Internet Society prend fin dans 30 jours",
     "Votre adhésion de membre soutien prend fin le"),
    ("es", "Su membresía de la Internet Society termina en 30 días", "Su membresía de miembro contribuyente termina el"),
    ("et", "Teie Internet Society liikmesus lõpeb 30 päeva pärast", "Teie toetajaliikmesus lõpeb"),
])
def test_the_renewal_reminder_is_in_the_members_language_and_zone(person, django_capture_on_commit_callbacks,
                                                                    language, subject, body):
    from isoc.members.services import lapse_due

    person.preferred_language, person.time_zone = language, "America/Bogota"
    person.save()
    membership = _paid_sustaining(person, paid_days_ago=365 - 20)
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        lapse_due()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == subject
    ends = membership.terms.get().ends_at
    assert f"{body} {l10n.instant(ends, 'America/Bogota', language)}." in message.body
    assert "(America/Bogota, UTC-05:00)" in message.body
    assert f"{settings.SITE_URL}/members/" in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.body


def test_a_reminder_triggered_by_staff_uses_the_members_language(staff_client, person,
                                                                 django_capture_on_commit_callbacks):
    person.preferred_language = "es"
    person.save()
    membership = _paid_sustaining(person, paid_days_ago=365 - 3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/admin/members/individualmembership/",
                                     {"action": "lapse_now", "_selected_action": [membership.pk]},
                                     HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Su membresía de la Internet Society termina en 30 días",
                        "Su membresía de la Internet Society termina en 7 días"]
    assert all(m.body.startswith("Hola, Ada Lovelace:") for m in mail.outbox)


def test_the_reminder_without_a_saved_language_is_in_english(person, django_capture_on_commit_callbacks):
    from isoc.members.services import lapse_due

    _paid_sustaining(person, paid_days_ago=365 - 20)
    mail.outbox.clear()
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        lapse_due()
    assert mail.outbox[0].subject == "Your Internet Society membership ends in 30 days"
    assert "(UTC)" in mail.outbox[0].body


@pytest.mark.parametrize("language, subject", [
    ("fr", "Confirmez votre adresse e-mail"),
    ("es", "Por favor, confirme su dirección de correo electrónico"),
    ("et", "Palun kinnitage oma e-posti aadress"),
])
def test_the_sign_up_confirmation_is_in_the_language_of_the_request(client, db, language, subject):
    from isoc.members.models import Person

    mail.outbox.clear()
    response = client.post("/accounts/signup/", {
        "email": "new@example.org", "password1": "Tapir-lantern-0417", "password2": "Tapir-lantern-0417",
        "first_name": "Nova", "last_name": "Member", "country": "EE",
    }, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"[Internet Society] {subject}"
    # …and the language is remembered for later mail.
    assert Person.objects.get(email="new@example.org").preferred_language == language


def test_the_password_reset_mail_is_in_the_language_of_the_request(client, person):
    mail.outbox.clear()
    response = client.post("/accounts/password/reset/", {"email": person.email}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert mail.outbox[0].subject == "[Internet Society] E-mail de réinitialisation de mot de passe"


# --- (e) locale formatting and staff-written translations ------------------------------

MOMENT = datetime(2026, 3, 5, 14, 7, tzinfo=UTC)


@pytest.mark.parametrize("language, money, number, country, instant, summer", [
    ("en", "$1,234.50", "1,234,567.89", "Germany", "Mar 5, 2026, 3:07 PM (Europe/Paris, UTC+01:00)",
     "Jul 5, 2026, 4:07 PM (Europe/Paris, UTC+02:00)"),
    ("fr", "1 234,50 $US", "1 234 567,89", "Allemagne", "5 mars 2026, 15:07 (Europe/Paris, UTC+01:00)",
     "5 juil. 2026, 16:07 (Europe/Paris, UTC+02:00)"),
    ("es", "1.234,50 US$", "1.234.567,89", "Alemania", "5 mar 2026, 15:07 (Europe/Paris, UTC+01:00)",
     "5 jul 2026, 16:07 (Europe/Paris, UTC+02:00)"),
    ("et", "1 234,50 $", "1 234 567,89", "Saksamaa", "5. märts 2026 15:07 (Europe/Paris, UTC+01:00)",
     "5. juuli 2026 16:07 (Europe/Paris, UTC+02:00)"),
])
def test_money_numbers_countries_and_instants_follow_the_locale(language, money, number, country, instant, summer):
    assert _spaces(l10n.money(Decimal("1234.5"), "USD", language)) == money
    assert _spaces(l10n.number(Decimal("1234567.891"), language, 2)) == number
    assert l10n.country_name("de", language) == country
    assert _spaces(l10n.instant(MOMENT, "Europe/Paris", language)) == instant
    assert _spaces(l10n.instant(MOMENT.replace(month=7), "Europe/Paris", language)) == summer
    assert l10n.instant(MOMENT, "UTC", language).endswith(" (UTC)")


def test_euro_amounts_and_unknown_locales():
    assert _spaces(l10n.money("12", "EUR", "fr")) == "12,00 €"
    assert _spaces(l10n.money("12", "EUR", "et")) == "12,00 €"
    assert l10n.money("12", "EUR", "xx-nonsense") == "€12.00"  # an unknown language falls back to English


def test_the_template_tags_format_for_the_active_language_and_zone():
    from django.template import Context, Template
    from django.utils import timezone

    template = Template("{% load isoc %}{{ a|money:'EUR' }}|{{ n|num:1 }}|{{ c|country }}|{% instant t %}")
    with translation.override("fr"), timezone.override("Europe/Paris"):
        out = template.render(Context({"a": Decimal("1234.5"), "n": 9876.54, "c": "ES", "t": MOMENT}))
    assert _spaces(out) == ('1 234,50 €|9 876,5|Espagne|<time datetime="2026-03-05T14:07:00Z">'
                            "5 mars 2026, 15:07 (Europe/Paris, UTC+01:00)</time>")


def test_no_page_hand_formats_money():
    """Money goes through ``|money`` (Babel), never "{{ amount }} {{ currency }}"."""
    pattern = re.compile(r"\{\{\s*[\w.]*(amount|balance|fee)[\w.]*\s*\}\}\s*\{\{\s*[\w.]*currency\s*\}\}")
    offenders = [p.relative_to(PACKAGE).as_posix() for p in TEMPLATES if pattern.search(p.read_text("utf-8"))]
    assert offenders == []


def test_the_localized_field_of_a_translatable_model(db):
    from isoc.members.models import OrganizationTier
    from isoc.site.translatable import Localized

    tier = OrganizationTier.objects.get(slug="gold")
    tier.translations = {"fr": {"name": "Or"}, "es": {"name": "  "}}
    tier.description = "For large supporters."
    assert tier.localized("name", "fr") == Localized("Or", "fr", False)
    assert tier.localized("name", "fr-ca") == Localized("Or", "fr", False)
    assert tier.localized("name", "es") == Localized("Gold", "en", True)  # blank counts as missing
    assert tier.localized("name", "et") == Localized("Gold", "en", True)
    assert tier.localized("name", "en") == Localized("Gold", "en", False)
    assert tier.localized("name", None) == Localized("Gold", "en", False)
    assert str(tier.localized("description", "fr")) == "For large supporters."
    tier.description = ""
    assert tier.localized("description", "fr") == Localized("", "en", False)  # nothing to translate
    assert sorted(tier.missing_translations()) == [("es", "name"), ("et", "name")]
    with pytest.raises(ValueError, match="slug is not translatable"):
        tier.localized("slug", "fr")


def test_staff_save_translations_in_the_admin(staff_client):
    from isoc.members.models import OrganizationTier

    tier = OrganizationTier.objects.get(slug="gold")
    url = f"/admin/members/organizationtier/{tier.pk}/change/"
    form = {"slug": "gold", "name": "Gold", "rank": tier.rank, "annual_fee": "25000.00", "currency": "USD",
            "description": "For large supporters.", "name__fr": "Or", "description__fr": "Pour les grands soutiens.",
            "name__es": "Oro", "description__es": "", "name__et": "", "description__et": ""}
    response = staff_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    tier.refresh_from_db()
    assert tier.translations == {"fr": {"name": "Or", "description": "Pour les grands soutiens."}, "es": {"name": "Oro"}}
    # The form shows what is saved, and clearing a language's boxes removes it.
    page = staff_client.get(url).content.decode()
    assert 'value="Oro"' in page and "Pour les grands soutiens." in page
    response = staff_client.post(url, {**form, "name__fr": "", "description__fr": ""})
    tier.refresh_from_db()
    assert tier.translations == {"es": {"name": "Oro"}}
    listing = staff_client.get("/admin/members/organizationtier/").content.decode()
    assert "es, et, fr" in listing  # Gold misses a description in Spanish and everything in et and fr


def _active_organization(person, description: str, translations: dict):
    from isoc.members import services
    from isoc.members.models import OrganizationTier

    org = services.join_organization(person, legal_name="Tallinn Exchange", country="EE",
                                     tier=OrganizationTier.objects.get(slug="silver"), description=description)
    invoice = org.invoices.get()
    services.record_payment(invoice, amount=invoice.amount, reference="BANK-3")
    org.translations = translations
    org.save()
    return org


@pytest.mark.parametrize("language, note", [
    ("es", "Este texto aún no se ha traducido a su idioma; se muestra en inglés."),
    ("et", "Seda teksti pole veel teie keelde tõlgitud; see on näidatud inglise keeles."),
])
def test_a_missing_translation_falls_back_to_english_with_a_note(client, person, language, note):
    org = _active_organization(person, "We run the exchange point.", {"fr": {"description": "Nous exploitons le point d’échange."}})
    html = _html(client, org.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    assert f'<html lang="{language}">' in html
    assert '<div lang="en"><p>We run the exchange point.</p></div>' in html
    assert f'<p class="fallback-note">{note}</p>' in html


def test_a_translated_text_is_shown_without_a_note(client, person):
    org = _active_organization(person, "We run the exchange point.", {"fr": {"description": "Nous exploitons le point d’échange."}})
    html = _html(client, org.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<div lang="fr"><p>Nous exploitons le point d’échange.</p></div>' in html
    assert "fallback-note" not in html
    english = _html(client, org.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert '<div lang="en"><p>We run the exchange point.</p></div>' in english and "fallback-note" not in english
