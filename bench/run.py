"""`make bench`: what a user would feel, as ratios measured in one run.

Starts the site the way `make serve` does — gunicorn from gunicorn.conf.py,
DEBUG off, collected static files, the Twilio backend against the Verify fake
(twofactor/factors/sms/testing/fake_verify.py, in a process of its own) — on
loopback, on a fresh SQLite file with the database cache (BENCH_DATABASE_URL
and BENCH_REDIS_URL pick PostgreSQL and Redis). A second server, identical but
without the two-factor middleware (bench/settings.py), measures the gate.

1. Pages with Debian's `wrk` (2 threads x 32 connections, BENCH_SECONDS each),
   interleaved A B C ... A B C ..., BENCH_ROUNDS rounds: a bare view in the
   same server (baseline), the sign-in page, home signed in, the profile
   (code passed), the code page; each as a fraction of the baseline's
   requests/s in the same round.
2. The gate: the profile with and without the middleware.
3. 50 people signing in at once (password, code page, code from the fake,
   protected page, sign out) with 0 ms and 300 ms added to every Verify call,
   interleaved; completed sign-ins/s as a ratio, and another user's profile
   p95 meanwhile as a multiple of its p95 at rest.
4. CPU per password check: the project's hasher (Argon2id) vs Django's
   default PBKDF2.
5. Bytes over the wire for the sign-in page: first visit (page and the static
   files it names) and repeat visit (the page; static files are cached as
   immutable).
6. After the servers are stopped: `python -m bench.profile --cpu`, the CPU
   time per request of each page in one process as a fraction of the bare
   view's — what other work on a shared machine hardly moves, beside the
   wall-clock figures above, which it does.

The limits it needs come from the environment of the servers, not from code.
The table is printed and written to bench/results.md.
"""

