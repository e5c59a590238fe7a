"""After each in-place update, focus lands on what changed (never on <body>), at a
desktop (1280×800) and a phone (390×844) width; the resend hint counts down; a
cooldown is a warning announced as status, not a red error; a masked number
stays on one line."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE_E164, PHONE_NATIONAL, sign_in
from tests.conftest import PASSWORD
from tests.twofactor.conftest import make_device

pytestmark = pytest.mark.browser

VIEWPORTS = [
    pytest.param({"width": 1280, "height": 800}, id="desktop"),
    pytest.param({"width": 390, "height": 844}, id="phone"),
]
FOCUSED = """() => {
    const e = document.activeElement;
    return {tag: e.tagName, id: e.id, name: e.getAttribute("name"), text: e.textContent.trim(),
            inPanel: !!e.closest("#twofactor-panel, #code-form, main")};
}"""


def focused(page) -> dict:
    # Polled from here: wait_for_function would evaluate a string, which the CSP refuses.
    for _ in range(40):
        state = page.evaluate(FOCUSED)
        if state["tag"] != "BODY":
            return state
        page.wait_for_timeout(50)
    return state


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_focus_after_each_step_of_the_panel(new_page, page_log, site, user_factory, viewport):
    page = new_page(log=page_log, viewport=viewport)
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    user_factory(username="pat")
    sign_in(page, "pat")
    page.goto("/user/pat/")
    panel = page.locator("#twofactor-panel")

    panel.get_by_role("link", name="Add a phone").click()
    expect(panel.get_by_label("Phone number")).to_be_visible()
    assert focused(page)["inPanel"], "focus after opening the phone form"

    panel.get_by_label("Phone number").fill("12")
    panel.get_by_role("button", name="Text me a code").click()
    expect(panel.get_by_text("isn't a valid phone number")).to_be_visible()
    assert focused(page)["name"] == "number", "focus after a refused number"

    panel.get_by_label("Phone number").fill(PHONE_NATIONAL)
    panel.get_by_role("button", name="Text me a code").click()
    expect(panel.get_by_label("Code:", exact=True)).to_be_visible()
    assert focused(page)["name"] == "code", "focus on the code field"

    panel.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_text("On", exact=True)).to_be_visible()
    after_on = focused(page)
    assert after_on["inPanel"] and after_on["tag"] != "BODY", after_on
    assert after_on["id"] in {"panel-status", "panel-notice", "twofactor-heading"}, after_on

    panel.get_by_role("link", name="Turn off").click()
    expect(panel.get_by_label("Your password")).to_be_visible()
    panel.get_by_label("Your password").fill(PASSWORD)
    panel.get_by_role("button", name="Turn off").click()
    expect(panel.get_by_text("Off", exact=True)).to_be_visible()
    after_off = focused(page)
    assert after_off["id"] in {"panel-status", "panel-notice", "twofactor-heading"}, after_off
    # One word for one action: no "Disable" anywhere in the panel.
    assert "Disable" not in panel.inner_text()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_resend_hint_counts_down_and_a_cooldown_is_a_warning(
    new_page, page_log, site, user_factory, settings, viewport
):
    page = new_page(log=page_log, viewport=viewport)
    page_log.allow(r"status of 429 \(Too Many Requests\)")
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    # Long enough that the press below always lands inside it, even on a slow
    # machine (6 s once let the cooldown end before the request arrived).
    settings.TWOFACTOR_RESEND_COOLDOWN = 12
    make_device(user_factory(username="frank"), number=PHONE_E164)
    sign_in(page, "frank")
    hint = page.locator("#resend-hint")
    expect(hint).to_have_text(re.compile(r"You can ask for a new code in ([6-9]|1[0-2]) seconds\."))
    # A press during the cooldown (the button held back by the script, pressed
    # anyway). Wait until the script has held it back, then enable and press it in
    # one task: enabling it before DOMContentLoaded let the script disable it again.
    expect(page.get_by_role("button", name="Resend code")).to_be_disabled()
    page.evaluate(
        """() => {
            const button = document.querySelector('[data-resend-wait][value="sms"]');
            button.disabled = false;
            button.click();
        }"""
    )
    status = page.locator("#code-status")
    expect(status).to_contain_text("You can ask for another one in")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_class(re.compile(r"\balert-warning\b"))
    expect(page.locator("#resend-hint")).to_have_text(
        "You can ask for a new code in 1 second.", timeout=15000
    )
    expect(page.locator("#resend-hint")).to_have_text(
        "Didn't get it? You can ask for a new code or a call.", timeout=4000
    )
    expect(page.get_by_role("button", name="Resend code")).to_be_enabled()
    # The masked number stays on one line.
    number = page.locator("#code-form strong")
    assert number.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    assert number.evaluate("e => e.getClientRects().length") == 1

    page.get_by_label("Code:", exact=True).fill(_wrong(site.last_code()))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#code-status")).to_contain_text("That code isn't right")
    assert focused(page)["name"] == "code", "focus after a wrong code"
