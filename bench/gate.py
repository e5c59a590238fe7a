"""`make bench`: what the two-factor gate costs a request.

Calls the gate (`TwoFactorMiddleware.process_view`) directly on prepared
requests — a user without 2FA, with 2FA passed in this session, and a
half-signed-in session — and reports the median time and the database queries
of each. Target: at most one query and 2 ms per request on the 2-core machine
(measured: about 0.5 ms on SQLite, 1.2 ms on PostgreSQL over loopback).

Run: `make bench` (SQLite by default; DATABASE_URL and REDIS_URL are honoured).
"""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings_test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.utils import timezone  # noqa: E402

ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "2000"))
BUDGET_MS = 2.0
BUDGET_QUERIES = 1


def view(request):  # stands for any gated view
    raise AssertionError("never called")


def make_request(user, **session_data):
    request = RequestFactory().get("/user/someone/")
    request.user = user
    request.session = SessionStore()
    request.session.update(session_data)
    request.htmx = False
    return request


def measure(middleware, request) -> tuple[float, int]:
    from twofactor.session import forget_factors

    with CaptureQueriesContext(connection) as queries:
        middleware.process_view(request, view, (), {})
    timings = []
    for _ in range(ITERATIONS):
        forget_factors(request)  # each iteration stands for a new request
        start = time.perf_counter()
        middleware.process_view(request, view, (), {})
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), len(queries)


def main() -> int:
    from accounts.models import User
    from twofactor import session
    from twofactor.middleware import TwoFactorMiddleware
    from twofactor.models import Factor, Kind

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        plain = User.objects.create_user("plain", "plain@example.com", "pw-bench-123456")
        secured = User.objects.create_user("secured", "secured@example.com", "pw-bench-123456")
        # A phone and recovery codes: the gate still looks them up in one query.
        Factor.objects.create(
            user=secured,
            kind=Kind.SMS,
            number="+15555550100",
            channel="sms",
            confirmed_at=timezone.now(),
        )
        Factor.objects.create(user=secured, kind=Kind.RECOVERY, confirmed_at=timezone.now())
        fingerprint = session.required_fingerprint(secured)
        middleware = TwoFactorMiddleware(lambda request: None)
        cases = [
            ("signed out", make_request(AnonymousUser())),
            ("no 2FA", make_request(plain)),
            ("2FA passed", make_request(secured, **{session.PASSED: fingerprint})),
            (
                "half signed in (redirect)",
                make_request(secured, **{session.PENDING_SINCE: timezone.now().isoformat()}),
            ),
        ]
        print(f"database: {connection.vendor}; {ITERATIONS} calls per case")
        print(f"{'case':28} {'median ms':>10} {'queries':>8}")
        ok = True
        for name, request in cases:
            ms, queries = measure(middleware, request)
            within = ms <= BUDGET_MS and queries <= BUDGET_QUERIES
            ok = ok and within
            print(f"{name:28} {ms:10.4f} {queries:8d}  {'ok' if within else 'OVER'}")
        print(f"budget: {BUDGET_QUERIES} query and {BUDGET_MS} ms per request: ", end="")
        print("met" if ok else "NOT met")
        return 0 if ok else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    raise SystemExit(main())
