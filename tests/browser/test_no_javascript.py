"""Without JavaScript the two-factor panel still works, with full page loads."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE_E164, PHONE_NATIONAL, sign_in

pytestmark = pytest.mark.browser


def test_enable_two_factor_without_javascript(new_page, site, user_factory):
    user_factory(username="ivan")
    page = new_page(java_script_enabled=False)
    sign_in(page, "ivan", next_url="/user/ivan/")
    expect(page).to_have_url(re.compile(r"/user/ivan/$"))
    panel = page.locator("#twofactor-panel")
    expect(panel.get_by_text("Off", exact=True)).to_be_visible()

    panel.get_by_role("link", name="Add a phone").click()
    expect(page).to_have_url(re.compile(r"/2fa/enable/$"))  # a page of its own
    panel.get_by_label("Phone number").fill(PHONE_NATIONAL)
    panel.get_by_role("button", name="Text me a code").click()

    expect(panel.get_by_label("Code:", exact=True)).to_be_visible()
    panel.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    panel.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/user/ivan/$"))
    expect(page.locator("#messages")).to_contain_text("Two-factor authentication is on")
    expect(panel.get_by_text("On", exact=True)).to_be_visible()


def test_without_javascript_passkeys_say_they_need_it(new_page, site, user_factory):
    user_factory(username="nora")
    page = new_page(java_script_enabled=False)
    sign_in(page, "nora", next_url="/user/nora/")
    expect(page).to_have_url(re.compile(r"/user/nora/$"))
    card = page.locator("#factor-webauthn")
    expect(card).to_contain_text("Passkeys need JavaScript")
    # The other factors stay offered.
    expect(page.get_by_role("link", name="Add a phone")).to_be_visible()
    expect(page.get_by_role("link", name="Set up an authenticator app")).to_be_visible()
