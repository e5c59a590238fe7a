"""`python -m bench.profile [page ...]`: where a page's time goes, with pyinstrument.

The production settings (DEBUG off, the manifest static storage, the database
cache and sessions) on a fresh SQLite file in a temporary folder, the
benchmark's URLs; each page is requested BENCH_PROFILE_REQUESTS times (200)
through Django's test client, the whole middleware stack included, and
pyinstrument prints the call tree of all of them together. What dominates
there is what `make bench`'s page ratios pay for.

Pages: signin (anonymous), home (signed in), profile (signed in, code passed),
code (half signed in), bare (the baseline view).
"""

import os
import sys
import tempfile
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


def main(pages: list[str]) -> int:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    cases = clients()
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
