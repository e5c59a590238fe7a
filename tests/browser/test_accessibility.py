"""axe-core on every page, signed out and signed in, the two-factor panel in each state
and the code page; no serious or critical violation anywhere, in the light and the
dark colour scheme (the page follows the system's, static/js/theme.js). Console
errors, page errors and CSP violations on each page fail the test too (the `page`
fixture)."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import PHONE_E164, PHONE_NATIONAL, axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.twofactor.conftest import make_device

pytestmark = pytest.mark.browser


@pytest.fixture(params=["light", "dark"])
def page(new_page, page_log, request):
    """The tour's page, once with the system set to light and once to dark."""
    return new_page(log=page_log, color_scheme=request.param)


class Tour:
    """Collects axe's findings page by page, so one run reports every bad page."""

    def __init__(self, page: Page):
        self.page = page
        self.findings: list[str] = []
        self.seen: list[str] = []

    def check(self, name: str) -> None:
        self.seen.append(name)
        scheme = self.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        theme = self.page.evaluate("document.documentElement.dataset.bsTheme")
        assert theme == ("dark" if scheme else "light"), (name, theme)
        lines = axe_violations(self.page)
        if lines:
            self.findings.append(f"{name} ({self.page.url}):\n  " + "\n  ".join(lines))

    def visit(self, name: str, path: str) -> None:
        self.page.goto(path)
        self.check(name)

    def assert_clean(self) -> None:
        assert not self.findings, "axe found serious/critical violations:\n" + "\n".join(
            self.findings
        )


def test_axe_helper_sees_a_violation(page, site):
    # The helper must really run axe under the site's CSP: an <img> without alt is
    # a critical violation (image-alt) it has to report.
    page.goto("/")
    assert axe_violations(page) == []
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/favicon.svg";
            document.querySelector("main").append(img);
        }"""
    )
    assert any(line.startswith("image-alt (critical)") for line in axe_violations(page))


def test_signed_out_pages(page, page_log, site, user_factory):
    page_log.allow(r"status of 404 \(Not Found\)")
    user_factory(username="dave")
    tour = Tour(page)
    tour.visit("index", "/")
    tour.visit("login", "/accounts/login/")
    tour.visit("register", "/accounts/register/")
    tour.visit("password reset", "/accounts/password_reset/")
    tour.visit("registered: check your email", "/accounts/register/done/")
    tour.visit("reset link that doesn't work", "/accounts/reset/MQ/not-a-token/")
    tour.visit("404", "/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")

    # Forms with their errors.
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("dave")
    page.get_by_label("Password").fill("not the password")
    page.locator("main").get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("main").get_by_role("alert")).to_be_visible()
    tour.check("login with an error")

    page.goto("/accounts/register/")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".invalid-feedback, .errorlist").first).to_be_visible()
    tour.check("register with errors")
    tour.assert_clean()


def test_signed_in_pages_and_each_state_of_the_panel(page, page_log, site, user_factory):
    # Fragments that carry a message to show come back with 422 (swapped in by htmx).
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    user_factory(username="erin")
    sign_in(page, "erin")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    tour = Tour(page)
    tour.check("index, signed in")
    tour.visit("edit profile", "/accounts/profile/edit/")
    tour.visit("password change", "/accounts/password_change/")
    tour.visit("email change", "/accounts/email/")
    tour.visit("two-factor settings page", "/2fa/")

    tour.visit("profile, two-factor off", "/user/erin/")
    panel = page.locator("#twofactor-panel")
    panel.get_by_role("link", name="Add a phone").click()
    expect(panel.get_by_label("Phone number")).to_be_visible()
    tour.check("panel: phone form")

    panel.get_by_label("Phone number").fill("12")
    panel.get_by_role("button", name="Text me a code").click()
    expect(panel.get_by_text("isn't a valid phone number")).to_be_visible()
    tour.check("panel: phone form with an error")

    panel.get_by_label("Phone number").fill(PHONE_NATIONAL)
    panel.get_by_role("button", name="Text me a code").click()
    expect(panel.get_by_label("Code:", exact=True)).to_be_visible()
    tour.check("panel: code form")

    panel.get_by_label("Code:", exact=True).fill("12")
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_text("Enter the 6-digit code.")).to_be_visible()
    tour.check("panel: code form with an error")

    panel.get_by_label("Code:", exact=True).fill(site.last_code(to=PHONE_E164))
    panel.get_by_role("button", name="Confirm").click()
    expect(panel.get_by_text("On", exact=True)).to_be_visible()
    tour.check("panel: on")

    panel.get_by_role("link", name="Turn off").click()
    expect(panel.get_by_label("Password")).to_be_visible()
    tour.check("panel: disable form")

    panel.get_by_label("Password").fill("not the password")
    panel.get_by_role("button", name="Turn off").click()
    expect(panel.locator(".invalid-feedback, .errorlist").first).to_be_visible()
    tour.check("panel: disable form with an error")
    tour.assert_clean()


def test_code_page(page, page_log, site, user_factory, settings):
    page_log.allow(r"status of 422 \(Unprocessable (Content|Entity)\)")
    settings.TWOFACTOR_RESEND_COOLDOWN = 30
    make_device(user_factory(username="frank"), number=PHONE_E164)
    sign_in(page, "frank", password=PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    # twofactor.js holds the resend buttons back while the server's cooldown runs.
    expect(page.get_by_role("button", name="Resend code")).to_be_disabled()
    expect(page.get_by_role("button", name="Call me instead")).to_be_disabled()
    expect(page.locator("#resend-hint")).to_contain_text("You can ask for a new code in")
    tour = Tour(page)
    tour.check("code page")

    wrong = "000000" if site.last_code() != "000000" else "111111"
    page.get_by_label("Code:", exact=True).fill(wrong)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code isn't right")
    tour.check("code page with a wrong code")

    page.get_by_label("Code:", exact=True).fill("12")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Enter the 6-digit code.")).to_be_visible()
    tour.check("code page with an invalid code")
    tour.assert_clean()
