"""SQLite as the project configures it holds concurrent writers (issue 11).

The pattern that gave "database is locked" 500s under load: a transaction reads,
another request writes and commits, then the first one writes. In SQLite's
default (deferred) mode the first can't wait for the lock and fails at once;
with the project's `SQLITE_OPTIONS` (BEGIN IMMEDIATE, WAL, a busy timeout) the
second waits its turn and both succeed. Run on a file, as `make run` does, on
both test passes (the options are the project's, whatever DATABASE_URL says).
"""

import threading

import pytest
from django.db import OperationalError, connections, transaction

from project import settings as project_settings

ALIAS = "sqlite_probe"


def attach(path, options):
    """A connection to the SQLite file in this thread, under `ALIAS`."""
    from django.db.backends.sqlite3.base import DatabaseWrapper
    from django.db.utils import ConnectionHandler

    # ConnectionHandler fills in the keys a settings dict needs.
    completed = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options}}
    ).settings["default"]
    connections[ALIAS] = DatabaseWrapper(completed, alias=ALIAS)
    return connections[ALIAS]


def read_then_write_while_another_writes(path, options) -> list[str]:
    """What went wrong, if anything, in the deadlock-prone pattern."""
    problems: list[str] = []
    setup = attach(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    first_has_read = threading.Event()

    def second() -> None:
        connection = attach(path, options)
        first_has_read.wait(5)
        try:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE counter SET n = n + 1")
        except OperationalError as error:
            problems.append(f"second: {error}")
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    thread.start()
    connection = attach(path, options)
    try:
        with transaction.atomic(using=ALIAS):
            with connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                cursor.fetchall()
            first_has_read.set()
            thread.join(0.5)  # the other request writes (or waits) meanwhile
            with connection.cursor() as cursor:
                cursor.execute("UPDATE counter SET n = n + 10")
    except OperationalError as error:
        problems.append(f"first: {error}")
    thread.join(10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        total = cursor.fetchone()[0]
    if not problems and total != 11:
        problems.append(f"lost a write: {total}")
    connection.close()
    del connections[ALIAS]
    return problems


@pytest.fixture
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def test_concurrent_writers_wait_their_turn(tmp_path, unblocked):
    options = {**project_settings.SQLITE_OPTIONS, "timeout": 5}
    assert read_then_write_while_another_writes(tmp_path / "db.sqlite3", options) == []


def test_without_the_options_the_same_pattern_fails(tmp_path, unblocked):
    # The reason for the options, shown: SQLite's defaults answer "database is locked".
    problems = read_then_write_while_another_writes(tmp_path / "db.sqlite3", {"timeout": 5})
    assert problems and "database is locked" in problems[0]


def test_the_file_is_in_wal_mode(tmp_path, unblocked):
    connection = attach(tmp_path / "db.sqlite3", project_settings.SQLITE_OPTIONS)
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1  # NORMAL
    finally:
        connection.close()
        del connections[ALIAS]


def test_the_default_database_gets_them_on_sqlite():
    database = project_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        assert "transaction_mode" not in database.get("OPTIONS", {})
    else:
        assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
