"""A member switches the site to French, then to Estonian, with the footer form, and
walks the join flow: the pages are translated, the dues are written as the locale writes
money ("50,00 $US", "50,00 $") and dates as it writes dates. The choice is saved on the
account, so it follows the member to another browser.

Then the same reader opens a Pulse country page in French and in Estonian: the country's
name, the headings and the figures follow the language."""

from __future__ import annotations

import re

import pytest
from e2e_ui import PASSWORD, make_person, sign_in, submit_login
from playwright.sync_api import Page, expect

from isoc.site import l10n

# A day as Django's date format writes it in each language (invoices' "issued" column).
FRENCH_DAY = re.compile(r"\b\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
                        r"novembre|décembre) \d{4}\b")
ESTONIAN_DAY = re.compile(r"\b\d{1,2}\. (jaanuar|veebruar|märts|aprill|mai|juuni|juuli|august|september|"
                          r"oktoober|november|detsember) \d{4}\b")


def switch_language(page: Page, code: str, *, label: str, button: str) -> None:
    """Choose a language in the footer form, as a reader does: the form's label and
    button are in the language the page is in now."""
    footer = page.get_by_role("contentinfo")
    footer.get_by_label(label, exact=True).select_option(code)
    footer.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def shown_time_zone(page: Page) -> str:
    """The zone the page says its times are in (the browser's, sent by the site's script)."""
    text = page.get_by_role("contentinfo").inner_text()
    zone = re.search(r"(?:fuseau horaire|ajavööndis|in) ([A-Za-z_]+(?:/[A-Za-z_+\-0-9]+)*)\.", text)
    assert zone, f"the footer names no time zone: {text!r}"
    return zone.group(1)


