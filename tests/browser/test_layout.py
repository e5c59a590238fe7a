"""Layout at a desktop (1280×800) and a phone (390×844) width: long text wraps
inside its column, and the admin's user list shows the two-factor column without
scrolling sideways at 1280 px."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.conftest import PASSWORD
from tests.twofactor.conftest import make_device

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def box(locator) -> dict:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }"
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_long_about_me_wraps_inside_its_column(new_page, site, user_factory, viewport):
    long_word = "x" * 140
    user_factory(username="ivan", about_me=long_word, first_name="y" * 150)
    page = new_page(viewport=viewport)
    sign_in(page, "ivan")
    page.goto("/user/ivan/")
    about = page.locator("dd", has_text=long_word)
    expect(about).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the profile scrolls sideways"
    column = box(page.locator(".col-md-7"))
    for element in (about, page.get_by_role("heading", level=1)):
        inside = box(element)
        assert inside["right"] <= column["right"] + 0.5, (inside, column)
    panel = box(page.locator("#twofactor-panel"))
    text = box(about)
    if viewport is DESKTOP:  # side by side: the text stops before the panel
        assert text["right"] <= panel["left"], (text, panel)
    else:  # stacked: the panel comes after the profile
        assert panel["top"] >= text["bottom"], (text, panel)


def test_the_admin_user_list_shows_two_factor_without_scrolling(
    new_page, site, user_factory, settings
):
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = False  # judy is staff without a factor
    user_factory(username="judy", is_staff=True, is_superuser=True)
    for n in range(3):
        someone = user_factory(
            username=f"someone-with-a-long-name-{n}",
            email=f"someone.with.a.rather.long.address.{n}@example.com",
            first_name="Maximiliane",
            last_name="Oberhuber-Wettstein",
        )
        if n == 0:
            make_device(someone)
    page = new_page(viewport=DESKTOP)
    page.goto("/admin/login/?next=/admin/accounts/user/")
    page.get_by_label("Username").fill("judy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    header = page.locator("th.column-two_factor")
    expect(header).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the user list scrolls sideways"
    results = page.locator("#changelist .results")
    scrolls = results.evaluate("e => e.scrollWidth > e.clientWidth")
    assert not scrolls, "the user list's table scrolls sideways inside its box"
    assert box(header)["right"] <= DESKTOP["width"], box(header)
    expect(page.locator("td.field-two_factor").first).to_be_visible()
