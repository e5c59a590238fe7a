"""The site served the way production serves it, for the tests that need a real
server: gunicorn from `gunicorn.conf.py` (or `make serve` itself) in a process
of its own, DEBUG off, the Twilio backend aimed at the Verify fake, on a free
loopback port.

- `production_env(**overrides)`: the environment of such a server.
- `start(command, env=, port=, log=)`: run it and wait until it answers.
- `prepare_database(env=)`: migrations and the database cache's table;
  `create_accounts(env=, accounts=, password=)`: accounts with a phone.
- `collected_static` (a session fixture; this module is a pytest plugin):
  `collectstatic` once, into a temporary STATIC_ROOT.
- `SiteClient`: a `requests` session that sends the CSRF cookie back as the
  header, like the site's own htmx does; `base` may be changed between requests
  (cookies are per host, not per port, so one client can talk to two servers).
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.fixtures_verify import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_SERVICE_SID
from twofactor.factors.sms.testing.fake_verify import free_port

ROOT = Path(__file__).resolve().parent.parent
# `make serve` collects, migrates and boots first; a busy 2-core machine is slow.
START_TIMEOUT = 240.0


def production_env(*, fake_url: str, **overrides: str) -> dict[str, str]:
    """What `make serve` needs, and nothing from this test process's Django setup."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TWOFACTOR_", "TWILIO_", "PYTEST_"))
    }
    env.update(
        {
            "DEBUG": "",
            "SECRET_KEY": "servers-test-secret-key-not-for-production-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_HOST": "127.0.0.1",  # never reached: nothing here sends mail
            "TWOFACTOR_VERIFY_BACKEND": "twofactor.factors.sms.backends.twilio.TwilioVerifyBackend",
            "TWILIO_VERIFY_API_URL": fake_url,
            "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "TWILIO_VERIFY_SERVICE_SID": TEST_SERVICE_SID,
            "TWILIO_TIMEOUT": "2",
            # Plain HTTP on loopback: cookies marked Secure would never come back.
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "GUNICORN_ACCESS_LOG": "off",
        }
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603  (fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"


def prepare_database(*, env: dict[str, str]) -> None:
    """Migrations and the cache table, in one process (each start costs a second)."""
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); call_command('createcachetable')"
    )
    result = subprocess.run(  # noqa: S603  (fixed arguments)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "project.settings", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def create_accounts(*, env: dict[str, str], accounts: dict[str, str], password: str) -> None:
    """Accounts (username -> E.164 number of a confirmed phone), straight in
    the servers' database: registering through the site needs the emailed link."""
    code = (
        "import sys, django; django.setup(); "
        "from django.utils import timezone; from accounts.models import User; "
        "from twofactor.models import Factor\n"
        "for pair in sys.argv[2:]:\n"
        "    name, number = pair.split('=')\n"
        "    user = User.objects.create_user(name, name + '@example.com', sys.argv[1])\n"
        "    now = timezone.now()\n"
        "    Factor.objects.create(kind='sms', preferred=True, user=user, number=number,"
        " channel='sms', confirmed_at=now, last_used_at=now)\n"
    )
    pairs = [f"{name}={number}" for name, number in accounts.items()]
    result = subprocess.run(  # noqa: S603  (fixed arguments)
        [sys.executable, "-c", code, password, *pairs],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "project.settings", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """`collectstatic` once for the session's production servers (STATIC_ROOT):
    hashing and compressing every file takes seconds."""
    root = tmp_path_factory.mktemp("collected-static")
    env = production_env(fake_url="http://127.0.0.1:9", STATIC_ROOT=str(root))
    manage("collectstatic", "--no-input", "--verbosity=0", env=env)
    return root


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, pattern: re.Pattern[str], timeout: float = 5.0) -> str:
        """The server's output once `pattern` is in it (log lines come after the answer)."""
        deadline = time.monotonic() + timeout
        while not pattern.search(output := self.output()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return output


@contextmanager
def start(command: list[str], *, env: dict[str, str], port: int, log: Path) -> Iterator[Server]:
    """Run `command` (which must listen on `port`) until the block ends."""
    with log.open("wb") as out:
        # A session of its own, so that stopping it stops its children too.
        process = subprocess.Popen(  # noqa: S603  (fixed arguments)
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        _wait_until_it_answers(server)
        yield server
    finally:
        _stop(process)


def gunicorn(*, env: dict[str, str], port: int, log: Path) -> AbstractContextManager[Server]:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--config",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    return start(command, env=env, port=port, log=log)


def _wait_until_it_answers(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited:\n{server.output()[-3000:]}")
        try:
            requests.get(f"{server.url}/accounts/login/", timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer in {START_TIMEOUT}s:\n{server.output()}")


def _stop(process: subprocess.Popen) -> None:
    # The whole session: `make serve` runs gunicorn, gunicorn runs its workers.
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class SiteClient(requests.Session):
    """A browser without JavaScript: follows no redirect unless asked, and
    sends the CSRF cookie back as X-CSRFToken on every POST."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def get(self, url, **kwargs):
        kwargs.setdefault("allow_redirects", False)  # Session.get would follow them
        return super().get(url, **kwargs)

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base + url
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 15)
        if method.upper() == "POST":
            if "csrftoken" not in self.cookies:
                super().request("GET", self.base + "/accounts/login/", timeout=15)
            headers = {"X-CSRFToken": self.cookies["csrftoken"], "Referer": self.base + "/"}
            kwargs["headers"] = {**headers, **kwargs.get("headers", {})}
        return super().request(method, url, *args, **kwargs)


__all__ = [
    "SiteClient",
    "Server",
    "collected_static",
    "create_accounts",
    "free_port",
    "gunicorn",
    "manage",
    "prepare_database",
    "production_env",
    "start",
]
