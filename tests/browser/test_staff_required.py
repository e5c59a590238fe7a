"""TWOFACTOR_REQUIRED_FOR_STAFF in a real browser: a staff user without a second
factor who opens the admin lands on the two-factor panel with the reason, adds a
phone there, and the admin then opens."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE_E164, PHONE_NATIONAL, axe_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_staff_set_up_a_factor_before_the_admin_opens(page, site, user_factory, settings):
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = True
    user_factory(username="ivan", is_staff=True, is_superuser=True)

    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("ivan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/2fa/$"))
    expect(page.locator("#messages")).to_contain_text(
        "Staff accounts need two-factor authentication before the admin opens."
    )
    expect(page.get_by_text("Site administration")).to_have_count(0)
    assert axe_violations(page) == [], "the panel with the staff message"

    panel = page.locator("#twofactor-panel")
    panel.get_by_role("link", name="Add a phone").click()
    panel.get_by_label("Phone number").fill(PHONE_NATIONAL)
    panel.get_by_role("button", name="Text me a code").click()
    expect(panel.get_by_label("Code:", exact=True)).to_be_visible()
    panel.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_text("On", exact=True)).to_be_visible()

    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
