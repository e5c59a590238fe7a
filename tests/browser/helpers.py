"""Steps the browser tests share: register, sign in, the marker on `window`."""

import re

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

PHONE_NATIONAL = "(201) 555-0123"
PHONE_E164 = "+12015550123"


def register(page: Page, username: str, *, password: str = PASSWORD) -> None:
    page.goto("/accounts/register/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email address").fill(f"{username}@example.com")
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_label("Password confirmation").fill(password)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("you are now registered")


def sign_in(page: Page, username: str, *, password: str = PASSWORD, next_url: str = "") -> None:
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def set_marker(page: Page) -> None:
    """A value on `window` that only survives as long as the document does."""
    page.evaluate("window.__marker = 1")


def assert_no_reload(page: Page, step: str) -> None:
    marker = page.evaluate("window.__marker")
    assert marker == 1, f"the page was reloaded by: {step}"
