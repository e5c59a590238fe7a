"""Database queries per page, each with a budget, so a page that starts
asking the database more often fails the suite (`make bench` measures what
that costs). Sessions in the database (SQLite pass) read and may write the
session row; with `cached_db` on Redis (`make test-pg`) they come from Redis."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

CACHED_SESSIONS = settings.SESSION_ENGINE.endswith("cached_db")
# page: (budget with database sessions, budget with cached_db sessions)
BUDGETS = {
    "signin": (0, 0),
    "home": (3, 2),
    # Session, user, the user's factors (read once: the gate's fingerprint and
    # the panel share them), security events, active sessions, the panel's
    # trusted browsers (counted only with two-factor on). Your own profile's
    # owner is request.user, not a query; the resend cooldown is read only in
    # a code step.
    "profile": (6, 5),
    # Session, user, the factors (the gate's, the page's too), the cooldown.
    "code": (4, 3),
}


def queries(client, url: str) -> list[str]:
    client.get(url)  # the first visit may write last_seen or the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


def within(page: str, sql: list[str]) -> None:
    budget = BUDGETS[page][1 if CACHED_SESSIONS else 0]
    assert len(sql) <= budget, f"{page}: {len(sql)} queries, budget {budget}:\n" + "\n".join(sql)


def test_sign_in_page(client):
    within("signin", queries(client, "/accounts/login/"))


def test_home_signed_in(client_logged_in):
    within("home", queries(client_logged_in, "/"))


def test_profile_with_the_code_passed(signed_in_client, enrolled_user):
    within("profile", queries(signed_in_client, f"/user/{enrolled_user.username}/"))


def test_code_page(half_signed_in_client):
    half_signed_in_client.get("/2fa/verify/")  # sends the code
    within("code", queries(half_signed_in_client, "/2fa/verify/"))


def test_a_budget_fails_when_exceeded(client_logged_in):
    """The budget is a real limit: one query over it fails."""
    sql = queries(client_logged_in, "/")
    with pytest.raises(AssertionError):
        within("home", sql + ["SELECT 1"] * (BUDGETS["home"][0] + 1 - len(sql)))


def test_a_full_window_is_read_in_one_cache_round_trip(monkeypatch):
    """A page that shows a cooldown (the profile's panel, the code page) reads
    the window's count and start together: with the database cache each
    read is a query, and the cooldown was three."""
    from datetime import timedelta

    from django.core.cache import cache

    from core import ratelimit

    window = ratelimit.Window("test:budget:window", 1, timedelta(minutes=1), "reason")
    window.take()
    reads: list[str] = []

    class Recorder:  # the cache as core.ratelimit sees it, counting the reads
        def __getattr__(self, name):
            if name.startswith("get"):
                reads.append(name)
            return getattr(cache, name)

    monkeypatch.setattr(ratelimit, "cache", Recorder())
    decision = window.peek()
    assert not decision.allowed and decision.retry_at is not None
    assert reads == ["get_many"]
