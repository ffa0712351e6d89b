"""The privacy policy: the link on the home page is followed, the policy fetched, and each
expected element (``results.PRIVACY_ELEMENTS``) found in its text by documented phrases.
The fleet serves a complete policy (modern.test and every fleet domain's default site), an
incomplete one (tls12.test) and a broken link (httponly.test: 404); the elements each
states are declared beside its text (``fleet.web.Site.policy_elements``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from fleet.web import COMPLETE_POLICY, INCOMPLETE_POLICY, site
from isoc.enablers.probes_web import _record_privacy_policy, _Site, probe_web
from isoc.enablers.results import PRIVACY_ELEMENTS, DomainResult
from isoc.enablers.web_parsing import (
    PRIVACY_ELEMENT_LABELS,
    PRIVACY_ELEMENT_PATTERNS,
    policy_fetch_problem,
    policy_text,
    privacy_elements,
)

# --- the readers, without a network ------------------------------------------------------

#: One ordinary sentence per element that must be recognised, and its element alone.
SENTENCES = {
    "data_collected": "We may collect your IP address when you visit.",
    "purpose": "How we use the information: to answer your questions.",
    "sharing": "Your details are never sold to anyone.",
    "retention": "Account records are retained for two years.",
    "user_rights": "You can opt out at any time.",
    "contact": "Questions go to our Data Protection Officer.",
    "cookies": "This site sets a cookie to remember your language.",
    "changes": "Effective date: 1 January 2026.",
}


def test_every_element_has_patterns_and_a_label():
    assert set(PRIVACY_ELEMENT_PATTERNS) == set(PRIVACY_ELEMENT_LABELS) == set(PRIVACY_ELEMENTS)


@pytest.mark.parametrize("element", PRIVACY_ELEMENTS)
def test_each_element_is_found_in_an_ordinary_sentence(element):
    assert privacy_elements(policy_text(f"<p>{SENTENCES[element]}</p>")) == [element]


def test_the_fleet_policies_state_what_their_authors_meant():
    assert privacy_elements(policy_text(COMPLETE_POLICY)) == list(PRIVACY_ELEMENTS)
    assert privacy_elements(policy_text(INCOMPLETE_POLICY)) == list(site("tls12.test").policy_elements)


def test_only_the_visible_text_counts():
    page = ("<html><head><style>.cookies{}</style><script>share(); retain();</script></head>"
            "<body><p>Hello</p><noscript>we use cookies</noscript></body></html>")
    assert policy_text(page) == "hello"
    assert privacy_elements(policy_text(page)) == []


def test_plain_text_policies_are_read_as_they_are():
    text = policy_text("WE   COLLECT\nyour name. <b>not markup</b>", "text/plain; charset=utf-8")
    assert text == "we collect your name. <b>not markup</b>"
    assert privacy_elements(text) == ["data_collected"]


def test_a_policy_in_another_language_states_no_element():
    # English patterns only (said in web_parsing): the reason names every element missing
    assert privacy_elements(policy_text("<p>Wir erheben Ihre Daten und geben sie nicht weiter.</p>")) == []


def test_broken_markup_does_not_stop_the_reader():
    assert privacy_elements(policy_text("<p>We retain logs<<</p><a href='x'>for a year</")) == ["retention"]


@pytest.mark.parametrize(("url", "problem"), [
    ("https://www.example.com/privacy", None),
    ("http://example.com/privacy", None),  # the site itself, over HTTP
    ("http://shop.example.com/privacy", None),  # same registrable domain
    ("https://policies.parent-company.example/privacy", None),  # any HTTPS site
    ("http://policies.parent-company.example/privacy", "plain HTTP on another site"),
    ("ftp://example.com/privacy", "not a web address"),
])
def test_which_policy_links_are_followed(url, problem):
    found = policy_fetch_problem(url, "www.example.com")
    assert (found is None) if problem is None else (problem in found)


# --- against the fleet --------------------------------------------------------------------


@pytest.fixture(scope="module")
def scanned(web_fleet) -> dict[str, DomainResult]:
    config = web_fleet.config()
    names = ("modern.test", "tls12.test", "httponly.test", "legacy.test", "hang.test")

    async def scan():
        results = {name: DomainResult(name, datetime.now(UTC), "fleet") for name in names}
        await asyncio.gather(*(probe_web(name, result, config) for name, result in results.items()))
        return results

    return asyncio.run(scan())


def test_a_complete_policy(scanned, web_fleet):
    result = scanned["modern.test"]
    url = web_fleet.origin("https", "modern.test") + "/policies/data"
    assert (result.privacy_policy_url, result.privacy_policy_reachable) == (url, True)
    assert result.privacy_policy_elements == list(PRIVACY_ELEMENTS)
    assert result.why["privacy_policy"] == f"{url} answers 200 and states all 8 expected elements"


def test_an_incomplete_policy_names_what_it_does_not_say(scanned, web_fleet):
    result = scanned["tls12.test"]  # served gzip-compressed, found through <base href="/">
    assert result.privacy_policy_reachable is True
    assert result.privacy_policy_elements == ["data_collected", "purpose", "contact"]
    url = web_fleet.origin("https", "tls12.test") + "/legal/privacy.html"
    assert result.why["privacy_policy"] == (
        f"{url} answers 200, but does not say: sharing (whether and with whom it is shared or sold); "
        "retention (how long it is kept); user_rights (the reader's rights to access, correct, delete or "
        "opt out); cookies (cookies and tracking); changes (how changes are announced, or the policy's date)")


def test_a_broken_policy_link(scanned, web_fleet):
    result = scanned["httponly.test"]
    url = web_fleet.origin("http", "httponly.test") + "/ds"
    assert (result.privacy_policy_url, result.privacy_policy_reachable, result.privacy_policy_elements) == (url, False, [])
    assert result.why["privacy_policy"] == (f"the privacy policy link on {web_fleet.origin('http', 'httponly.test')}/ "
                                            f"is broken: {url} answers 404; publish the policy there or fix the link")


def test_no_link_means_no_reachable_policy_and_no_page_means_unknown(scanned):
    assert scanned["legacy.test"].privacy_policy_reachable is False
    assert "no link on" in scanned["legacy.test"].why["privacy_policy"]
    assert scanned["hang.test"].privacy_policy_reachable is None
    assert scanned["hang.test"].why["privacy_policy"] == "no home page answer to read"


@pytest.mark.parametrize("by", ["hosts", "dns"])
def test_a_policy_on_another_https_site_is_fetched_from_that_site(fleet, web_fleet, by):
    """The link goes to another host: its address comes from the configured addresses or
    the configured resolver, and the certificate is checked against that host."""
    config = web_fleet.config() if by == "hosts" else fleet.scan_config()
    result = DomainResult("tls13.test", datetime.now(UTC), "fleet", a=[web_fleet.addresses(site("tls13.test"))[0]])
    result.privacy_policy_url = web_fleet.origin("https", "modern.test") + "/policies/data"

    async def run():
        async with _Site.of("tls13.test", result, config) as measured:
            await _record_privacy_policy(measured, result, web_fleet.origin("https", "tls13.test") + "/")

    asyncio.run(run())
    assert result.privacy_policy_reachable is True, result.why
    assert result.privacy_policy_elements == list(PRIVACY_ELEMENTS)
