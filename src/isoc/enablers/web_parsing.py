"""What a web answer says, read strictly: HSTS and Alt-Svc headers, the home page's links
and embedded resources, and whether a certificate names a host.

Django-free and network-free, so the web probes (``enablers.probes_web``) stay small and
these readers can be tested on their own (hypothesis: they never crash, whatever a server
sends). Header grammars follow the RFCs a browser follows: a header that breaks its
grammar is ignored by browsers, so it is reported as absent, with the reason.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

#: RFC 9110 tchar: the characters of a token.
_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
#: The largest value a Parquet int64 column holds; longer max-age values are clamped to it.
INT64_MAX = 2**63 - 1


class _Cursor:
    """A position in a header value, with the few lexical rules HTTP headers share."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_ows(self) -> None:
        while self.peek() in (" ", "\t") and not self.done():
            self.pos += 1

    def take(self, char: str) -> bool:
        if self.peek() == char and char:
            self.pos += 1
            return True
        return False

    def token(self) -> str | None:
        start = self.pos
        while not self.done() and self.text[self.pos] in _TCHAR:
            self.pos += 1
        return self.text[start:self.pos] or None

    def quoted_string(self) -> str | None:
        """A quoted-string's content with quoted-pairs undone; None if it is not one."""
        if not self.take('"'):
            return None
        chars = []
        while not self.done():
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return "".join(chars)
            if char == "\\":
                if self.done():
                    return None
                char = self.text[self.pos]
                self.pos += 1
            if char in ("\r", "\n"):
                return None
            chars.append(char)
        return None  # no closing quote

    def token_or_quoted(self) -> str | None:
        return self.quoted_string() if self.peek() == '"' else self.token()

    def where(self) -> str:
        return f"{self.peek()!r} at position {self.pos}" if not self.done() else "the end"


def _delta_seconds(raw: str) -> int | None:
    if not raw or not set(raw) <= _DIGITS:
        return None
    if len(raw.lstrip("0")) > 19:  # beyond int64 (and beyond what int() parses quickly)
        return INT64_MAX
    return min(int(raw), INT64_MAX)


# --- HSTS (RFC 6797 section 6.1) -------------------------------------------------------


@dataclass(frozen=True)
class Hsts:
    max_age: int
    include_subdomains: bool = False
    preload: bool = False  # not in RFC 6797: the flag hstspreload.org asks for


#: Directives without a value; a value makes the header invalid (as browsers read it).
_VALUELESS = ("includesubdomains", "preload")


def parse_hsts(value: str) -> tuple[Hsts | None, str | None]:
    """Read one Strict-Transport-Security header value.

    Returns the policy, or None with the reason the header is invalid (browsers ignore an
    invalid header, so it counts as absent): a directive twice, no max-age, a max-age that
    is not a number, a value on includeSubDomains or preload, a character outside the
    grammar. Directive names are case-insensitive; unknown directives are ignored.
    """
    cursor = _Cursor(value)
    directives: dict[str, str | None] = {}
    while True:
        cursor.skip_ows()
        if not cursor.done() and cursor.peek() != ";":
            name = cursor.token()
            if name is None:
                return None, f"unexpected {cursor.where()}"
            cursor.skip_ows()
            directive_value = None
            if cursor.take("="):
                cursor.skip_ows()
                directive_value = cursor.token_or_quoted()
                if directive_value is None:
                    return None, f"directive {name} has no valid value"
                cursor.skip_ows()
            key = name.lower()
            if key in directives:
                return None, f"directive {name} appears twice"
            directives[key] = directive_value
        if cursor.done():
            break
        if not cursor.take(";"):
            return None, f"expected ';' but found {cursor.where()}"
    if "max-age" not in directives:
        return None, "no max-age directive"
    max_age = _delta_seconds(directives["max-age"] or "")
    if max_age is None:
        return None, f"max-age {directives['max-age']!r} is not a number of seconds"
    for flag in _VALUELESS:
        if directives.get(flag) is not None:
            return None, f"{flag} takes no value"
    return Hsts(max_age, "includesubdomains" in directives, "preload" in directives), None


