"""Re-authentication in a real browser: a sensitive change made after the
window (here a few seconds) sends the user from the htmx panel to "Confirm it's
you" as a whole page, then the code page, then back to the profile, where the
change goes ahead without the password a second time; axe clean on each page."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.browser.test_accessibility import Tour
from tests.conftest import PASSWORD
from tests.twofactor.conftest import make_device

pytestmark = pytest.mark.browser

WINDOW = 6  # seconds: long enough to act after confirming, short enough to wait out


def test_turning_two_factor_off_late_asks_for_the_password_and_a_code(
    page, site, settings, user_factory
):
    settings.ACCOUNTS_REAUTH_WINDOW = WINDOW
    lena = user_factory(username="lena")
    make_device(lena)
    sign_in(page, "lena", next_url="/user/lena/")
    page.get_by_label("Code:", exact=True).fill(site.last_code())
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/user/lena/$"))
    tour = Tour(page)

    time.sleep(WINDOW + 1)  # the sign-in's code no longer counts for a change
    page.locator("#twofactor-panel").get_by_role("link", name="Turn off").click()
    expect(page).to_have_url(re.compile(r"/2fa/confirm/\?next=%2Fuser%2Flena%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    tour.check("confirm it's you: the password")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/2fa/verify/"))
    expect(page.get_by_text("To make this change, confirm it's you")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel", exact=True)).to_be_visible()
    expect(page.get_by_label(re.compile("Trust this browser"))).to_have_count(0)
    tour.check("confirm it's you: the code")
    page.get_by_label("Code:", exact=True).fill(site.last_code())
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(re.compile(r"/user/lena/$"))
    panel = page.locator("#twofactor-panel")
    panel.get_by_role("link", name="Turn off").click()
    expect(panel).to_contain_text("Turn two-factor authentication off?")
    expect(panel.get_by_label("Your password")).to_have_count(0)
    panel.get_by_role("button", name="Turn off").click()
    expect(panel.get_by_role("status")).to_contain_text("Two-factor authentication is off.")
    tour.assert_clean()