import concurrent.futures
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))
# Five, not the three the issue asks at least: on this shared machine one
# round in three can run at half speed, and a median of three is then a coin.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
SIGNIN_SECONDS = int(os.environ.get("BENCH_SIGNIN_SECONDS", "12"))
USERS = int(os.environ.get("BENCH_USERS", "50"))
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
SERVICE_SID = "VA" + "fedcba9876543210" * 2
PASSWORD = "bench password, not a secret at all"
TARGETS = {
    "signin": 0.35,
    "profile": 0.30,
    "gate": 0.03,
    "signin_rate": 0.9,
    "p95_multiple": 3.0,
    "hasher": 0.4,
    "first_kb": 60,
    "repeat_kb": 5,
}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """The fake, the database, and the two servers."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-"))
        self.processes: list[subprocess.Popen] = []
        self.fake_url = f"http://127.0.0.1:{free_port()}"
        database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{self.tmp / 'db.sqlite3'}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TWILIO_"))},
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "",
            "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_HOST": "127.0.0.1",
            "DATABASE_URL": database,
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
            "CACHE_KEY_PREFIX": f"bench-{os.getpid()}",
            "STATIC_ROOT": str(self.tmp / "static"),
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "TWOFACTOR_VERIFY_BACKEND": "twofactor.factors.sms.backends.twilio.TwilioVerifyBackend",
            "TWILIO_VERIFY_API_URL": self.fake_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": "bench",
            "TWILIO_VERIFY_SERVICE_SID": SERVICE_SID,
            "GUNICORN_ACCESS_LOG": "off",
            # The limits a benchmark must not meet: every user signs in again
            # and again from one address.
            "TWOFACTOR_SEND_LIMIT": "1000000",
            "TWOFACTOR_IP_SEND_LIMIT": "1000000",
            # The site-wide cap (1000 codes an hour by default): a run sends more.
            "TWOFACTOR_GLOBAL_SEND_LIMIT": "1000000",
            "TWOFACTOR_RESEND_COOLDOWN": "1",
            "ACCOUNTS_LOGIN_FAILURE_IP_LIMIT": "1000000",
        }

    def run(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [PY, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def start(self, command: list[str], env: dict, log: str) -> None:
        out = (self.tmp / log).open("wb")
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        )

    def up(self) -> None:
        port = self.fake_url.rsplit(":", 1)[1]
        # The fake's package imports the factor models: Django is set up first.
        fake = [
            PY,
            "-c",
            "import django; django.setup(); "
            "from twofactor.factors.sms.testing.fake_verify import main; "
            f"main(['--port', '{port}'])",
        ]
        self.start(fake, self.env, "fake.log")
        self.run("manage.py", "collectstatic", "--no-input", "--verbosity=0")
        self.run("manage.py", "migrate", "--no-input", "--verbosity=0")
        self.run("manage.py", "createcachetable")
        self.run("-m", "bench.accounts", str(USERS), PASSWORD)
        self.gated = f"http://127.0.0.1:{free_port()}"
        self.ungated = f"http://127.0.0.1:{free_port()}"
        for url, extra in ((self.gated, {}), (self.ungated, {"BENCH_WITHOUT_GATE": "1"})):
            command = [GUNICORN, "--config", "gunicorn.conf.py", "--bind", url[7:]]
            command.append("bench.wsgi:application")
            self.start(command, {**self.env, **extra}, f"server-{url[-5:]}.log")
        for url in (self.fake_url + "/_fake/messages", self.gated + "/bench/bare/"):
            wait_for(url)
        wait_for(self.ungated + "/bench/bare/")

    def down(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


class Browser(requests.Session):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def go(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 60)
        if method == "POST":
            if "csrftoken" not in self.cookies:
                self.get(self.base + "/accounts/login/", timeout=60)
            kwargs["headers"] = {"X-CSRFToken": self.cookies["csrftoken"]}
        return self.request(method, self.base + path, **kwargs)


def last_code(fake_url: str, number: str) -> str:
    # ?to=: the fake answers with this number's codes only, not every code of
    # the stretch (a list that grows with each sign-in, read on each one).
    messages = requests.get(f"{fake_url}/_fake/messages", params={"to": number}, timeout=30).json()
    return messages[-1]["code"]


def sign_in(stack: Stack, n: int, *, pass_code: bool = True) -> Browser:
    """User n through the password step (and the code step)."""
    browser = Browser(stack.gated)
    response = browser.go(
        "POST", "/accounts/login/", data={"username": f"u{n}", "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    if n == 0:
        return browser  # u0 has no second factor
    assert browser.go("GET", "/2fa/verify/").status_code == 200
    if pass_code:
        code = last_code(stack.fake_url, f"+1201555{n:04d}")
        response = browser.go("POST", "/2fa/verify/", data={"code": code})
        assert response.status_code == 302, response.text[-500:]
    return browser


def wrk(url: str, cookie: str | None) -> dict[str, float]:
    command = ["wrk", "-t2", "-c32", f"-d{SECONDS}s", "-s", str(ROOT / "bench/wrk_report.lua")]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    output = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    values = {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", line)}
    if values["errors"]:
        raise SystemExit(f"{url}: {values['errors']:.0f} errors or non-2xx answers")
    return values


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def measure_pages(stack: Stack) -> dict:
    home = sign_in(stack, 0).cookies["sessionid"]
    profile = sign_in(stack, 1).cookies["sessionid"]
    code = sign_in(stack, 2, pass_code=False).cookies["sessionid"]
    pages = {
        "bare": (stack.gated + "/bench/bare/", None),
        "signin": (stack.gated + "/accounts/login/", None),
        "home": (stack.gated + "/", home),
        "profile": (stack.gated + "/user/u1/", profile),
        "code": (stack.gated + "/2fa/verify/", code),
        "profile_nogate": (stack.ungated + "/user/u1/", profile),
    }
    for url, cookie in pages.values():  # warm every worker
        wrk_warm(url, cookie)
    rounds = []
    for _ in range(ROUNDS):
        rounds.append({name: wrk(url, cookie) for name, (url, cookie) in pages.items()})
    return rounds


def wrk_warm(url: str, cookie: str | None) -> None:
    command = ["wrk", "-t2", "-c8", "-d1s", url]
    if cookie:
        command[4:4] = ["-H", f"Cookie: sessionid={cookie}"]
    subprocess.run(command, capture_output=True, check=True)  # noqa: S603


def signin_load(stack: Stack, latency: float) -> dict:
    """USERS people signing in over and over for SIGNIN_SECONDS; meanwhile one
    more, signed in, loads the profile page five times a second."""
    fake = requests.Session()
    mode = {"Mode": "latency", "Seconds": latency} if latency else {"Mode": "none"}
    fake.post(f"{stack.fake_url}/_fake/fault", data=mode, timeout=10).raise_for_status()
    watcher = sign_in(stack, USERS + 1)
    stop = time.monotonic() + SIGNIN_SECONDS
    completed: list[float] = []
    failures: list[str] = []

    def person(n: int) -> None:
        while time.monotonic() < stop:
            try:
                browser = sign_in(stack, n)
                assert browser.go("GET", "/accounts/profile/edit/").status_code == 200
                browser.go("POST", "/accounts/logout/")
                completed.append(time.monotonic())
            except Exception as error:  # noqa: BLE001  (counted and shown)
                failures.append(repr(error)[:120])

    probe = profile_probe(watcher, stop)
    with concurrent.futures.ThreadPoolExecutor(USERS) as pool:
        list(pool.map(person, range(3, USERS + 3)))
    fake.post(f"{stack.fake_url}/_fake/reset", timeout=10)
    # Everyone starts at once and finishes the sign-in under way at the end:
    # completed sign-ins over the time until the last one finished.
    started = stop - SIGNIN_SECONDS
    elapsed = (max(completed) if completed else stop) - started
    return {
        "rate": len(completed) / elapsed,
        "failures": failures,
        "p95": probe(),
    }


def profile_probe(browser: Browser, stop: float):
    timings: list[float] = []

    def run() -> None:
        while time.monotonic() < stop:
            start = time.perf_counter()
            browser.go("GET", "/user/u1/")
            timings.append((time.perf_counter() - start) * 1000)
            # Five a second: a p95 of the ~24 samples that twice a second gave
            # in a 12 s stretch was its second-largest value, one unlucky
            # request; 60 make it a percentile.
            time.sleep(0.2)

    thread = threading.Thread(target=run)
    thread.start()

    def result() -> float:
        thread.join()
        return statistics.quantiles(timings, n=20)[18] if len(timings) >= 2 else float("nan")

    return result


def profile_p95_at_rest(stack: Stack) -> float:
    browser = sign_in(stack, USERS + 2)
    return profile_probe(browser, time.monotonic() + min(SIGNIN_SECONDS, 8))()


def hasher_cpu(stack: Stack) -> list[float]:
    output = stack.run("-m", "bench.hashers")
    return [float(x) for x in output.split()]


def wire_bytes(stack: Stack) -> tuple[int, int, bool]:
    session = requests.Session()
    headers = {"Accept-Encoding": "br, gzip"}
    page = session.get(stack.gated + "/accounts/login/", headers=headers, stream=True, timeout=30)
    body = page.raw.read()
    header_bytes = sum(len(k) + len(v) + 4 for k, v in page.headers.items()) + 17
    repeat = len(body) + header_bytes
    text = requests.get(stack.gated + "/accounts/login/", timeout=30).text
    assets = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', text))
    first = repeat
    for asset in assets:
        response = session.get(stack.gated + asset, headers=headers, stream=True, timeout=30)
        data = response.raw.read()
        first += len(data) + sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 17
    return first, repeat, "Content-Encoding" in page.headers


def cpu_per_request() -> str:
    """bench.profile's table of CPU ms per request, in one process."""
    result = subprocess.run(  # noqa: S603
        [PY, "-m", "bench.profile", "--cpu"],
        cwd=ROOT,
        env={
            **os.environ,
            "BENCH_PROFILE_REQUESTS": os.environ.get("BENCH_PROFILE_REQUESTS", "100"),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        return f"(bench.profile --cpu failed: {result.stderr.strip().splitlines()[-1:]})"
    return result.stdout.strip()


def versions() -> str:
    import django

    wrk_version = subprocess.run(  # noqa: S603
        ["wrk", "--version"],  # noqa: S607  (Debian's, on PATH)
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    gunicorn = subprocess.run(  # noqa: S603
        [GUNICORN, "--version"], capture_output=True, text=True, check=False
    ).stdout
    import sqlite3

    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"{gunicorn.strip()}, {wrk_version.split(' [')[0].strip()}, SQLite {sqlite3.sqlite_version}"
    )


def machine() -> str:
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0]
    return f"{platform.machine()}, {os.cpu_count()} cores ({model}), load {load:.1f} at start"


def main() -> int:
    started = time.monotonic()
    header = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}; {versions()}"
    stack = Stack()
    try:
        stack.up()
        database = "PostgreSQL" if "postgres" in stack.env["DATABASE_URL"] else "SQLite"
        cache = "Redis" if stack.env["REDIS_URL"] else "database cache"
        rounds = measure_pages(stack)
        at_rest = profile_p95_at_rest(stack)
        loads = {0.0: [], 0.3: []}
        for _ in range(ROUNDS):
            for latency in loads:
                loads[latency].append(signin_load(stack, latency))
        cpu = hasher_cpu(stack)
        first, repeat, compressed = wire_bytes(stack)
    finally:
        stack.down()
    in_process = cpu_per_request()

    rows = []

    def row(name, values, target, better="higher", unit=""):
        median = statistics.median(values)
        met = median >= target if better == "higher" else median <= target
        sign = "≥" if better == "higher" else "≤"
        rows.append(
            f"| {name} | {spread(values)}{unit} | {sign} {target}{unit} | "
            f"{'met' if met else '**not met**'} |"
        )

    baseline = [r["bare"]["rps"] for r in rounds]
    lines = [
        f"# `make bench` results\n\n{header}; {database}, {cache}; "
        f"{ROUNDS} rounds, interleaved; wrk 2 threads x 32 connections, {SECONDS} s per page.\n",
        "## Pages (requests/s as a fraction of a bare view in the same server)\n",
        "| page | fraction of baseline | req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in ("bare", "signin", "home", "profile", "code", "profile_nogate"):
        ratios = [r[name]["rps"] / r["bare"]["rps"] for r in rounds]
        med = {
            k: statistics.median(r[name][k] for r in rounds) for k in ("rps", "p50", "p95", "p99")
        }
        lines.append(
            f"| {name} | {spread(ratios)} | {med['rps']:.0f} | {med['p50']:.1f} | "
            f"{med['p95']:.1f} | {med['p99']:.1f} |"
        )
    del baseline
    row(
        "sign-in page / baseline",
        [r["signin"]["rps"] / r["bare"]["rps"] for r in rounds],
        TARGETS["signin"],
    )
    row(
        "profile / baseline",
        [r["profile"]["rps"] / r["bare"]["rps"] for r in rounds],
        TARGETS["profile"],
    )
    row(
        "gate's cost on the profile (1 − with/without)",
        [1 - r["profile"]["rps"] / r["profile_nogate"]["rps"] for r in rounds],
        TARGETS["gate"],
        better="lower",
    )
    rates = [
        a["rate"] and b["rate"] / a["rate"] for a, b in zip(loads[0.0], loads[0.3], strict=True)
    ]
    row("sign-ins/s with 300 ms Twilio / with 0 ms", rates, TARGETS["signin_rate"])
    multiples = [b["p95"] / at_rest for b in loads[0.3]]
    row("profile p95 during 300 ms sign-ins / at rest", multiples, TARGETS["p95_multiple"], "lower")
    row(
        "CPU per password check, Argon2id / PBKDF2",
        [cpu[i] / cpu[i + 1] for i in range(0, len(cpu), 2)],
        TARGETS["hasher"],
        "lower",
    )
    row("sign-in page, first visit", [first / 1024], TARGETS["first_kb"], "lower", " KB")
    row("sign-in page, repeat visit", [repeat / 1024], TARGETS["repeat_kb"], "lower", " KB")
    lines += [
        "\n## Targets\n",
        "| measure | median (min–max) | target | |",
        "| --- | --- | --- | --- |",
        *rows,
        "\n## Details\n",
        f"- sign-ins/s, 0 ms: {spread([x['rate'] for x in loads[0.0]])}; "
        f"300 ms: {spread([x['rate'] for x in loads[0.3]])}; {USERS} people, "
        f"{SIGNIN_SECONDS} s per stretch; failed sign-ins: "
        f"{sum(len(x['failures']) for x in loads[0.0] + loads[0.3])}",
        f"- profile p95 at rest {at_rest:.1f} ms; during 0 ms sign-ins "
        f"{spread([x['p95'] for x in loads[0.0]])} ms, "
        f"during 300 ms {spread([x['p95'] for x in loads[0.3]])} ms",
        f"- CPU per check (s): Argon2id {spread(cpu[0::2])}, PBKDF2 {spread(cpu[1::2])}",
        f"- sign-in page HTML {'compressed' if compressed else 'not compressed'}; "
        f"first visit {first} bytes, repeat {repeat} bytes (bodies as sent, plus headers)",
        f"- run took {time.monotonic() - started:.0f} s",
        "\n## CPU per request in one process (`python -m bench.profile --cpu`)\n",
        "```",
        in_process,
        "```",
    ]
    failures = [f for x in loads[0.0] + loads[0.3] for f in x["failures"]][:5]
    if failures:
        lines.append(f"- first failures: {failures}")
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "results.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