@pytest.mark.e2e
def test_joining_in_french_then_reading_in_estonian(page, new_page):
    from isoc.members import services
    from isoc.members.models import Person

    make_person("ines@example.org", first_name="Inès", last_name="Dupont", country="FR")
    sign_in(page, "ines@example.org")  # in English: the browser asks for en-GB

    # French, from the footer of the membership page; the page comes back in French.
    switch_language(page, "fr", label="Language", button="Change")
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue, Inès Dupont")
    expect(page.get_by_text("Vous n’êtes pas encore membre.")).to_be_visible()
    expect(page.get_by_role("link", name="Mon adhésion")).to_be_visible()

    # Join as a sustaining member: the dues as French writes money.
    page.get_by_role("link", name="Adhérer à l’Internet Society").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adhérer à l’Internet Society")
    expect(page.get_by_text("La cotisation de membre soutien est de 50,00 $US par an")).to_be_visible()
    page.get_by_label("Membre soutien").check()
    page.get_by_role("button", name="Adhérer", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Bienvenue ! Votre adhésion est enregistrée.")
    expect(page.get_by_test_id("membership-status")).to_have_text("En attente")
    expect(page.get_by_test_id("invoice-state")).to_have_text("à régler")
    invoices = page.get_by_role("region", name="Factures")
    expect(invoices.get_by_role("cell", name="50,00 $US")).to_be_visible()
    expect(invoices.get_by_role("cell").nth(1)).to_have_text(FRENCH_DAY)
    invoice_number = invoices.get_by_role("link").first.inner_text()

    person = Person.objects.get(email="ines@example.org")
    assert person.preferred_language == "fr", "the choice is saved on the account"

    # The secretariat records the transfer; the term now has dates, in French.
    invoice = person.invoices.get(number=invoice_number)
    services.record_payment(invoice, amount=invoice.amount, reference="VIR-2026-118")
    page.reload()
    expect(page.get_by_test_id("membership-status")).to_have_text("Active")
    expect(page.get_by_test_id("membership-category")).to_have_text("Membre soutien")
    term = person.current_membership().terms.get()
    zone = shown_time_zone(page)
    terms = page.get_by_role("table", name="Périodes")
    expect(terms.locator("time").first).to_have_text(l10n.instant(term.starts_at, zone, "fr"))
    expect(terms.locator("time").first).to_have_text(re.compile(r"^\d{1,2} \S+ \d{4}, \d{2}:\d{2} \("))

    # Estonian now, from the French footer.
    switch_language(page, "et", label="Langue", button="Changer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tere tulemast, Inès Dupont")
    expect(page.get_by_test_id("membership-status")).to_have_text("Kehtiv")
    expect(page.get_by_test_id("membership-category")).to_have_text("Toetajaliige")
    expect(page.get_by_test_id("invoice-state")).to_have_text("tasutud")
    invoices = page.get_by_role("region", name="Arved")
    expect(invoices.get_by_role("cell", name="50,00 $")).to_be_visible()
    expect(invoices.get_by_role("cell").nth(1)).to_have_text(ESTONIAN_DAY)
    terms = page.get_by_role("table", name="Perioodid")
    expect(terms.locator("time").first).to_have_text(l10n.instant(term.starts_at, zone, "et"))
    expect(terms.locator("time").first).to_have_text(re.compile(r"^\d{1,2}\. \S+ \d{4} \d{2}:\d{2} \("))

    # The receipt, in Estonian.
    page.get_by_role("link", name=invoice_number).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Kviitung {invoice_number}")
    expect(page.get_by_test_id("receipt-state")).to_have_text("tasutud")
    expect(page.get_by_test_id("balance")).to_have_text("0,00 $")
    expect(page.get_by_text(re.compile(r"Makse PAY-\S+ laekus \d{1,2}\. \S+ \d{4}, viide VIR-2026-118"))).to_be_visible()

    # Saved on the account: another browser (asking for English) gets Estonian once signed in.
    other = new_page()
    other.goto("/accounts/login/")
    expect(other.locator("html")).to_have_attribute("lang", "en")
    submit_login(other, "ines@example.org", PASSWORD)
    expect(other).to_have_url(re.compile(r"/members/$"))
    expect(other.locator("html")).to_have_attribute("lang", "et")
    expect(other.get_by_role("button", name="Logi välja")).to_be_visible()


@pytest.mark.e2e
def test_a_visitors_choice_of_estonian_is_kept_from_page_to_page(page):
    page.goto("/members/organizations/")
    switch_language(page, "et", label="Language", button="Change")
    expect(page).to_have_url(re.compile(r"/members/organizations/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Liikmesorganisatsioonid")
    expect(page.get_by_text("0 organisatsiooni, mille liikmesus kehtib.")).to_be_visible()
    # The cookie keeps the choice on the next page, whatever the browser asks for.
    page.get_by_role("banner").get_by_role("link", name="Internet Society").click()
    expect(page.locator("html")).to_have_attribute("lang", "et")
    expect(page.get_by_role("heading", name="Hakka liikmeks")).to_be_visible()
    expect(page.get_by_text("Internet on kõigi jaoks.")).to_be_visible()


# --- Pulse ----------------------------------------------------------------------------


POPULATION_HEADINGS = {"fr": "Population et économie", "et": "Rahvastik ja majandus"}


def walk_pulse_country_page(page: Page, language: str) -> None:
    """The Pulse country page in ``language``: its heading is the country's name in that
    language, its section heading is translated, and its figures use the locale's
    number format."""
    from isoc.pulse.models import Dataset, DataSource, IndicatorValue

    source = DataSource.objects.create(slug="world-bank", name="World Bank", publisher="World Bank",
                                       licence="CC BY 4.0")
    dataset = Dataset.objects.create(source=source, slug="wb-population", title="Population, total",
                                     kind="indicator", origin="population.csv", importer="worldbank",
                                     importer_version="1")
    IndicatorValue.objects.create(dataset=dataset, indicator="SP.POP.TOTL", country_id="EE", year=2020,
                                  value=1331057)
    page.goto("/pulse/countries/ee/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(l10n.country_name("EE", language))
    expect(page.get_by_role("heading", name=POPULATION_HEADINGS[language])).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text(l10n.number(1331057, language, 0))


@pytest.mark.e2e
@pytest.mark.parametrize("language, label, button", [("fr", "Language", "Change"), ("et", "Language", "Change")])
def test_pulse_country_page_in_french_and_estonian(page, language, label, button):
    from django.apps import apps

    if not apps.is_installed("isoc.pulse"):
        pytest.skip("the Pulse pages do not exist yet (isoc.pulse is not installed); see walk_pulse_country_page")
    page.goto("/")
    switch_language(page, language, label=label, button=button)
    walk_pulse_country_page(page, language)
