"""Two-factor authentication in a real browser: enrolment in place, sign-in with a
code (a wrong one, a resend, the right one), disabling; and the same enrolment
without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    PHONE_E164,
    PHONE_NATIONAL,
    assert_code_form_in_place,
    assert_swapped_in_place,
    register,
    set_marker,
    sign_in,
    sign_out,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_enable_sign_in_with_code_and_disable_in_place(page, page_log, site):
    # The wrong code's fragment comes back with 422 (it is swapped in by the htmx config).
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    register(page, "carol")
    sign_in(page, "carol")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, carol!")

    page.goto("/user/carol/")
    panel = page.locator("#twofactor-panel")
    expect(panel.get_by_text("Off", exact=True)).to_be_visible()
    set_marker(page)

    panel.get_by_role("link", name="Add a phone").click()
    expect(panel.get_by_label("Phone number")).to_be_visible()
    assert_swapped_in_place(page, "carol", "Add a phone")

    panel.get_by_label("Phone number").fill(PHONE_NATIONAL)
    panel.get_by_role("button", name="Text me a code").click()
    expect(panel.get_by_label("Code:", exact=True)).to_be_visible()
    expect(panel.get_by_role("status")).to_contain_text("We've sent a code to")
    assert_swapped_in_place(page, "carol", "Text me a code")

    panel.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_text("On", exact=True)).to_be_visible()
    expect(panel).to_contain_text("Codes go to")
    assert_swapped_in_place(page, "carol", "Confirm")

    sign_out(page)
    sent_before = len(site.sms_outbox())
    sign_in(page, "carol", next_url="/user/carol/")
    expect(page).to_have_url(re.compile(r"/2fa/verify/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert len(site.sms_outbox()) == sent_before + 1, "no code was sent at sign-in"
    set_marker(page)

    right = site.last_code(to=PHONE_E164)
    wrong = "000000" if right != "000000" else "111111"
    page.get_by_label("Code:", exact=True).fill(wrong)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code isn't right")
    expect(page.get_by_role("alert")).to_contain_text("tries left")
    expect(page.get_by_label("Code:", exact=True)).to_have_value("")
    assert_code_form_in_place(page, "a wrong code")

    page.get_by_role("button", name="Resend code").click()
    expect(page.get_by_role("status")).to_contain_text("We've sent a code to")
    assert len(site.sms_outbox()) == sent_before + 2, "Resend code sent nothing"
    assert_code_form_in_place(page, "Resend code")

    page.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/user/carol/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("carol")

    panel = page.locator("#twofactor-panel")
    set_marker(page)
    panel.get_by_role("link", name="Turn off").click()
    expect(panel.get_by_label("Password")).to_be_visible()
    assert_swapped_in_place(page, "carol", "Turn off")
    panel.get_by_label("Password").fill(PASSWORD)
    panel.get_by_role("button", name="Turn off").click()
    expect(panel.get_by_text("Off", exact=True)).to_be_visible()
    expect(panel.get_by_role("status")).to_contain_text("Two-factor authentication is off.")
    assert_swapped_in_place(page, "carol", "Turn off")
