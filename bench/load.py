"""`make bench-load`: many people signing in at once, black-box, in each Verify fault mode.

Starts the site as production serves it (gunicorn from `gunicorn.conf.py`,
DEBUG off, the Twilio backend, the database and cache from the environment;
`--server runserver` for `manage.py runserver --noreload` instead) on a free
loopback port, in front of the project's Verify fake
(`twofactor/factors/sms/testing/fake_verify.py`) in a subprocess. Then N virtual users, one
account with SMS two-factor each, sign in over and over for a while: the
sign-in page, the password, the protected page they asked for (which must send
them to the code page), the code page (which sends the code), the code read
from the fake's control API, the protected page, sign out.

Each fault mode of the fake gets its own stretch: none, 300 ms added to every
Verify call, every call 500, every call 429, every call hanging past
TWILIO_TIMEOUT. Per mode it counts requests by status, 5xx (a 503 that says
why is the site's own answer to an outage, not an error), sign-ins started,
completed and refused with a message, anything unclear, and sessions that
reached the protected page without passing a code (fail-opens). It also
counts "database is locked" in the server's output.

The suite's load-and-fault test (`tests/load/`) uses the same machinery for a
short run; this command reruns issue 11's table:

    make bench-load                      # SQLite, then PostgreSQL + Redis
    python -m bench.load --users 50 --seconds 60 --database sqlite --modes none,latency

The PostgreSQL pass creates (and drops) a database named after the one in
PG_DATABASE_URL with `_load` appended; Redis keys get a prefix of their own.
Only loopback addresses are used.
"""

import argparse
import html
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import django
import requests

# The fake lives in the two-factor app, whose package needs Django set up to import.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings_test")
django.setup()

from twofactor.factors.sms.testing.fake_verify import (  # noqa: E402
    FakeVerifyControl,
    free_port,
)

BASE_DIR = Path(__file__).resolve().parent.parent
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
SERVICE_SID = "VA" + "fedcba9876543210" * 2
PASSWORD = "load-test password, not a secret"
PROTECTED = "/accounts/profile/edit/"
# How long a client waits for one answer before counting the step as unclear.
CLIENT_TIMEOUT = 30.0
START_TIMEOUT = 60.0

MODES = ("none", "latency", "500", "429", "hang")
LATENCY_SECONDS = 0.3
# The failing modes hit every second Verify call, so they meet the code check
# as well as the send (a fault on every call would stop every sign-in at the send).
FAULT_EVERY = 2

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ALERT = re.compile(r'<div class="alert ([^"]*)" role="(?:alert|status)"[^>]*>(.*?)</div>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def fault_options(mode: str, *, twilio_timeout: float) -> dict:
    """The fake's /_fake/fault form for a mode."""
    if mode == "latency":
        return {"mode": "latency", "seconds": LATENCY_SECONDS}
    if mode == "none":
        return {"mode": "none"}
    if mode == "hang":
        # Past the site's timeout, so the call is given up.
        return {"mode": "hang", "seconds": twilio_timeout + 5, "every": FAULT_EVERY}
    if mode in ("500", "429"):
        return {"mode": mode, "every": FAULT_EVERY}
    raise ValueError(f"unknown mode {mode!r}")


# Databases


@dataclass
class Database:
    label: str
    env: dict[str, str]
    drop: Callable[[], None] = lambda: None


def sqlite_database(folder: Path) -> Database:
    """An SQLite file (what `make run` and a small deployment use), locmem cache."""
    return Database(label="SQLite", env={"DATABASE_URL": f"sqlite:///{folder / 'load.sqlite3'}"})


def postgres_database(database_url: str, redis_url: str) -> Database:
    """A fresh PostgreSQL database beside the one in `database_url`, and Redis."""
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = (parts.path.lstrip("/") or "postgres") + "_load"
    if not re.fullmatch(r"\w+", name):
        raise ValueError(f"unexpected database name {name!r}")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))

    def execute(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    env = {"DATABASE_URL": urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))}
    if redis_url:
        env.update(REDIS_URL=redis_url, CACHE_KEY_PREFIX="load-" + secrets.token_hex(4))
    return Database(
        label="PostgreSQL + Redis" if redis_url else "PostgreSQL",
        env=env,
        drop=lambda: execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'),
    )


# The live site


SEED = """
import os
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from accounts.models import User
from twofactor.models import Factor, Kind

count = int(os.environ["LOAD_USERS"])
hashed = make_password(os.environ["LOAD_PASSWORD"])  # once: PBKDF2 is slow on purpose
users = User.objects.bulk_create(
    User(username=f"load{i}", email=f"load{i}@example.com", password=hashed)
    for i in range(count)
)
now = timezone.now()
Factor.objects.bulk_create(
    Factor(
        user=user,
        kind=Kind.SMS,
        number=f"+1555555{i:04d}",
        channel="sms",
        preferred=True,
        confirmed_at=now,
    )
    for i, user in enumerate(users)
)
"""


