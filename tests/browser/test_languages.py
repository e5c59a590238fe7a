"""Switching language in the footer's switcher: the sign-in page in German, then
back in English; the choice survives a new page; axe clean in both; with and
without JavaScript (the switcher is a plain form). The `page` fixture fails the
test on any console error or CSP violation."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import axe_violations

pytestmark = pytest.mark.browser

VIEWPORTS = [
    pytest.param({"width": 1280, "height": 800}, id="desktop"),
    pytest.param({"width": 390, "height": 844}, id="phone"),
]


def switch(page: Page, *, label: str, language: str, button: str) -> None:
    footer = page.locator("footer")
    footer.get_by_label(label).select_option(language)
    footer.get_by_role("button", name=button).click()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_german_and_back_on_the_sign_in_page(new_page, site, viewport):
    page = new_page(viewport=viewport, locale="en-US")
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^en"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    switch(page, label="Language", language="Deutsch", button="Change language")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.get_by_label("Benutzername oder E-Mail-Adresse")).to_be_visible()
    expect(page.get_by_role("link", name="Passwort vergessen?")).to_be_visible()
    expect(page.locator("footer").get_by_label("Sprache")).to_have_value("de")
    assert axe_violations(page) == []

    # Remembered: another page, from a link, is German too.
    page.get_by_role("link", name="Konto erstellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrieren")
    expect(page.locator("html")).to_have_attribute("lang", "de")

    switch(page, label="Sprache", language="English", button="Sprache ändern")
    expect(page).to_have_url(re.compile(r"/accounts/register/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    assert axe_violations(page) == []


def test_the_switcher_works_without_javascript(new_page, site):
    page = new_page(java_script_enabled=False)
    page.goto("/accounts/login/")
    switch(page, label="Language", language="Español", button="Change language")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
