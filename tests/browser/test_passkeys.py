"""Passkeys in a real browser with a virtual authenticator (the DevTools
protocol's WebAuthn domain through Playwright's CDP session): add a passkey
from the profile, sign in with it as the second factor, remove it; axe clean
in each state, no CSP violation (the page log fails the test on any)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in, sign_out
from tests.browser.test_accessibility import Tour
from tests.conftest import PASSWORD
from tests.twofactor.conftest import make_device
from twofactor.models import Factor, Kind

pytestmark = pytest.mark.browser


@pytest.fixture
def passkey_site(site, settings):
    # The live server is http://localhost:<port>: a secure context for the browser.
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGIN = site.url
    return site


def virtual_authenticator(page) -> dict:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return {"cdp": cdp, "id": added["authenticatorId"]}


def stored_credentials(authenticator: dict) -> list:
    return authenticator["cdp"].send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["id"]}
    )["credentials"]


def test_add_a_passkey_sign_in_with_it_and_remove_it(
    new_page, page_log, passkey_site, user_factory
):
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    page = new_page(log=page_log)
    authenticator = virtual_authenticator(page)
    ivy = user_factory(username="ivy")
    make_device(ivy)  # a phone first, so the passkey can be removed again

    sign_in(page, "ivy", next_url="/user/ivy/")
    page.get_by_label("Code:", exact=True).fill(passkey_site.last_code())
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/user/ivy/$"))
    page.wait_for_load_state("load")
    tour = Tour(page)
    panel = page.locator("#twofactor-panel")

    panel.get_by_role("link", name="Add a passkey").click()
    panel.get_by_label("Name").fill("Work laptop")
    panel.get_by_label("Your password").fill(PASSWORD)
    tour.check("panel: a passkey's name and the password")
    panel.get_by_role("button", name="Continue").click()
    create = panel.get_by_role("button", name="Create the passkey")
    expect(create).to_be_visible()
    expect(panel.get_by_text("Passkeys need JavaScript")).to_be_hidden()
    tour.check("panel: create the passkey")
    create.click()
    expect(page.get_by_role("status").first).to_contain_text("Your passkey “Work laptop” is added")
    expect(page.locator("#passkey-list")).to_contain_text("Work laptop")
    expect(page.locator("#passkey-list")).to_contain_text("Not used yet.")
    assert len(stored_credentials(authenticator)) == 1
    factor = Factor.objects.get(user=ivy, kind=Kind.WEBAUTHN)
    assert factor.data["credential_id"]
    tour.check("panel: a passkey listed")

    sign_out(page)
    codes_before = len(passkey_site.sms_outbox())
    sign_in(page, "ivy", next_url="/user/ivy/")
    use = page.get_by_role("button", name="Use a passkey")
    expect(use).to_be_visible()
    expect(page.get_by_role("link", name="Text me a code instead")).to_be_visible()
    assert len(passkey_site.sms_outbox()) == codes_before, "no text when a passkey is asked"
    tour.check("code page: a passkey")
    use.click()
    expect(page).to_have_url(re.compile(r"/user/ivy/$"))
    expect(page.locator("#passkey-list")).to_contain_text("Last used")
    factor.refresh_from_db()
    assert factor.last_used_at is not None

    page.locator("#passkey-list").get_by_role("link", name="Remove the passkey Work laptop").click()
    panel.get_by_label("Your password").fill(PASSWORD)
    tour.check("panel: remove a passkey")
    panel.get_by_role("button", name="Remove passkey").click()
    expect(panel.get_by_role("status")).to_contain_text("Your passkey “Work laptop” is removed")
    expect(page.locator("#passkey-list")).to_have_count(0)
    assert not Factor.objects.filter(user=ivy, kind=Kind.WEBAUTHN).exists()
    tour.assert_clean()
