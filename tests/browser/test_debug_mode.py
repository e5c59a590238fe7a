"""`make run` serves with DEBUG on, where django-htmx adds a script that shows
some error responses (400, 403, 404, 500) as whole pages. The in-place steps
must still work there: a wrong code stays in place."""

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
)

pytestmark = pytest.mark.browser


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_wrong_codes_stay_in_place_with_debug_on(page, page_log, site, settings):
    settings.DEBUG = True
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    register(page, "dora")
    sign_in(page, "dora")
    page.goto("/user/dora/")
    # The debug script is on the page: this test runs what `make run` serves.
    assert page.locator("script[src*='django-htmx']").count() == 1
    panel = page.locator("#twofactor-panel")
    set_marker(page)
    panel.get_by_role("link", name="Add a phone").click()
    panel.get_by_label("Phone number").fill(PHONE_NATIONAL)
    panel.get_by_role("button", name="Text me a code").click()
    expect(panel.get_by_label("Code:", exact=True)).to_be_visible()
    panel.get_by_label("Code:", exact=True).fill(_wrong(site.last_code(to=PHONE_E164)))
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_role("alert")).to_contain_text("That code isn't right")
    assert_swapped_in_place(page, "dora", "a wrong enrolment code")

    panel.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_text("On", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "dora")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    set_marker(page)
    page.get_by_label("Code:", exact=True).fill(_wrong(site.last_code(to=PHONE_E164)))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#code-status")).to_contain_text("That code isn't right")
    assert_code_form_in_place(page, "a wrong sign-in code")
