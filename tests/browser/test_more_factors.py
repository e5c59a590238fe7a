"""The authenticator app and recovery codes in a real browser, in place with
htmx, axe clean in each new state (light and dark): set up an app by reading
its secret from the page and computing the code here, make recovery codes,
sign in with the app; sign in after "Lost your phone?" with a recovery code."""

import re
import time

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import assert_code_form_in_place, set_marker, sign_in, sign_out
from tests.browser.test_accessibility import Tour
from tests.conftest import PASSWORD
from tests.twofactor.conftest import make_device
from twofactor.factors.recovery import codes
from twofactor.models import Factor, Kind

pytestmark = pytest.mark.browser

CODE_RE = re.compile(r"[2-9a-z]{4}(?:-[2-9a-z]{4}){3}")


@pytest.fixture(params=["light", "dark"])
def page(new_page, page_log, request):
    return new_page(log=page_log, color_scheme=request.param)


def next_step_code(secret: str) -> str:
    """The code of the step after this one: within the one-step drift the site
    allows, and after the step the setup used (no step works twice)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_set_up_an_app_make_recovery_codes_and_sign_in_with_the_app(
    page, page_log, site, user_factory
):
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    user_factory(username="gina")
    sign_in(page, "gina")
    page.goto("/user/gina/")
    page.wait_for_load_state("load")
    tour = Tour(page)
    panel = page.locator("#twofactor-panel")
    expect(panel).to_contain_text("Safer than text messages")
    set_marker(page)

    panel.get_by_role("link", name="Set up an authenticator app").click()
    expect(panel.locator("svg")).to_be_visible()
    secret = panel.locator("#totp-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    tour.check("panel: app setup (QR code)")

    panel.get_by_label("Code:", exact=True).fill("000000")
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_role("alert")).to_contain_text("That code isn't right")
    tour.check("panel: app setup with a wrong code")

    panel.get_by_label("Code:", exact=True).fill(pyotp.TOTP(secret).now())
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_role("status").first).to_contain_text("Two-factor authentication is on")
    expect(panel.get_by_text("On", exact=True)).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "the panel reloaded the page"
    tour.check("panel: on with an app")

    panel.get_by_role("link", name="Make recovery codes").click()
    panel.get_by_label("Your password").fill(PASSWORD)
    tour.check("panel: recovery codes, the password first")
    panel.get_by_role("button", name="Show my recovery codes").click()
    expect(panel.locator("#recovery-codes li")).to_have_count(10)
    shown = panel.locator("#recovery-codes").inner_text()
    assert len(CODE_RE.findall(shown)) == 10
    expect(panel.get_by_role("button", name="Download as text")).to_be_visible()
    tour.check("panel: recovery codes shown once")
    with page.expect_download() as download:
        panel.get_by_role("button", name="Download as text").click()
    saved = download.value.path().read_text()
    assert CODE_RE.findall(saved) == CODE_RE.findall(shown)
    panel.get_by_role("link", name="I've saved them").click()
    expect(panel).to_contain_text("10 codes left.")
    expect(panel.locator("#recovery-codes")).to_have_count(0)

    sign_out(page)
    sign_in(page, "gina", next_url="/user/gina/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    expect(page.locator("#code-form")).to_contain_text("from your authenticator app")
    assert site.sms_outbox() == [], "an app user got a text"
    tour.check("code page: the app")
    page.get_by_label("Code:", exact=True).fill(next_step_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/user/gina/$"))
    tour.assert_clean()


def test_lost_your_phone_then_a_recovery_code(page, page_log, site, user_factory):
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    hank = user_factory(username="hank")
    make_device(hank)
    saved = codes.generate()
    Factor.objects.create(
        user=hank,
        kind=Kind.RECOVERY,
        confirmed_at=timezone.now(),
        data={"codes": [{"hash": codes.digest(c), "used_at": None} for c in saved]},
    )
    sign_in(page, "hank")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    # htmx takes over the links once the page has loaded (before, they'd navigate).
    page.wait_for_load_state("load")
    set_marker(page)
    tour = Tour(page)
    page.get_by_role("link", name="Lost your phone?").click()
    expect(page.locator("#code-form")).to_contain_text("Enter one of your recovery codes.")
    assert_code_form_in_place(page, "Lost your phone?")
    tour.check("code page: a recovery code")

    page.get_by_label("Recovery code").fill("not a code")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#code-form")).to_contain_text("Enter a recovery code")
    tour.check("code page: a malformed recovery code")

    page.get_by_label("Recovery code").fill(saved[4].upper())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.locator("#messages")).to_contain_text("9 recovery codes are left")
    tour.check("signed in with a recovery code")
    tour.assert_clean()
