"""Persistent database connections: on by default for PostgreSQL (a new
connection costs a round trip and authentication per request), checked before
reuse, and off for the SQLite file."""

import pytest

from tests.accounts.test_settings import settings_in_subprocess

PRINT = (
    "d = s.DATABASES['default']; "
    "print(d['ENGINE'].rsplit('.', 1)[-1], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "postgres://u@127.0.0.1:5432/site"}, "postgresql 600 True"),
        (
            {"DATABASE_URL": "postgres://u@127.0.0.1:5432/site", "DATABASE_CONN_MAX_AGE": "0"},
            "postgresql 0 True",
        ),
        ({}, "sqlite3 0 True"),
    ],
)
def test_connection_lifetime(env, expected):
    result = settings_in_subprocess({"DEBUG": "1", **env}, PRINT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