# The Verify fake in a process of its own (the load's threads don't slow it down).
FAKE_LAUNCHER = (
    "import sys, django; django.setup(); "
    "from twofactor.factors.sms.testing.fake_verify import main; "
    "main(['--port', sys.argv[1]])"
)


def number_of(index: int) -> str:
    return f"+1555555{index:04d}"


def _stop(process: subprocess.Popen) -> None:
    """Stop a process started in a session of its own, and its children."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _wait_for(url: str, *, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise TimeoutError(f"nothing answered at {url}")


@dataclass
class LiveSite:
    url: str
    fake: FakeVerifyControl
    log_path: Path
    users: int
    twilio_timeout: float

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def live_site(
    *,
    database: Database,
    workdir: Path,
    users: int,
    twilio_timeout: float = 5.0,
    quick: bool = False,
    server_kind: str = "gunicorn",
    env: dict[str, str] | None = None,
) -> Iterator[LiveSite]:
    """The site on `database` behind the Verify fake, both on free loopback ports."""
    python = sys.executable
    fake_port, site_port = free_port(), free_port()
    fake_url, site_url = f"http://127.0.0.1:{fake_port}", f"http://127.0.0.1:{site_port}"
    site_env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "PYTEST_CURRENT_TEST")
    }
    site_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.live_settings",
            "PYTHONUNBUFFERED": "1",
            "DEBUG": "0",
            "SECRET_KEY": "load-test-only-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: the cookies must travel without TLS.
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            # Nothing is mailed while signing in; a closed port if anything tried.
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(free_port()),
            "TWOFACTOR_VERIFY_BACKEND": "twofactor.factors.sms.backends.twilio.TwilioVerifyBackend",
            "TWILIO_VERIFY_API_URL": fake_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": "load-test-token",
            "TWILIO_VERIFY_SERVICE_SID": SERVICE_SID,
            "TWILIO_TIMEOUT": str(twilio_timeout),
            # Limits raised for the load: every user signs in again and again
            # from one address.
            "TWOFACTOR_SEND_LIMIT": "1000000",
            "TWOFACTOR_IP_SEND_LIMIT": "1000000",
            "TWOFACTOR_CHECK_LIMIT": "1000000",
            "ACCOUNTS_LOGIN_FAILURE_IP_LIMIT": "1000000",
            "STATIC_ROOT": str(workdir / "static"),
            "GUNICORN_ACCESS_LOG": "off",
            "LIVE_QUICK": "1" if quick else "0",
            "LOAD_USERS": str(users),
            "LOAD_PASSWORD": PASSWORD,
            **database.env,
            **(env or {}),
        }
    )
    manage = [python, str(BASE_DIR / "manage.py")]

    def run(*args: str) -> None:
        subprocess.run(  # noqa: S603  (our own manage.py)
            [*manage, *args], env=site_env, cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL
        )

    fake = subprocess.Popen(  # noqa: S603
        [python, "-c", FAKE_LAUNCHER, str(fake_port)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings_test"},
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = None
    log_path = workdir / "server.log"
    try:
        run("migrate", "--no-input", "-v", "0")
        # Without REDIS_URL the cache (the limits' counters) is a database table.
        run("createcachetable")
        run("collectstatic", "--no-input", "-v", "0")
        run("shell", "-c", SEED)
        if server_kind == "gunicorn":
            command = [
                str(Path(python).with_name("gunicorn")),
                *("--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{site_port}"),
            ]
        else:
            command = [*manage, "runserver", "--noreload", f"127.0.0.1:{site_port}"]
        with log_path.open("wb") as log:
            # A session of its own: stopping it stops gunicorn's workers too.
            server = subprocess.Popen(  # noqa: S603
                command,
                env=site_env,
                cwd=BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_for(f"{fake_url}/_fake/messages", process=fake, timeout=START_TIMEOUT)
        _wait_for(f"{site_url}/accounts/login/", process=server, timeout=START_TIMEOUT)
        yield LiveSite(
            url=site_url,
            fake=FakeVerifyControl(url=fake_url),
            log_path=log_path,
            users=users,
            twilio_timeout=twilio_timeout,
        )
    finally:
        for process in (server, fake):
            if process is not None:
                _stop(process)
        database.drop()


# The virtual users


@dataclass
class Tally:
    """What one mode's run saw; every method is thread-safe."""

    mode: str
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: Counter = field(default_factory=Counter)  # "METHOD path status"
    started: int = 0
    completed: int = 0
    refused: Counter = field(default_factory=Counter)  # "status: message"
    unclear: Counter = field(default_factory=Counter)
    fail_open: int = 0
    seconds: float = 0.0
    locked_in_log: int = 0
    errors_in_log: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def count(self, name: str, key: str) -> None:
        with self._lock:
            getattr(self, name)[key] += 1

    @property
    def told(self) -> int:
        return sum(self.refused.values())

    @property
    def unexplained(self) -> int:
        return sum(self.unclear.values())

    @property
    def five_xx(self) -> int:
        return sum(self.server_errors.values())

    def summary(self) -> str:
        reasons = "; ".join(f"{n}× {reason}" for reason, n in self.refused.most_common(3))
        return (
            f"{self.mode:>7}: {self.requests} requests in {self.seconds:.0f} s, "
            f"statuses {dict(sorted(self.statuses.items()))}, 5xx {self.five_xx}, "
            f"sign-ins {self.started} started / {self.completed} completed / "
            f"{self.told} told why / {self.unexplained} unclear, fail-opens {self.fail_open}, "
            f'"database is locked" in the log {self.locked_in_log}'
            + (f"\n         told why: {reasons}" if reasons else "")
            + (f"\n         unclear: {dict(self.unclear)}" if self.unclear else "")
            + (f"\n         5xx: {dict(self.server_errors)}" if self.server_errors else "")
        )


