"""`python -m bench.profile [page ...]`: where a page's time goes, with pyinstrument.

The production settings (DEBUG off, the manifest static storage, the database
cache and sessions) on a fresh SQLite file in a temporary folder, the
benchmark's URLs; each page is requested BENCH_PROFILE_REQUESTS times (200)
through Django's test client, the whole middleware stack included, and
pyinstrument prints the call tree of all of them together. What dominates
there is what `make bench`'s page ratios pay for.

Pages: signin (anonymous), home (signed in), profile (signed in, code passed),
code (half signed in), bare (the baseline view).

`python -m bench.profile --cpu [page ...]` prints instead the CPU time
(`time.process_time`) per request of each page and its ratio to the bare
view's, in rounds interleaved page by page (BENCH_PROFILE_ROUNDS, 5), median
and spread: figures that other work on a shared machine hardly moves, unlike
wall-clock requests per second. The test client's own cost is in every figure,
the bare view's included, as a server's HTTP handling would be.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="bench-profile-"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "",
        "SECRET_KEY": "bench-profile-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "testserver",
        "EMAIL_HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{TMP / 'db.sqlite3'}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
        "STATIC_ROOT": str(TMP / "static"),
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "TWOFACTOR_VERIFY_BACKEND": "twofactor.factors.sms.backends.locmem.LocmemVerifyBackend",
    }
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "200"))
PASSWORD = "bench password, not a secret"
FLAT_LINES = int(os.environ.get("BENCH_PROFILE_FLAT_LINES", "45"))
ROUNDS = int(os.environ.get("BENCH_PROFILE_ROUNDS", "5"))
PAGES = ["signin", "home", "profile", "code"]


def clients() -> dict[str, tuple[Client, str]]:
    from accounts.models import User
    from twofactor.factors.sms.backends import locmem
    from twofactor.models import Factor

    User.objects.create_user("plain", "plain@example.com", PASSWORD)
    secured = User.objects.create_user("secured", "secured@example.com", PASSWORD)
    now = timezone.now()
    Factor.objects.create(
        kind="sms", preferred=True, user=secured, number="+12015550123",
        channel="sms", confirmed_at=now, last_used_at=now,
    )  # fmt: skip
    anonymous = Client()
    home = Client()
    home.post("/accounts/login/", {"username": "plain", "password": PASSWORD})
    passed = Client()
    passed.post("/accounts/login/", {"username": "secured", "password": PASSWORD})
    passed.get("/2fa/verify/")
    response = passed.post("/2fa/verify/", {"code": locmem.outbox[-1].code})
    assert response.status_code == 302, response.content
    half = Client()
    half.post("/accounts/login/", {"username": "secured", "password": PASSWORD})
    half.get("/2fa/verify/")
    return {
        "signin": (anonymous, "/accounts/login/"),
        "home": (home, "/"),
        "profile": (passed, "/user/secured/"),
        "code": (half, "/2fa/verify/"),
        "bare": (anonymous, "/bench/bare/"),
    }


def cpu_ms(client: Client, url: str, requests: int) -> float:
    """CPU milliseconds per request, over `requests` requests."""
    start = time.process_time()
    for _ in range(requests):
        client.get(url)
    return (time.process_time() - start) * 1000 / requests


def cpu_table(cases: dict[str, tuple[Client, str]], pages: list[str]) -> None:
    names = ["bare", *[name for name in pages or PAGES if name != "bare"]]
    for name in names:
        client, url = cases[name]
        for _ in range(20):  # warm: templates compiled, connections open
            assert client.get(url).status_code == 200, (name, url)
    per_round: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(ROUNDS):
        for name in names:  # interleaved: a busy spell hits every page alike
            per_round[name].append(cpu_ms(*cases[name], REQUESTS))
    print(f"CPU ms per request, {REQUESTS} requests x {ROUNDS} rounds (median, min-max)")
    print(f"{'page':8} {'ms':>6} {'range':>13} {'bare/page':>9}")
    bare = statistics.median(per_round["bare"])
    for name in names:
        values = per_round[name]
        ratios = [b / v for b, v in zip(per_round["bare"], values, strict=True)]
        print(
            f"{name:8} {statistics.median(values):6.2f} "
            f"{min(values):6.2f}-{max(values):6.2f} {statistics.median(ratios):9.3f}"
        )
    print(f"(bare: {bare:.2f} ms; bare/page is the in-process form of `make bench`'s ratio)")


def main(args: list[str]) -> int:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    cases = clients()
    if args[:1] == ["--cpu"]:
        cpu_table(cases, args[1:])
        return 0
    pages = args
    for name in pages or ["signin", "profile"]:
        client, url = cases[name]
        for _ in range(20):  # warm: templates compiled, connections open
            assert client.get(url).status_code == 200, (name, url)
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(REQUESTS):
                client.get(url)
        print(f"\n=== {name} ({url}), {REQUESTS} requests ===")
        print(profiler.output_text(unicode=True, show_all=False))
        # The same samples by function, time inclusive of callees: the
        # library frames the tree folds away (template rendering, the ORM).
        flat = profiler.output_text(unicode=True, flat=True, flat_time="total", show_all=True)
        print("\n".join(flat.splitlines()[:FLAT_LINES]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
