"""Fixtures for the Verify backends, the stateful fake and Prism (a pytest plugin).

- `_reset_local_verify` (autouse): locmem outbox, switches and local verifications
  cleared around every test.
- `fake_verify_server` (session): the stateful fake on a free loopback port.
- `fake_verify`: the fake reset, settings aimed at it through the Twilio backend
  (TWILIO_TIMEOUT=1), yields a `FakeVerifyControl` (`.messages()`, `.last_code(to=)`,
  `.block(to=, code=)`, `.landline(to=)`, `.advance(seconds=)`, `.fault(mode=, ...)`).
- `prism` (session): Prism serving Twilio's OpenAPI file; skipped if missing (failed on CI).
- `prism_verify`: settings aimed at Prism; fails the test if Prism saw an invalid request.
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from twofactor.factors.sms.testing.fake_verify import FakeVerifyControl, FakeVerifyServer, free_port

TWILIO_BACKEND = "twofactor.factors.sms.backends.twilio.TwilioVerifyBackend"
TEST_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_SERVICE_SID = "VA" + "fedcba9876543210" * 2
TEST_AUTH_TOKEN = "test-auth-token-not-a-secret"
FAKE_TIMEOUT = 1.0
PRISM_START_TIMEOUT = 60.0


# Twilio's OpenAPI description of Verify v2, vendored with its licence and origin
# (tests/contract/twilio/README.md), so the contract tier runs on any clone.
OPENAPI_DIR = Path(__file__).resolve().parent / "contract" / "twilio"


def openapi_path() -> Path:
    return OPENAPI_DIR / "twilio_verify_v2.json"


def aim_twilio_backend(settings, *, url: str, timeout: float) -> None:
    settings.TWOFACTOR_VERIFY_BACKEND = TWILIO_BACKEND
    settings.TWILIO_VERIFY_API_URL = url
    settings.TWILIO_ACCOUNT_SID = TEST_ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = TEST_AUTH_TOKEN
    settings.TWILIO_VERIFY_SERVICE_SID = TEST_SERVICE_SID
    settings.TWILIO_TIMEOUT = timeout


@pytest.fixture(autouse=True)
def _reset_local_verify() -> Iterator[None]:
    from twofactor.factors.sms.backends import locmem

    locmem.reset()
    yield
    locmem.reset()


# The stateful fake.


@pytest.fixture(scope="session")
def fake_verify_server() -> Iterator[FakeVerifyServer]:
    server = FakeVerifyServer(host="127.0.0.1", port=0).start_in_thread()
    yield server
    server.stop()


@pytest.fixture
def fake_verify(fake_verify_server: FakeVerifyServer, settings) -> Iterator[FakeVerifyControl]:
    control = FakeVerifyControl(url=fake_verify_server.url)
    control.reset()
    aim_twilio_backend(settings, url=fake_verify_server.url, timeout=FAKE_TIMEOUT)
    yield control
    control.reset()  # also releases a request still hanging


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on: 'connection refused'."""
    return f"http://127.0.0.1:{free_port()}"


# Prism: Twilio's own API description as a validating mock.

# Lines Prism writes when a request breaks the API description (it then answers 422),
# or lacks the credentials the description requires (401).
VIOLATION_MARKERS = (
    "did not pass the validation rules",
    "[VALIDATOR] ✖",
    "Request terminated with error",
    "UNPROCESSABLE_ENTITY",
    "Responding with the requested status code 422",
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def prism_violations(log: str) -> list[str]:
    """The lines of a Prism log that report a request it rejected."""
    lines = (_ANSI.sub("", line).strip() for line in log.splitlines())
    return [line for line in lines if any(marker in line for marker in VIOLATION_MARKERS)]


@dataclass
class PrismServer:
    url: str
    log_path: Path
    process: subprocess.Popen

    def sync(self, *, timeout: float = 10.0) -> int:
        """The log's size once every earlier request is fully logged.

        Prism writes a rejected request's last line *after* answering it, so it could
        land in the next test's part of the log. A valid marker request, logged in
        order after those lines, is the barrier.
        """
        import requests

        marker = "VA" + secrets.token_hex(16)
        requests.get(
            f"{self.url}/v2/Services/{marker}",
            auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
            timeout=timeout,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log_path.read_bytes()
            at = log.rfind(marker.encode())
            done = log.find(b'Responding with "200"', at) if at >= 0 else -1
            if done >= 0:
                end = log.find(b"\n", done)
                return len(log) if end < 0 else end + 1
            time.sleep(0.02)
        raise TimeoutError("Prism did not log the marker request")

    def log_since(self, offset: int, until: int | None = None) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            data = log.read() if until is None else log.read(until - offset)
        return data.decode("utf-8", errors="replace")


def _unavailable(reason: str, *, fix: str = "`make test` installs it (npm ci)") -> None:
    if os.environ.get("CI"):
        pytest.fail(f"Prism contract tests cannot run on CI: {reason}")
    pytest.skip(f"Prism contract tests skipped: {reason}; {fix} (on CI this fails instead)")


def _wait_for_port(*, port: int, process: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def prism(tmp_path_factory) -> Iterator[PrismServer]:
    base_dir = Path(django_settings.BASE_DIR)
    binary = base_dir / "node_modules" / ".bin" / "prism"
    spec = openapi_path()
    if shutil.which("node") is None:
        _unavailable("node is not on PATH", fix="install Node.js and npm, then `make test`")
    if not binary.exists():
        _unavailable(f"{binary} is missing")
    if not spec.exists():
        # Part of the repository: missing means a damaged checkout, never a skip.
        pytest.fail(f"{spec} is missing: restore it with `git checkout -- {spec.parent}`")
    port = free_port()
    log_path = tmp_path_factory.mktemp("prism") / "prism.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603  (fixed arguments)
            [str(binary), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=base_dir,
        )
    try:
        if not _wait_for_port(port=port, process=process, timeout=PRISM_START_TIMEOUT):
            tail = log_path.read_text(errors="replace")[-2000:]
            pytest.fail(f"Prism did not start listening on port {port}:\n{tail}")
        yield PrismServer(url=f"http://127.0.0.1:{port}", log_path=log_path, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def fail_on_prism_violations(*, prism: PrismServer, since: int) -> None:
    """Fail the running test if Prism rejected any request logged after `since`."""
    until = prism.sync()
    violations = prism_violations(prism.log_since(since, until))
    if violations:
        pytest.fail(
            "Prism says a request broke Twilio's API description:\n" + "\n".join(violations),
            pytrace=False,
        )


@pytest.fixture
def prism_verify(prism: PrismServer, settings) -> Iterator[PrismServer]:
    aim_twilio_backend(settings, url=prism.url, timeout=5.0)
    offset = prism.sync()  # earlier tests' requests stay out of this test's part
    yield prism
    fail_on_prism_violations(prism=prism, since=offset)