def alert_text(body: str) -> tuple[str, str]:
    """The first alert on a page: (its classes, its text)."""
    match = _ALERT.search(body)
    if match is None:
        return "", ""
    text = html.unescape(_TAGS.sub(" ", match[2]))
    return match[1], " ".join(text.split())


class SignIn:
    """One sign-in by one person in a fresh browser (own cookies)."""

    def __init__(self, *, site: LiveSite, index: int, tally: Tally) -> None:
        self.site = site
        self.index = index
        self.tally = tally
        self.http = requests.Session()

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.http.request(
            method,
            urllib.parse.urljoin(self.site.url, path),
            timeout=CLIENT_TIMEOUT,
            allow_redirects=False,
            **kwargs,
        )
        status = response.status_code
        self.tally.add("requests")
        self.tally.count("statuses", str(status))
        # A 503 that says why is the site's answer to Twilio being down.
        if status >= 500 and not (status == 503 and alert_text(response.text)[1]):
            path_only = urllib.parse.urlsplit(path).path
            self.tally.count("server_errors", f"{method} {path_only} {status}")
        return response

    def csrf(self, response: requests.Response) -> str:
        match = _CSRF.search(response.text)
        return match[1] if match else self.http.cookies.get("csrftoken", "")

    def refused(self, response: requests.Response, step: str) -> None:
        """The step did not go on: did the person get a reason?"""
        classes, text = alert_text(response.text)
        status = response.status_code
        # A failure is alert-danger; a limit (429) alert-warning.
        said_why = text and ("alert-danger" in classes or "alert-warning" in classes)
        if said_why and (400 <= status < 500 or status in (200, 503)):
            self.tally.count("refused", f"{status} {text[:70]}")
        elif status >= 500:
            self.tally.count("unclear", f"{step}: {status}")
        else:
            self.tally.count("unclear", f"{step}: {status} without a message")

    def probe_gate(self) -> None:
        """A session that has not passed a code must not reach the protected page."""
        response = self.call("GET", PROTECTED)
        if response.status_code == 200:
            self.tally.add("fail_open")

    def sign_out(self) -> None:
        page = self.call("GET", "/")
        if page.status_code == 200:
            self.call("POST", "/accounts/logout/", data={"csrfmiddlewaretoken": self.csrf(page)})

    def run(self) -> None:
        self.tally.add("started")
        try:
            self._steps()
        except requests.RequestException as error:
            self.tally.count("unclear", f"no answer: {type(error).__name__}")
        finally:
            self.http.close()

    def _steps(self) -> None:
        page = self.call("GET", "/accounts/login/")
        if page.status_code != 200:
            return self.refused(page, "sign-in page")
        answer = self.call(
            "POST",
            "/accounts/login/",
            data={
                "username": f"load{self.index}",
                "password": PASSWORD,
                "next": PROTECTED,
                "csrfmiddlewaretoken": self.csrf(page),
            },
        )
        if answer.status_code != 302:
            return self.refused(answer, "password step")
        # The password alone: the protected page must send us to the code page.
        gate = self.call("GET", answer.headers["Location"])
        if gate.status_code == 200:
            self.tally.add("fail_open")
            return None
        if gate.status_code != 302 or "/2fa/verify/" not in gate.headers.get("Location", ""):
            return self.refused(gate, "gate")
        code_page = self.call("GET", gate.headers["Location"])
        classes, _text = alert_text(code_page.text)
        if code_page.status_code != 200 or "alert-success" not in classes:
            self.refused(code_page, "code page")
            return self.cancel(code_page)
        code = self.site.fake.last_code(to=number_of(self.index))
        checked = self.call(
            "POST",
            "/2fa/verify/",
            data={
                "code": code,
                "factor": "sms",
                "next": PROTECTED,
                "csrfmiddlewaretoken": self.csrf(code_page),
            },
        )
        if checked.status_code != 302:
            self.refused(checked, "code step")
            self.probe_gate()
            return self.cancel(checked)
        arrived = self.call("GET", checked.headers["Location"])
        if arrived.status_code == 200:
            self.tally.add("completed")
            self.sign_out()
        else:
            self.refused(arrived, "protected page after the code")
        return None

    def cancel(self, page: requests.Response) -> None:
        self.call("POST", "/2fa/verify/cancel/", data={"csrfmiddlewaretoken": self.csrf(page)})


