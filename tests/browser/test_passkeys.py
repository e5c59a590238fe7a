"""Passkeys in a real browser with a virtual authenticator (the DevTools
protocol's WebAuthn domain through Playwright's CDP session): add a passkey
from the profile, sign in with it as the second factor, rename it, sign in
with it alone from the sign-in page (passwordless), remove it; axe clean
in each state, no CSP violation (the page log fails the test on any)."""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in, sign_out
from tests.browser.test_accessibility import Tour
from tests.conftest import PASSWORD
from tests.twofactor.authenticator import SoftAuthenticator
from tests.twofactor.conftest import make_device
from tests.twofactor.test_passkey_sign_in import HANDLE
from tests.twofactor.test_passkeys import stored_passkey
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


def without_autofill(page) -> None:
    """A browser without conditional mediation. The virtual authenticator
    answers the sign-in page's autofill request at once, as if its passkey had
    been picked, so a test that types a password needs the autofill gone."""
    page.add_init_script("PublicKeyCredential.isConditionalMediationAvailable = async () => false;")


def load_passkey(authenticator: dict, key: SoftAuthenticator) -> None:
    """Put `key` (stored for a user with `stored_passkey`) on the authenticator."""
    authenticator["cdp"].send(
        "WebAuthn.addCredential",
        {
            "authenticatorId": authenticator["id"],
            "credential": {
                "credentialId": base64.b64encode(key.credential_id).decode(),
                "isResidentCredential": True,
                "rpId": "localhost",
                "privateKey": base64.b64encode(key.private_key_pkcs8()).decode(),
                "userHandle": base64.b64encode(HANDLE).decode(),
                "signCount": 0,
            },
        },
    )


def stored_credentials(authenticator: dict) -> list:
    return authenticator["cdp"].send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["id"]}
    )["credentials"]


def test_add_a_passkey_sign_in_with_it_and_remove_it(
    new_page, page_log, passkey_site, user_factory
):
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    page = new_page(log=page_log)
    without_autofill(page)  # the password and the code are typed here
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

    page.locator("#passkey-list").get_by_role("link", name="Rename the passkey Work laptop").click()
    panel.get_by_role("textbox", name="Name").fill("Home laptop")
    tour.check("panel: rename a passkey")
    panel.get_by_role("button", name="Save name").click()
    expect(panel.get_by_role("status")).to_contain_text("now called “Home laptop”")
    expect(page.locator("#passkey-list")).to_contain_text("Home laptop")

    page.locator("#passkey-list").get_by_role("link", name="Remove the passkey Home laptop").click()
    panel.get_by_label("Your password").fill(PASSWORD)
    tour.check("panel: remove a passkey")
    panel.get_by_role("button", name="Remove passkey").click()
    expect(panel.get_by_role("status")).to_contain_text("Your passkey “Home laptop” is removed")
    expect(page.locator("#passkey-list")).to_have_count(0)
    assert not Factor.objects.filter(user=ivy, kind=Kind.WEBAUTHN).exists()
    tour.assert_clean()


def test_the_passkey_button_signs_in_where_the_browser_has_no_autofill(
    new_page, page_log, passkey_site, user_factory
):
    """A browser without conditional mediation: the button on the sign-in page
    signs in with a passkey already on the authenticator, no password."""
    page = new_page(log=page_log)
    without_autofill(page)
    authenticator = virtual_authenticator(page)
    june = user_factory(username="june")
    key = SoftAuthenticator()
    stored_passkey(june, key)
    load_passkey(authenticator, key)
    tour = Tour(page)
    page.goto(f"{passkey_site.url}/accounts/login/?next=/user/june/")
    button = page.get_by_role("button", name="Sign in with a passkey")
    expect(button).to_be_visible()
    expect(page.get_by_text("needs JavaScript")).to_be_hidden()
    autocomplete = page.get_by_label("Username or email").get_attribute("autocomplete")
    assert "webauthn" not in (autocomplete or ""), (
        "no autofill request without the browser's support"
    )
    tour.check("sign-in page: a passkey")
    button.click()
    expect(page).to_have_url(re.compile(r"/user/june/$"))
    expect(page.locator("#passkey-list")).to_contain_text("Phone")
    tour.assert_clean()


def test_the_username_fields_autofill_signs_in_with_a_passkey(
    new_page, page_log, passkey_site, user_factory
):
    """Conditional mediation: the sign-in page asks in the background; picking
    the passkey in the username field's autofill (the virtual authenticator
    picks at once) signs in, both factors in one."""
    page = new_page(log=page_log)
    authenticator = virtual_authenticator(page)
    kim = user_factory(username="kim")
    key = SoftAuthenticator()
    factor = stored_passkey(kim, key)
    load_passkey(authenticator, key)
    # Signed in as soon as the page has run its script: goto waits for less.
    page.goto(f"{passkey_site.url}/accounts/login/?next=/user/kim/", wait_until="commit")
    expect(page).to_have_url(re.compile(r"/user/kim/$"))
    expect(page.locator("#twofactor-panel")).to_be_visible()
    factor.refresh_from_db()
    assert factor.last_used_at is not None
