"""Dark mode follows the system's setting, from the first paint and when it changes
while the page is open, with no inline code (the `page` fixture fails on any CSP
violation). axe runs in both schemes in test_accessibility.py."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BACKGROUND = "getComputedStyle(document.body).backgroundColor"
VIEWPORTS = [
    pytest.param({"width": 1280, "height": 800}, id="desktop"),
    pytest.param({"width": 390, "height": 844}, id="phone"),
]


def luminance(rgb: str) -> float:
    red, green, blue = (int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_site_is_dark_when_the_system_is(new_page, site, viewport):
    page = new_page(color_scheme="dark", viewport=viewport)
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    assert luminance(page.evaluate(BACKGROUND)) < 0.2
    field = page.get_by_label("Username or email")
    assert luminance(field.evaluate("e => getComputedStyle(e).backgroundColor")) < 0.3


def test_the_site_is_light_when_the_system_is(new_page, site):
    page = new_page(color_scheme="light")
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    assert luminance(page.evaluate(BACKGROUND)) > 0.9


def test_the_page_follows_a_change_of_the_system_setting(new_page, site):
    page = new_page(color_scheme="light")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.emulate_media(color_scheme="light")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")


def test_the_mode_is_set_before_the_page_is_drawn(new_page, site):
    # The script runs in <head>, before <body> exists: the first paint is dark already.
    page = new_page(color_scheme="dark")
    page.add_init_script(
        """new MutationObserver((records, observer) => {
            if (document.body) {
                window.__themeAtBody = document.documentElement.dataset.bsTheme;
                observer.disconnect();
            }
        }).observe(document, {childList: true, subtree: true});"""
    )
    page.goto("/")
    assert page.evaluate("window.__themeAtBody") == "dark"
