"""Accounts in a real browser: password reset with the emailed link, and the admin's
own sign-in page asking for the code of a staff user with two-factor on."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE_E164, sign_in
from tests.conftest import PASSWORD
from tests.twofactor.conftest import make_device

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new passphrase 42"


def test_password_reset_with_the_emailed_link(page, site, user_factory):
    user_factory(username="grace", email="grace@example.com")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    assert len(site.mail_outbox()) == 1, "no reset email was sent"
    email = site.mail_outbox()[0]
    assert email.to == ["grace@example.com"]
    links = re.findall(r"https?://\S+/accounts/reset/\S+/\S+/", email.body)
    assert links, f"no reset link in the email:\n{email.body}"
    assert links[0].startswith(site.url), f"the link leaves the site: {links[0]}"

    page.goto(links[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been set")

    sign_in(page, "grace", password=PASSWORD)
    expect(page.locator("main").get_by_role("alert")).to_be_visible()  # the old one is gone
    sign_in(page, "grace", password=NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, grace!")

    # The link works once.
    page.goto(links[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("This link doesn't work any more")


def test_admin_sign_in_asks_for_the_code_first(page, site, user_factory):
    staff = user_factory(username="heidi", is_staff=True, is_superuser=True)
    make_device(staff, number=PHONE_E164)

    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("heidi")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/2fa/verify/\?next=%2Fadmin%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    expect(page.get_by_text("Site administration")).to_have_count(0)
    # Straight to the admin index: still the code page.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/2fa/verify/"))
    expect(page.get_by_text("Site administration")).to_have_count(0)

    page.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
