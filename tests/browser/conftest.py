"""The browser tier: Playwright for Python driving Debian's Chromium against a live server.

- `browser` (package): one headless Chromium for the whole tier. Skipped with a message
  when /usr/bin/chromium is missing, but a failure when the CI variable is set.
- `page` (per test): a fresh context and page whose console errors, uncaught page
  errors and Content Security Policy violations are recorded; any of them fails the
  test at teardown unless the test declared it with `page_log.allow(...)`.
  A failing test leaves `test-artifacts/screenshots/<test name>.png`.
- `site`: the live server's URL, small helpers to register and sign in, and the
  locmem outboxes (the live server runs in a thread of this process).
"""

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"
# Playwright waits this long for an element or a navigation before failing.
TIMEOUT_MS = 10_000

# Reports each securitypolicyviolation event to Python through an exposed binding,
# so violations on pages that navigate away are not lost.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(JSON.stringify({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
    page: document.location.href,
  }));
});
"""


# How Chromium words a Content Security Policy refusal in the console.
CSP_CONSOLE = re.compile(r"Content Security Policy|Refused to (?:apply|load|execute|connect)")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so a fixture's teardown knows the outcome.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_under_playwright() -> Iterator[None]:
    # Playwright's sync API keeps an asyncio event loop in this thread, and Django then
    # refuses ORM calls from the test (SynchronousOnlyOperation) although they are
    # synchronous. Allowed for this tier only, and unset again when it is done.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def require_chromium(path: Path) -> None:
    """Skip the browser tier locally without Chromium; on CI that is a failure."""
    if not path.exists():
        message = f"no Chromium at {path}: `apt-get install chromium` to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(message)


@pytest.fixture(scope="package")
def browser(_allow_orm_under_playwright):
    require_chromium(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class PageLog:
    """What went wrong in the page: console errors, page errors, CSP violations."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Declare an expected console error (e.g. the 404 of a missing page)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        # A CSP violation the console reports can never be allowed, whatever
        # pattern a test declared: it fails even if no event reached the listener.
        console = [
            f"console error: {text}"
            for text in self.console_errors
            if CSP_CONSOLE.search(text) or not any(p.search(text) for p in self.allowed)
        ]
        return (
            console
            + [f"page error: {text}" for text in self.page_errors]
            + [f"CSP violation: {text}" for text in self.csp_violations]
        )


def _watch(page, log: PageLog) -> None:
    def on_console(message) -> None:
        if message.type == "error":
            location = message.location or {}
            log.console_errors.append(f"{message.text} ({location.get('url', '?')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.expose_function("__reportCspViolation", lambda text: log.csp_violations.append(text))
    page.add_init_script(CSP_LISTENER)


def _screenshot_name(nodeid: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nodeid.split("::", 1)[-1]) + ".png"


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def new_page(browser, live_server, request) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh context (own cookies), watched like `page`.

    Each page opened is checked at teardown; the last one is screenshotted on failure.
    """
    opened: list[tuple[object, object, PageLog]] = []

    def open_page(*, log: PageLog | None = None, **context_options):
        # No CSS transitions (Bootstrap honours reduced motion): axe must not measure the
        # colours of a button halfway through its hover transition.
        context_options.setdefault("reduced_motion", "reduce")
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log = log if log is not None else PageLog()
        _watch(page, log)
        opened.append((context, page, log))
        return page

    yield open_page

    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    try:
        if failed and opened:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOTS / _screenshot_name(request.node.nodeid)
            try:
                opened[-1][1].screenshot(path=str(path), full_page=True)
                print(f"\nscreenshot of the failing page: {path}")
            except Exception as error:  # a crashed page must not hide the real failure
                print(f"\nno screenshot ({error})")
        problems = [p for _, _, log in opened for p in log.unexpected()]
    finally:
        for context, _, _ in opened:
            context.close()
    if problems and failed:
        print("\nthe browser also reported:\n  " + "\n  ".join(problems))
    elif problems:
        pytest.fail("the browser reported problems:\n  " + "\n  ".join(problems))


@pytest.fixture
def page(new_page, page_log):
    """The test's page; JavaScript errors and CSP violations fail the test."""
    return new_page(log=page_log)


# The site


@dataclass
class Site:
    url: str

    @staticmethod
    def sms_outbox() -> list:
        from twofactor.factors.sms.backends import locmem

        return locmem.outbox

    def last_code(self, *, to: str | None = None) -> str:
        messages = [m for m in self.sms_outbox() if to is None or m.to == to]
        assert messages, f"no code was sent (to {to or 'anyone'})"
        return messages[-1].code

    @staticmethod
    def mail_outbox() -> list:
        from django.core import mail

        return mail.outbox


@pytest.fixture
def site(live_server, transactional_db, settings) -> Site:
    # No wait between two sends, so a test can press "Resend" at once.
    settings.TWOFACTOR_RESEND_COOLDOWN = 0
    return Site(url=live_server.url)
