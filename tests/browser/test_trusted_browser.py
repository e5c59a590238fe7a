"""Trust this browser, in a real browser: tick the box on the code page, sign out,
sign in again with the password alone; the panel counts it and "Forget all
trusted browsers" (in place) brings the code back. axe on the code page with the
box and on the panel with a trusted browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    PHONE_E164,
    assert_swapped_in_place,
    axe_violations,
    set_marker,
    sign_in,
    sign_out,
)
from tests.twofactor.conftest import make_device

pytestmark = pytest.mark.browser


def test_trust_a_browser_then_sign_in_without_a_code_then_forget_it(page, site, user_factory):
    make_device(user_factory(username="kim"), number=PHONE_E164)

    sign_in(page, "kim", next_url="/user/kim/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    box = page.get_by_label("Trust this browser for 30 days")
    expect(box).not_to_be_checked()
    assert axe_violations(page) == [], "the code page with the trust box"
    box.check()
    page.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/user/kim/$"))
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["twofactor_trust"]["httpOnly"] is True
    assert cookies["twofactor_trust"]["sameSite"] == "Lax"
    # No script can read it.
    assert "twofactor_trust" not in page.evaluate("document.cookie")

    sign_out(page)
    sent = len(site.sms_outbox())
    sign_in(page, "kim", next_url="/user/kim/")
    expect(page).to_have_url(re.compile(r"/user/kim/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("kim")
    assert len(site.sms_outbox()) == sent, "a code was sent to a trusted browser"

    panel = page.locator("#twofactor-panel")
    expect(panel).to_contain_text("Trusted browsers: 1")
    assert axe_violations(page) == [], "the panel with a trusted browser"
    set_marker(page)
    panel.get_by_role("button", name="Forget all trusted browsers").click()
    expect(panel.get_by_role("status")).to_contain_text("We forgot 1 trusted browser")
    expect(panel).to_contain_text("Trusted browsers: 0")
    assert_swapped_in_place(page, "kim", "Forget all trusted browsers")
    assert axe_violations(page) == [], "the panel after forgetting"

    sign_out(page)
    sign_in(page, "kim")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert len(site.sms_outbox()) == sent + 1


def test_forget_all_without_javascript(new_page, site, user_factory):
    make_device(user_factory(username="lou"), number=PHONE_E164)
    page = new_page(java_script_enabled=False)
    sign_in(page, "lou", next_url="/user/lou/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Trust this browser for 30 days").check()
    page.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/user/lou/$"))
    page.get_by_role("button", name="Forget all trusted browsers").click()
    expect(page).to_have_url(re.compile(r"/user/lou/$"))
    expect(page.locator("#messages")).to_contain_text("We forgot 1 trusted browser")
    expect(page.locator("#twofactor-panel")).to_contain_text("Trusted browsers: 0")
