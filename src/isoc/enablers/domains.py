"""Lists of domains to scan: a plain file (one domain per line) or a ranked CSV
(``rank,domain`` as Cisco Umbrella's and Tranco's top lists publish them).

Blank lines and ``#`` comments are skipped, names are lower-cased and turned into their
ASCII (IDNA, A-label) form, duplicates are dropped keeping the first (best-ranked)
occurrence. Every bad line is reported at once, with its line number and what is wrong,
in one ``DomainListError``; nothing is scanned from a list with errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import idna

FORMATS = ("auto", "plain", "umbrella")
#: Bad lines shown in an error message (the count says how many more there are).
SHOWN_PROBLEMS = 20

_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


class DomainListError(ValueError):
    """A domain list has bad lines: ``problems`` is [(line number, message)]."""

    def __init__(self, source: str, problems: list[tuple[int, str]]):
        self.source = source
        self.problems = problems
        shown = "\n".join(f"  line {n}: {message}" for n, message in problems[:SHOWN_PROBLEMS])
        more = len(problems) - SHOWN_PROBLEMS
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(f"{source}: {len(problems)} bad line{'s' if len(problems) != 1 else ''}\n{shown}{tail}")


def normalize_domain(text: str) -> str:
    """``text`` as a lower-case ASCII domain name, or ValueError saying what is wrong."""
    name = text.strip()
    if not name:
        raise ValueError("empty domain name")
    if "://" in name or "/" in name:
        raise ValueError(f"{name!r} looks like a URL: give the domain name only (e.g. example.org)")
    if any(c.isspace() for c in name):
        raise ValueError(f"{name!r} contains spaces")
    if name.endswith("."):
        name = name[:-1]
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError) as error:
            raise ValueError(f"{text.strip()!r} is not a valid internationalized domain name ({error})") from None
    name = name.lower()
    labels = name.split(".")
    if len(labels) < 2:
        raise ValueError(f"{name!r} is a single label, not a domain name")
    if len(name) > 253:
        raise ValueError(f"{name[:40]}… is longer than 253 characters")
    for label in labels:
        if not label:
            raise ValueError(f"{name!r} has an empty label (two dots in a row, or a leading dot)")
        if len(label) > 63:
            raise ValueError(f"{name!r} has a label longer than 63 characters")
        if not _LABEL.match(label):
            raise ValueError(f"{name!r}: label {label!r} may hold only letters, digits, '-' and '_', "
                             "and may not start or end with '-'")
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError, ValueError) as error:
                raise ValueError(f"{name!r}: {label!r} is not a valid IDNA label ({error})") from None
    if labels[-1].isdigit():
        raise ValueError(f"{name!r} is an IP address or ends in a numeric label, not a domain name")
    return name


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].strip()


def _detect(lines: list[tuple[int, str]]) -> str:
    for _, line in lines:
        text = _strip_comment(line)
        if text:
            return "umbrella" if "," in text else "plain"
    return "plain"


def parse_domains(lines: Iterable[tuple[int, str]], format: str = "auto", *, source: str = "<input>",
                  limit: int | None = None) -> list[str]:
    """Domains from numbered lines; raises DomainListError naming every bad line."""
    if format not in FORMATS:
        raise ValueError(f"unknown domain list format {format!r} (one of {', '.join(FORMATS)})")
    lines = list(lines)
    if format == "auto":
        format = _detect(lines)
    seen: dict[str, None] = {}
    problems: list[tuple[int, str]] = []
    first = True
    for number, line in lines:
        if limit is not None and len(seen) >= limit:
            break
        text = _strip_comment(line)
        if not text:
            continue
        if format == "umbrella":
            fields = [f.strip() for f in text.split(",")]
            if len(fields) != 2:
                problems.append((number, f"expected \"rank,domain\", found {len(fields)} fields: {text[:80]!r}"))
                continue
            rank, text = fields
            if first and rank.lower() == "rank":  # a header row
                first = False
                continue
            if not rank.isdigit():
                problems.append((number, f"rank {rank[:20]!r} is not a whole number"))
                continue
        first = False
        try:
            seen.setdefault(normalize_domain(text), None)
        except ValueError as error:
            problems.append((number, str(error)))
    if problems:
        raise DomainListError(source, problems)
    return list(seen)


def _numbered_lines(data: bytes, source: str) -> list[tuple[int, str]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines, problems = [], []
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            lines.append((number, raw.decode("utf-8")))
        except UnicodeDecodeError:
            problems.append((number, "not UTF-8 text"))
    if problems:
        raise DomainListError(source, problems)
    return lines


def read_domains(path: Path | str, format: str = "auto", *, limit: int | None = None) -> list[str]:
    """The domains of a list file (see the module's docstring)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DomainListError(str(path), [(0, f"cannot read the file: {error.strerror or error}")]) from None
    return parse_domains(_numbered_lines(data, str(path)), format, source=str(path), limit=limit)


def parse_text(text: str, format: str = "auto", *, source: str = "<input>", limit: int | None = None) -> list[str]:
    """``parse_domains`` for a string (tests, the API)."""
    return parse_domains(_numbered_lines(text.encode("utf-8", "surrogatepass"), source), format,
                         source=source, limit=limit)