# --- Alt-Svc (RFC 7838 section 3) ------------------------------------------------------


@dataclass(frozen=True)
class AltService:
    protocol: str  # the ALPN id, percent-decoded: "h3", "h2"
    host: str  # "" means the origin's own host
    port: int
    max_age: int = 86400  # "ma", seconds
    persist: bool = False


def _authority(raw: str) -> tuple[str, int] | None:
    host, sep, port = raw.rpartition(":")
    if not sep or not port or not set(port) <= _DIGITS or len(port) > 5 or int(port) > 65535:
        return None
    if host.startswith("["):
        if not host.endswith("]"):
            return None
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None
        host = host[1:-1]
    elif ":" in host or any(c in host for c in ' \t/?#@"'):
        return None
    return host.lower(), int(port)


def parse_alt_svc(value: str) -> tuple[list[AltService], str | None]:
    """Read an Alt-Svc header value (several header lines joined by commas).

    Returns the alternative services, or an empty list with the reason when the value
    breaks the grammar (as browsers do, the whole header is then ignored). ``clear``
    yields an empty list and no error.
    """
    if value.strip(" \t") == "clear":
        return [], None
    cursor = _Cursor(value)
    services: list[AltService] = []
    while True:
        # RFC 9110 5.6.1: a recipient accepts empty list elements ("a, , b").
        cursor.skip_ows()
        while cursor.take(","):
            cursor.skip_ows()
        if cursor.done():
            break
        protocol = cursor.token()
        if protocol is None or not cursor.take("="):
            return [], f"expected protocol-id=\"host:port\" at {cursor.where()}"
        raw_authority = cursor.quoted_string()
        authority = _authority(raw_authority) if raw_authority is not None else None
        if authority is None:
            return [], f"alternative {protocol} has no valid \"[host]:port\""
        params: dict[str, str] = {}
        while True:
            cursor.skip_ows()
            if not cursor.take(";"):
                break
            cursor.skip_ows()
            if cursor.done() or cursor.peek() == ",":
                break  # a trailing ';' with no parameter
            name = cursor.token()
            if name is None or not cursor.take("="):
                return [], f"expected parameter=value at {cursor.where()}"
            param = cursor.token_or_quoted()
            if param is None:
                return [], f"parameter {name} has no valid value"
            params.setdefault(name.lower(), param)
        max_age = _delta_seconds(params.get("ma", "86400"))
        if max_age is None:
            return [], f"ma {params['ma']!r} is not a number of seconds"
        services.append(AltService(unquote(protocol), authority[0], authority[1], max_age,
                                   params.get("persist") == "1"))
        cursor.skip_ows()
        if cursor.done():
            break
        if not cursor.take(","):
            return [], f"expected ',' between alternatives at {cursor.where()}"
    return services, None


# --- The home page ---------------------------------------------------------------------

#: Words that name a privacy policy in a link's text or address (lower case; a few
#: languages, since audited sites are not all in English).
PRIVACY_WORDS = ("privacy", "privacidad", "privacidade", "privacité", "confidentialité",
                 "confidentialite", "vie privée", "datenschutz", "privatsphäre", "privaatsus",
                 "isikuandmete")
