"""The readers behind the web probes: HSTS and Alt-Svc headers, the home page, certificate
names. Hand-written cases from the RFCs, and hypothesis for what servers really send:
anything at all (the readers never crash) and every valid spelling of a policy (the
readers give it back)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isoc.enablers.web_parsing import (
    INT64_MAX,
    AltService,
    Hsts,
    name_matches,
    parse_alt_svc,
    parse_hsts,
    read_page,
    registrable_domain,
)

# --- HSTS ------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "policy"), [
    ("max-age=31536000", Hsts(31536000)),
    ("max-age=63072000; includeSubDomains; preload", Hsts(63072000, True, True)),
    ("MAX-AGE=5;INCLUDESUBDOMAINS", Hsts(5, True, False)),
    ('max-age="600"', Hsts(600)),
    ("max-age=0", Hsts(0)),
    ("  max-age = 10 ; ; ", Hsts(10)),
    ("preload; max-age=1", Hsts(1, False, True)),
    ('max-age=10; report-uri="https://example.com/r"; future', Hsts(10)),
    ("max-age=000000000000000000000000000042", Hsts(42)),
    ("max-age=" + "9" * 5000, Hsts(INT64_MAX)),
])
def test_valid_hsts_headers(header, policy):
    assert parse_hsts(header) == (policy, None)


@pytest.mark.parametrize(("header", "reason"), [
    ("", "no max-age directive"),
    ("includeSubDomains", "no max-age directive"),
    ("max-age=", "directive max-age has no valid value"),
    ("max-age=abc", "max-age 'abc' is not a number of seconds"),
    ("max-age=-1", "max-age '-1' is not a number of seconds"),
    ("max-age=1.5", "max-age '1.5' is not a number of seconds"),
    ('max-age="٣"', "max-age '٣' is not a number of seconds"),  # a digit, but not an ASCII one
    ("max-age=٣", "directive max-age has no valid value"),
    ("max-age=5; max-age=6", "directive max-age appears twice"),
    ("max-age=5; Max-Age=5", "directive Max-Age appears twice"),
    ("max-age=5; includeSubDomains=yes", "includesubdomains takes no value"),
    ('max-age="5', "directive max-age has no valid value"),
    ("max-age=5, includeSubDomains", "expected ';' but found ',' at position 9"),
    ("max age=5", "expected ';' but found 'a' at position 4"),
    ("=5", "unexpected '=' at position 0"),
])
def test_invalid_hsts_headers_count_as_absent(header, reason):
    assert parse_hsts(header) == (None, reason)


@given(st.text())
def test_hsts_reader_never_crashes(header):
    policy, problem = parse_hsts(header)
    assert (policy is None) != (problem is None)
    if policy is not None:
        assert 0 <= policy.max_age <= INT64_MAX


def _random_case(draw, word: str) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in word)


@st.composite
def hsts_headers(draw):
    """A valid header in any legal spelling, with the policy it states."""
    max_age = draw(st.integers(0, 10**12))
    include, preload = draw(st.booleans()), draw(st.booleans())
    ows = st.sampled_from(["", " ", "\t", "  "])
    value = f'"{max_age}"' if draw(st.booleans()) else str(max_age)
    directives = [f"{_random_case(draw, 'max-age')}{draw(ows)}={draw(ows)}{value}"]
    if include:
        directives.append(_random_case(draw, "includeSubDomains"))
    if preload:
        directives.append(_random_case(draw, "preload"))
    unknown = draw(st.lists(st.sampled_from(["report-uri", "x-future", "note"]), unique=True, max_size=2))
    directives += [f'{name}="{draw(st.text(alphabet="abc ;,=", max_size=8))}"' for name in unknown]
    directives = draw(st.permutations(directives))
    separator = draw(st.sampled_from([";", "; ", " ;", " ; ", ";;"]))
    return draw(ows) + separator.join(directives) + draw(ows), Hsts(max_age, include, preload)


@given(hsts_headers())
def test_hsts_reader_gives_back_any_valid_spelling(case):
    header, policy = case
    assert parse_hsts(header) == (policy, None)


# --- Alt-Svc ---------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "services"), [
    ('h3=":443"; ma=86400', [AltService("h3", "", 443, 86400)]),
    ('h3=":443", h3-29=":443"; ma=3600', [AltService("h3", "", 443), AltService("h3-29", "", 443, 3600)]),
    ('h2="alt.example:8443"; ma=60; persist=1', [AltService("h2", "alt.example", 8443, 60, True)]),
    ('h%33=":443"', [AltService("h3", "", 443)]),  # protocol ids are percent-encoded
    ('h3="[2001:db8::1]:443"', [AltService("h3", "2001:db8::1", 443)]),
    ('h3=":443";', [AltService("h3", "", 443)]),
    (' , h3=":443" ,, ', [AltService("h3", "", 443)]),
    ('h3=":443"; MA=5; ma=9', [AltService("h3", "", 443, 5)]),
    ('h3=":443"; foo="a,b;c"', [AltService("h3", "", 443)]),
    ("clear", []),
    ("", []),
])
def test_valid_alt_svc_headers(header, services):
    assert parse_alt_svc(header) == (services, None)


@pytest.mark.parametrize("header", [
    "h3=:443", 'h3=":99999"', 'h3=":"', 'h3="443"', 'h3=":443"; ma=abc', 'h3=":443" h2=":443"',
    'h3="[2001:db8::1:443"', 'h3="a b:443"', 'h3', 'h3=":443"; ma', "Clear", 'h3=":443", clear',
])
def test_invalid_alt_svc_headers_are_ignored_whole(header):
    services, problem = parse_alt_svc(header)
    assert services == [] and problem


@given(st.text())
def test_alt_svc_reader_never_crashes(header):
    services, problem = parse_alt_svc(header)
    assert problem is None or services == []
    assert all(0 <= service.port <= 65535 for service in services)


@st.composite
def alt_svc_headers(draw):
    services = draw(st.lists(st.builds(
        AltService,
        protocol=st.sampled_from(["h3", "h2", "h3-29", "http/1.1"]),
        host=st.sampled_from(["", "alt.example", "2001:db8::1"]),
        port=st.integers(0, 65535),
        max_age=st.integers(0, 10**9),
        persist=st.booleans()), min_size=1, max_size=4))
    parts = []
    for service in services:
        host = f"[{service.host}]" if ":" in service.host else service.host
        text = f'{service.protocol.replace("/", "%2F")}="{host}:{service.port}"'
        if service.max_age != 86400 or draw(st.booleans()):
            text += f"; ma={service.max_age}"
        if service.persist:
            text += "; persist=1"
        parts.append(text)
    return draw(st.sampled_from([",", ", ", " , "])).join(parts), services


@given(alt_svc_headers())
def test_alt_svc_reader_gives_back_what_was_advertised(case):
    header, services = case
    assert parse_alt_svc(header) == (services, None)


# --- The home page ---------------------------------------------------------------------


def test_privacy_link_by_text_or_address():
    page = '<a href="/about">About</a><a href="/legal/x">Privacy &amp; Cookies</a>'
    assert read_page(page, "https://a.test/", "a.test").privacy_policy_url == "https://a.test/legal/x"
    page = '<a href="javascript:void(0)">Privacy</a><a href="/PRIVACY-notice">Legal</a>'
    assert read_page(page, "https://a.test/en/", "a.test").privacy_policy_url == "https://a.test/PRIVACY-notice"
    page = '<a href="politique">Politique de <b>confidentialité</b></a>'
    assert read_page(page, "https://a.test/fr/", "a.test").privacy_policy_url == "https://a.test/fr/politique"
    assert read_page('<a href="/p"><img src="/i.png" alt="Privacy"></a>', "https://a.test/", "a.test").privacy_policy_url \
        == "https://a.test/p"
    assert read_page("<a href='/terms'>Terms</a>", "https://a.test/", "a.test").privacy_policy_url is None


def test_third_parties_are_other_registrable_domains():
    page = """<base href="https://cdn.shop.co.uk/assets/">
    <script src="app.js"></script><script src="https://www.googletagmanager.com/gtm.js"></script>
    <script>document.write('<img src="https://hidden.example/x">')</script>
    <img src="//images.other.example/a.png"><iframe src="https://shop.co.uk.evil.example/"></iframe>
    <img src="data:image/png;base64,AAAA"><img src="http://[2001:db8::1]/t.gif"><img src="https://x:y/">"""
    facts = read_page(page, "https://www.shop.co.uk/", "www.shop.co.uk")
    assert facts.third_party_hosts == ["2001:db8::1", "images.other.example", "shop.co.uk.evil.example",
                                       "www.googletagmanager.com"]


@given(st.text())
def test_page_reader_never_crashes(page):
    facts = read_page(page, "https://a.test/", "a.test")
    assert facts.privacy_policy_url is None or facts.privacy_policy_url.startswith("http")


# --- Names -----------------------------------------------------------------------------


@pytest.mark.parametrize(("names", "host", "matches"), [
    (["www.example.com"], "www.example.com", True),
    (["WWW.Example.COM."], "www.example.com", True),
    (["*.example.com"], "www.example.com", True),
    (["*.example.com"], "example.com", False),
    (["*.example.com"], "a.b.example.com", False),
    (["*.com"], "example.com", False),
    (["w*.example.com"], "www.example.com", False),
    (["other.example", "www.other.example"], "example.com", False),
    ([], "example.com", False),
])
def test_certificate_names(names, host, matches):
    assert name_matches(names, host) is matches


@pytest.mark.parametrize(("host", "registrable"), [
    ("www.example.co.uk", "example.co.uk"), ("static.modern.test", "modern.test"),
    ("Modern.Test.", "modern.test"), ("10.0.0.1", "10.0.0.1"), ("[2001:db8::1]", "2001:db8::1"),
    ("co.uk", "co.uk"),
])
def test_registrable_domains(host, registrable):
    assert registrable_domain(host) == registrable