def run_mode(*, site: LiveSite, mode: str, users: int, seconds: float) -> Tally:
    """`users` people sign in again and again for `seconds` with the fake in `mode`.

    A sign-in under way when the time is up is finished, not cut off.
    """
    site.fake.reset()  # also releases calls still hanging from an earlier mode
    site.fake.fault(**fault_options(mode, twilio_timeout=site.twilio_timeout))
    tally = Tally(mode=mode)
    log_before = site.log_text()
    started = time.monotonic()
    deadline = started + seconds

    def person(index: int) -> None:
        while time.monotonic() < deadline:
            SignIn(site=site, index=index, tally=tally).run()

    threads = [
        threading.Thread(target=person, args=(index,), name=f"user{index}", daemon=True)
        for index in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 4 * CLIENT_TIMEOUT)
    tally.seconds = time.monotonic() - started
    log = site.log_text()[len(log_before) :]
    # One line per traceback (the sqlite3 error it wraps says it again).
    tally.locked_in_log = log.count("django.db.utils.OperationalError: database is locked")
    tally.errors_in_log = log.count("Internal Server Error")
    site.fake.reset()
    return tally


def table(rows: list[tuple[str, Tally]]) -> str:
    lines = [
        "| database | mode | requests | 5xx | sign-ins started | completed | told why "
        '| unclear | fail-opens | "database is locked" |',
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, tally in rows:
        rate = tally.completed / tally.seconds if tally.seconds else 0
        lines.append(
            f"| {label} | {describe(tally.mode)} | {tally.requests} in {tally.seconds:.0f} s "
            f"| {tally.five_xx} | {tally.started} | {tally.completed} ({rate:.1f}/s) "
            f"| {tally.told} | {tally.unexplained} | {tally.fail_open} | {tally.locked_in_log} |"
        )
    return "\n".join(lines)


def describe(mode: str) -> str:
    return {
        "none": "no fault",
        "latency": f"{LATENCY_SECONDS * 1000:.0f} ms added to every Verify call",
        "500": "every 2nd Verify call answers 500",
        "429": "every 2nd Verify call answers 429",
        "hang": "every 2nd Verify call hangs past TWILIO_TIMEOUT",
    }[mode]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument(
        "--database", action="append", choices=["sqlite", "postgres"], help="repeatable"
    )
    parser.add_argument("--pg-modes", default=",".join(MODES), help="on PostgreSQL")
    parser.add_argument("--twilio-timeout", type=float, default=5.0)
    parser.add_argument(
        "--quick", action="store_true", help="a fast hasher, uncompressed static (as the suite)"
    )
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--keep-log", type=Path, help="copy the server's output here")
    args = parser.parse_args(argv)
    databases = args.database or ["sqlite", "postgres"]
    rows: list[tuple[str, Tally]] = []
    for kind in databases:
        workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
        try:
            if kind == "sqlite":
                database, modes = sqlite_database(workdir), args.modes.split(",")
            else:
                database = postgres_database(
                    os.environ.get("PG_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"),
                    os.environ.get("PG_REDIS_URL", "redis://127.0.0.1:6379/0"),
                )
                modes = args.pg_modes.split(",")
            with live_site(
                database=database,
                workdir=workdir,
                users=args.users,
                twilio_timeout=args.twilio_timeout,
                quick=args.quick,
                server_kind=args.server,
            ) as site:
                for mode in modes:
                    tally = run_mode(site=site, mode=mode, users=args.users, seconds=args.seconds)
                    print(f"[{database.label}] {tally.summary()}", flush=True)
                    rows.append((database.label, tally))
        finally:
            if args.keep_log and (workdir / "server.log").exists():
                shutil.copy(workdir / "server.log", f"{args.keep_log}.{kind}")
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(f"{args.users} concurrent sign-ins, {args.seconds:.0f} s per mode:")
    print(table(rows))
    return 0 if all(t.five_xx == 0 and t.fail_open == 0 and not t.unclear for _, t in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
