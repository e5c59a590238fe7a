"""Where the shared state lives: Redis (and `cached_db` sessions) with REDIS_URL;
without it the database cache, never one process's memory — with several
workers or servers each would keep its own rate-limit counters, and so allow
its own full limit. And the database cache's `incr` that the limits count on:
one that keeps the key's expiry and doesn't lose a count to a race."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.accounts.test_settings import settings_in_subprocess
from tests.threads import all_at_once


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "project.cache.AtomicDatabaseCache django.contrib.sessions.backends.db"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/9"},
            "django.core.cache.backends.redis.RedisCache "
            "django.contrib.sessions.backends.cached_db",
        ),
    ],
)
def test_the_cache_and_the_sessions(env, expected):
    code = (
        "print(s.CACHES['default']['BACKEND'],"
        " getattr(s, 'SESSION_ENGINE', 'django.contrib.sessions.backends.db'))"
    )
    result = settings_in_subprocess({"DEBUG": "1", **env}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.fixture
def database_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "project.cache.AtomicDatabaseCache", "LOCATION": "test_cache"}
    }
    call_command("createcachetable", verbosity=0)
    return cache


def _expires(key: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM test_cache WHERE cache_key = %s", [cache.make_key(key)])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_incr_adds_and_keeps_the_expiry(database_cache):
    database_cache.set("count", 1, timeout=3600)
    before = _expires("count")
    assert database_cache.incr("count") == 2
    assert database_cache.incr("count", 5) == 7
    assert database_cache.decr("count") == 6
    assert database_cache.get("count") == 6
    # Django's own incr would have moved it to the default 300 s from now.
    assert _expires("count") == before


@pytest.mark.django_db
def test_incr_of_a_missing_or_expired_key_is_a_value_error(database_cache, time_machine):
    with pytest.raises(ValueError):
        database_cache.incr("missing")
    database_cache.set("short", 1, timeout=60)
    time_machine.move_to(timezone.now() + timedelta(seconds=61))
    with pytest.raises(ValueError):
        database_cache.incr("short")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_incr_loses_no_count(database_cache):
    database_cache.set("count", 0, timeout=3600)
    threads, per_thread = 8, 10
    all_at_once(threads, lambda i: [database_cache.incr("count") for _ in range(per_thread)])
    assert database_cache.get("count") == threads * per_thread


@pytest.mark.django_db
def test_add_sees_a_key_expire_when_get_does(database_cache, time_machine):
    """Expiries are stored in whole seconds; Django's own `add` also cuts the
    time to the second, so just after a cooldown ended `get` said it was over
    and `add` refused to start a new one (and a resend went out uncounted)."""
    time_machine.move_to(datetime(2030, 1, 1, 10, 0, 0, 300_000, tzinfo=UTC), tick=False)
    database_cache.set("cooldown", 1, timeout=1)  # stored as expiring at 10:00:01
    assert database_cache.get("cooldown") == 1
    time_machine.move_to(datetime(2030, 1, 1, 10, 0, 0, 900_000, tzinfo=UTC), tick=False)
    assert database_cache.add("cooldown", 2, timeout=1) is False  # still there
    time_machine.move_to(datetime(2030, 1, 1, 10, 0, 1, 500_000, tzinfo=UTC), tick=False)
    assert database_cache.add("cooldown", 2, timeout=1) is True
    assert database_cache.get("cooldown") == 2
