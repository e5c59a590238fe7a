"""Steps the browser tests share: register, sign in, the marker on `window`, axe-core."""

import re
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

PHONE_NATIONAL = "(201) 555-0123"
PHONE_E164 = "+12015550123"


def register(page: Page, username: str, *, password: str = PASSWORD) -> None:
    page.goto("/accounts/register/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email address").fill(f"{username}@example.com")
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_label("Password confirmation").fill(password)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    # The address is confirmed by the emailed link before the first sign-in.
    from django.core import mail

    [link] = re.findall(r"https?://\S+/accounts/confirm/\S+/", mail.outbox[-1].body)
    page.goto(link)
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed")


def sign_in(page: Page, username: str, *, password: str = PASSWORD, next_url: str = "") -> None:
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def set_marker(page: Page) -> None:
    """A value on `window` that only survives as long as the document does."""
    page.evaluate("window.__marker = 1")


def assert_no_reload(page: Page, step: str) -> None:
    marker = page.evaluate("window.__marker")
    assert marker == 1, f"the page was reloaded by: {step}"


def assert_swapped_in_place(page: Page, heading: str, step: str) -> None:
    """The panel was swapped without a reload, and nothing else on the page went with it."""
    assert_no_reload(page, step)
    expect(page.locator("#twofactor-panel"), f"one panel after: {step}").to_have_count(1)
    title = page.get_by_role("heading", level=1)
    expect(title, f"the page heading after: {step}").to_have_text(heading)
    expect(page.get_by_role("navigation"), f"the navigation after: {step}").to_be_visible()
    profile = page.get_by_role("link", name="Edit profile")
    expect(profile, f"the rest of the profile after: {step}").to_be_visible()


def assert_code_form_in_place(page: Page, step: str) -> None:
    """The code form was swapped without a reload; the page around it is still there."""
    assert_no_reload(page, step)
    expect(page.locator("#code-form"), f"one code form after: {step}").to_have_count(1)
    title = page.get_by_role("heading", level=1)
    expect(title, f"the page heading after: {step}").to_have_text("Enter your code")
    cancel = page.get_by_role("button", name="Cancel and sign out")
    expect(cancel, f"the rest of the code page after: {step}").to_be_visible()


# axe-core


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the current page, one line each.

    `page.add_script_tag(path=...)` inlines the file into a <script> element, which the
    site's CSP (script-src 'self' 'nonce-…') refuses, and the refusal is itself a CSP
    violation. Evaluating the file through the DevTools protocol is not subject to the
    page's CSP and adds no element to the page.
    """
    page.mouse.move(0, 0)  # judge the page at rest, not a button under the pointer
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }"""
    )
    lines = []
    for v in results:
        if v["impact"] in ("serious", "critical"):
            lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"][:5])
    return lines


@cache
def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `npm ci`")
    return AXE_JS.read_text(encoding="utf-8")