#: Elements whose address loads content into the page (scripts, frames, images).
_EMBEDS = {"script": "src", "iframe": "src", "frame": "src", "img": "src"}


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.embeds: list[str] = []
        self._anchor: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base is None and attributes.get("href"):
            self.base = attributes["href"]
        elif tag == "a":
            self._close_anchor()
            self._anchor = (attributes.get("href", ""), [])
        if tag in _EMBEDS and attributes.get(_EMBEDS[tag]):
            self.embeds.append(attributes[_EMBEDS[tag]])
        if tag == "img" and self._anchor is not None:
            self._anchor[1].append(attributes.get("alt", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_anchor()

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._anchor[1].append(data)

    def close(self) -> None:
        super().close()
        self._close_anchor()

    def _close_anchor(self) -> None:
        if self._anchor is not None:
            href, text = self._anchor
            self.links.append((href.strip(), " ".join("".join(text).split())))
            self._anchor = None


@dataclass(frozen=True)
class PageFacts:
    privacy_policy_url: str | None
    third_party_hosts: list[str]


def _says_privacy(text: str) -> bool:
    lowered = unquote(text).lower()
    return any(word in lowered for word in PRIVACY_WORDS)


def read_page(html: str, page_url: str, site: str) -> PageFacts:
    """The privacy policy link and the third-party hosts of a home page.

    ``page_url`` is the address the page was fetched from (relative links resolve against
    it, or against the page's ``<base href>``); ``site`` the domain being measured. A
    privacy policy link is the first ``<a href>`` whose text or address says privacy; a
    third party is the host of a script, frame or image outside the site's registrable
    domain (``cdn.example.com`` is not a third party of ``www.example.com``).
    """
    reader = _PageReader()
    try:
        reader.feed(html)
        reader.close()
    except (AssertionError, ValueError):  # html.parser's complaints on broken markup
        reader._close_anchor()
    # A <base href> that is no address (browsers ignore it) leaves links relative to the page.
    base = (_absolute(page_url, reader.base) if reader.base else None) or page_url
    privacy = None
    for href, text in reader.links:
        if href and not href.lower().startswith(("javascript:", "mailto:", "#")) and (
                _says_privacy(text) or _says_privacy(href)):
            privacy = _absolute(base, href)
            if privacy:
                break
    own = registrable_domain(site)
    hosts = set()
    for src in reader.embeds:
        url = _absolute(base, src)
        host = urlsplit(url).hostname if url else None
        if host and registrable_domain(host) != own:
            hosts.add(host)
    return PageFacts(privacy, sorted(hosts))


def _absolute(base: str, href: str) -> str | None:
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


@cache
def _suffixes():
    from publicsuffixlist import PublicSuffixList  # the list ships in the package: no download

    return PublicSuffixList()


def registrable_domain(host: str) -> str:
    """The part of a host name one registrant controls (``www.example.co.uk`` →
    ``example.co.uk``), by the Public Suffix List; an address is its own."""
    host = host.strip(".").lower()
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    return _suffixes().privatesuffix(host) or host


# --- Certificate names (RFC 6125) ------------------------------------------------------


def name_matches(dns_names: list[str], host: str) -> bool:
    """Whether a certificate's DNS names cover ``host``: exactly, or by a wildcard that
    stands for the whole leftmost label (``*.example.com`` covers ``www.example.com``,
    not ``example.com`` nor ``a.b.example.com``)."""
    host = host.rstrip(".").lower()
    for name in dns_names:
        name = name.rstrip(".").lower()
        if name == host:
            return True
        if name.startswith("*.") and "*" not in name[2:] and name.count(".") >= 2:
            label, _, rest = host.partition(".")
            if label and rest == name[2:]:
                return True
    return False


# --- The privacy policy ----------------------------------------------------------------

#: What each expected element of a privacy policy (``results.PRIVACY_ELEMENTS``) is, as the
#: "why" of the privacy check names a missing one.
PRIVACY_ELEMENT_LABELS = {
    "data_collected": "what personal data is collected",
    "purpose": "why it is used",
    "sharing": "whether and with whom it is shared or sold",
    "retention": "how long it is kept",
    "user_rights": "the reader's rights to access, correct, delete or opt out",
    "contact": "whom to ask about it",
    "cookies": "cookies and tracking",
    "changes": "how changes are announced, or the policy's date",
}

#: How each element is recognised: phrases a policy uses when it states the element, matched
#: on the policy's visible text in lower case with whitespace collapsed. English only: the
#: audit reads English-language policies (a policy in another language states no element
#: here, and the "why" of the check says which are missing, so a reader can tell). These
#: are deliberately plain phrases, not a classifier: a policy that says the thing in the
#: usual words is found, and the tests pin each pattern to example sentences.
PRIVACY_ELEMENT_PATTERNS: dict[str, tuple[str, ...]] = {
    "data_collected": (r"\bwe (?:may )?collect\b", r"\b(?:data|information) (?:that )?we (?:may )?collect\b",
                       r"\b(?:personal|personally identifiable) (?:data|information) (?:we|that|which|you)\b",
                       r"\bcollect(?:s|ed|ion of)? (?:your|the following|personal)\b"),
    "purpose": (r"\bpurposes?\b", r"\bhow we use\b", r"\bwe (?:may )?use (?:your|this|the|such|personal|it|them)\b",
                r"\bused? (?:to|for) (?:provide|deliver|process|improve|send)\b"),
    "sharing": (r"\b(?:share|shares|shared|sharing)\b", r"\b(?:disclose|discloses|disclosed|disclosure)\b",
                r"\b(?:sell|sells|sold|sale of)\b", r"\btransfer(?:s|red)? (?:your|personal|it|them|data)\b"),
    "retention": (r"\b(?:retain|retains|retained|retention)\b", r"\b(?:keep|store|hold)s? (?:it|them|your|personal|this|data)\b[^.]{0,60}\b(?:for|until|as long as)\b",
                  r"\bhow long\b", r"\bdelete(?:d)? (?:it|them|your data|personal data) (?:after|when|once|within)\b"),
    "user_rights": (r"\byour (?:privacy |data protection )?rights\b",
                    r"\bright (?:to|of) (?:access|correct|rectif\w*|erase|erasure|delet\w*|object|opt|withdraw|restrict|data portability|portability)\b",
                    r"\bopt[- ]?out\b", r"\b(?:access|correct|delete|erase|rectify) (?:your|the) (?:personal )?(?:data|information)\b"),
    "contact": (r"\bcontact (?:us|our|the)\b", r"\bdata protection officer\b", r"\bdpo\b",
                r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", r"\bwrite to us\b"),
    "cookies": (r"\bcookies?\b", r"\btracking technolog\w*\b", r"\bweb beacons?\b", r"\btracking pixels?\b"),
    "changes": (r"\bchanges? (?:to|in) (?:this|our|the) (?:privacy )?(?:policy|notice|statement)\b",
                r"\b(?:update|amend|revise|change)s? (?:this|our|the) (?:privacy )?(?:policy|notice|statement)\b",
                r"\beffective (?:date|as of|from)\b", r"\blast (?:updated|revised|modified|changed)\b"),
}


@cache
def _element_patterns() -> dict[str, re.Pattern]:
    return {name: re.compile("|".join(f"(?:{p})" for p in patterns))
            for name, patterns in PRIVACY_ELEMENT_PATTERNS.items()}


class _TextReader(HTMLParser):
    """The text a reader sees: everything outside ``<script>``, ``<style>`` and the like."""

    _HIDDEN = {"script", "style", "noscript", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def policy_text(body: str, content_type: str = "text/html") -> str:
    """The readable text of a policy page (HTML without its markup, or plain text), in
    lower case with whitespace collapsed: what the element patterns are matched on."""
    if "html" in content_type.lower():
        reader = _TextReader()
        try:
            reader.feed(body)
            reader.close()
        except (AssertionError, ValueError):  # html.parser's complaints on broken markup
            pass
        # block elements separate words: join the pieces with spaces
        body = " ".join(reader.parts)
    return " ".join(body.split()).lower()


def privacy_elements(text: str) -> list[str]:
    """The expected elements (``results.PRIVACY_ELEMENTS``, in that order) that a policy's
    text (``policy_text``) states, by ``PRIVACY_ELEMENT_PATTERNS``."""
    from .results import PRIVACY_ELEMENTS

    patterns = _element_patterns()
    return [name for name in PRIVACY_ELEMENTS if patterns[name].search(text)]


def policy_fetch_problem(url: str, site: str) -> str | None:
    """Why the scanner does not fetch a privacy policy link, or None when it does: a link
    on the site itself (its registrable domain, any scheme the site uses), or any HTTPS
    URL elsewhere (a policy kept by a parent company or a policy service). Plain HTTP to
    another site is not followed: what it serves could be anybody's."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced "[" in the host ("Invalid IPv6 URL")
        return f"{url} is not a web address"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url} is not a web address"
    if parts.scheme == "https" or registrable_domain(parts.hostname) == registrable_domain(site):
        return None
    return f"{url} is plain HTTP on another site: not followed"
