"""One end-to-end flow per half of the site done with the keyboard alone (Tab,
Shift+Tab, Enter, Space, arrow keys; no clicks, no filling fields by locator), checking at
every stop that focus can be seen.

Community: sign in, join as a sustaining member, reach the invoice.
Pulse: filter the shutdowns overview to a country and year, open an event, reach the
data table behind its signals chart.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from e2e_ui import PASSWORD, make_person
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

# The focused element, and whether its focus shows: it matches :focus-visible (as it
# does after a key press) and draws an outline or a box-shadow ring.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
  return {
    tag: el.tagName.toLowerCase(), type: el.type || '', id: el.id, href: el.getAttribute('href') || '',
    name: (el.getAttribute('aria-label') || label || el.textContent || el.value || '').trim().replace(/\\s+/g, ' '),
    ring: el.matches(':focus-visible')
          && ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none'),
    style: `outline: ${style.outlineStyle} ${style.outlineWidth}; box-shadow: ${style.boxShadow}`,
  };
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_to(page: Page, wanted: Callable[[dict], bool], what: str, *, backwards: bool = False, limit: int = 40) -> dict:
    """Press Tab (or Shift+Tab) until the focused element is ``wanted``; every element
    passed on the way must show its focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        element = focused(page)
        if element is None:
            continue
        seen.append(f"{element['tag']} {element['name']!r}")
        assert element["ring"], f"focus is not visible on {element['tag']} {element['name']!r} ({element['style']})"
        if wanted(element):
            return element
    raise AssertionError(f"{what} is not reachable with {'Shift+' if backwards else ''}Tab; focus went to: {seen}")


def named(text: str) -> Callable[[dict], bool]:
    return lambda element: element["name"] == text or element["name"].startswith(text)


def field(name: str) -> Callable[[dict], bool]:
    return lambda element: element["tag"] in ("input", "select", "textarea") and element["name"].rstrip(":").strip() == name


def test_sign_in_and_join_as_sustaining_member_by_keyboard_only(page):
    make_person("grace@example.org", first_name="Grace", last_name="Hopper", country="US")
    page.goto("/")

    # The first stop is the skip link, shown when focused.
    skip = tab_to(page, named("Skip to content"), "the skip link", limit=1)
    assert skip["tag"] == "a"
    tab_to(page, named("Sign in"), "the Sign in link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    tab_to(page, field("Email"), "the email field")
    page.keyboard.type("grace@example.org")
    tab_to(page, field("Password"), "the password field", limit=3)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_text("You are not a member yet.")).to_be_visible()

    tab_to(page, named("Join the Internet Society"), "the join link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Join the Internet Society")).to_be_visible()

    # The radio group takes one Tab stop; the arrow keys move the choice within it.
    tab_to(page, named("Global member"), "the membership choice")
    page.keyboard.press("ArrowDown")
    assert named("Sustaining member")(focused(page))
    expect(page.get_by_label("Sustaining member")).to_be_checked()
    tab_to(page, named("Join"), "the Join button")
    # Back to check the choice, and forward again: nothing lost on the way.
    tab_to(page, named("Sustaining member"), "the chosen membership", backwards=True)
    expect(page.get_by_label("Sustaining member")).to_be_checked()
    tab_to(page, named("Join"), "the Join button")
    page.keyboard.press("Space")

    expect(page.get_by_role("status")).to_contain_text("Welcome! Your membership is recorded.")
    expect(page.get_by_test_id("membership-status")).to_have_text("Pending")
    link = tab_to(page, lambda e: e["tag"] == "a" and e["name"].startswith("INV-"), "the invoice link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice {link['name']}")
    expect(page.get_by_test_id("balance")).to_have_text("$50.00")
    tab_to(page, named("Print"), "the Print button")


def keyboard_only_pulse_flow(page: Page) -> None:
    """The Pulse half: from the shutdowns overview, filter the map and list to a country
    and a year with the form, open an event, and reach the data table behind its chart,
    by keyboard only."""
    page.goto("/pulse/shutdowns/")
    expect(page.get_by_role("heading", name="Internet shutdowns", level=1)).to_be_visible()
    tab_to(page, field("Country"), "the country filter", limit=60)
    page.keyboard.type("Iran")  # a native select picks the option typed
    expect(page.get_by_role("search").get_by_label("Country")).to_have_value("IR")
    tab_to(page, field("Year"), "the year filter", limit=2)
    page.keyboard.type("2023")
    tab_to(page, named("Apply"), "the Apply button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"country=IR"))
    expect(page).to_have_url(re.compile(r"year=2023"))
    events = page.get_by_role("table", name="Published events, newest first")
    expect(events.get_by_role("row")).to_have_count(2)

    tab_to(page, lambda e: e["tag"] == "a" and e["name"] == "Iran" and "/events/" in e["href"], "the event link",
           limit=120)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Iran")
    tab_to(page, lambda e: e["tag"] == "summary" and e["name"].startswith("Data table"), "the chart's data table",
           limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name=re.compile("averaged over equal spans of time"))).to_be_visible()


def test_pulse_flow_by_keyboard_only(page, settings, tmp_path):
    from test_e2e_shutdowns import make_tracker

    settings.DATA_DIR = tmp_path
    make_tracker(tmp_path)
    keyboard_only_pulse_flow(page)
