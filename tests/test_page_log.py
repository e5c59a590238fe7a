"""The browser tier's page log: a CSP violation in the console always fails a
test, even one that allowed some console errors (tests/browser/conftest.py)."""

from tests.browser.conftest import PageLog

REFUSED_STYLE = (
    "Applying inline style violates the following Content Security Policy directive "
    "'style-src 'self''. The action has been blocked."
)


def test_a_csp_message_in_the_console_cannot_be_allowed():
    log = PageLog(console_errors=[REFUSED_STYLE])
    log.allow(r".*")
    assert log.unexpected() == [f"console error: {REFUSED_STYLE}"]


def test_other_allowed_console_errors_stay_allowed():
    log = PageLog(
        console_errors=["Failed to load resource: the server responded with a status of 422"]
    )
    log.allow(r"status of 422")
    assert log.unexpected() == []


def test_violation_events_always_count():
    log = PageLog(csp_violations=['{"directive": "style-src-attr"}'])
    log.allow(r".*")
    assert log.unexpected() == ['CSP violation: {"directive": "style-src-attr"}']
