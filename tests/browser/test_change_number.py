"""Changing the number in place: the password is asked, the old number stays
in force until the new one's code comes back, and "Call me instead" calls."""

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

NEW_NATIONAL = "(201) 555-0199"
NEW_E164 = "+12015550199"


def _enrol(page, site) -> None:
    panel = page.locator("#twofactor-panel")
    panel.get_by_role("link", name="Add a phone").click()
    panel.get_by_label("Phone number").fill(PHONE_NATIONAL)
    panel.get_by_role("button", name="Text me a code").click()
    expect(panel.get_by_label("Code:", exact=True)).to_be_visible()
    panel.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_text("On", exact=True)).to_be_visible()


def test_change_number_in_place_then_sign_in_by_call(page, page_log, site):
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    register(page, "erin")
    sign_in(page, "erin")
    page.goto("/user/erin/")
    _enrol(page, site)
    set_marker(page)

    panel = page.locator("#twofactor-panel")
    panel.get_by_role("link", name="Change number").click()
    expect(panel.get_by_label("Your password")).to_be_visible()
    panel.get_by_label("Phone number").fill(NEW_NATIONAL)
    panel.get_by_label("Your password").fill("not my password")
    panel.get_by_role("button", name="Call me instead").click()
    expect(panel).to_contain_text("That password isn't right.")
    expect(panel.get_by_label("Phone number")).to_have_value(NEW_NATIONAL)
    assert not [m for m in site.sms_outbox() if m.to == NEW_E164]
    assert_swapped_in_place(page, "erin", "a wrong password")

    panel.get_by_label("Your password").fill(PASSWORD)
    panel.get_by_role("button", name="Call me instead").click()
    expect(panel.get_by_role("status")).to_contain_text("We're calling +1 ••• ••• 0199")
    assert site.sms_outbox()[-1].channel == "call"
    panel.get_by_label("Code:", exact=True).fill(site.last_code(to=NEW_E164))
    panel.get_by_role("button", name="Confirm").click()
    expect(panel).to_contain_text("Your codes now go to +1 ••• ••• 0199.")
    expect(panel).to_contain_text("(by voice call)")
    assert_swapped_in_place(page, "erin", "confirming the new number")

    sign_out(page)
    sign_in(page, "erin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    expect(page.locator("main")).to_contain_text("+1 ••• ••• 0199")
    assert site.sms_outbox()[-1].to == NEW_E164
    assert site.sms_outbox()[-1].channel == "call"  # the preferred channel now
    set_marker(page)
    page.get_by_role("button", name="Resend code").click()
    expect(page.locator("#code-form")).to_contain_text("We've sent a code to +1 ••• ••• 0199.")
    assert_code_form_in_place(page, "resend by text")
    page.get_by_label("Code:", exact=True).fill(site.last_code(to=NEW_E164))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, erin!")
