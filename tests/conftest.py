import pytest
from django.test import Client

from accounts.models import User

# Fixtures for the Verify backends, the stateful fake and Prism live there;
# the production servers' (collected static files) in tests/servers.py.
pytest_plugins = ["tests.fixtures_verify", "tests.servers"]


def pytest_sessionstart(session):
    """The compiled catalogues (.mo) are build products that `make` makes from
    locale/*.po; build the missing or stale ones here too, so `pytest` run by
    hand (or after a merge brought new translations) sees the current ones."""
    from tests.catalogues import compile_catalogues

    compile_catalogues()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real row locks: on another database they are
    deselected (and say so), never reported as skipped-but-fine. `make test-pg`
    and CI's second pass run them on PostgreSQL."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres")]
    if postgres_only:
        config.hook.pytest_deselected(items=postgres_only)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config._postgres_deselected = len(postgres_only)


def pytest_terminal_summary(terminalreporter, config):
    count = getattr(config, "_postgres_deselected", 0)
    if count:
        terminalreporter.write_line(
            f"{count} PostgreSQL-only tests deselected on this database; "
            "`make test-pg` runs them (CI does)."
        )


@pytest.fixture(scope="session", autouse=True)
def _database_features_known(django_db_setup, django_db_blocker):
    """The model checks ask the database whether it has a JSON type (the
    factors' and security events' JSONFields). Ask once, here, so a test that
    runs the system checks without the `db` fixture doesn't depend on whether
    an earlier test happened to open the connection."""
    from django.db import connection

    with django_db_blocker.unblock():
        assert connection.features.supports_json_field


PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user_factory(db):
    counter = iter(range(1, 10_000))

    def make(**fields) -> User:
        n = next(counter)
        fields.setdefault("username", f"user{n}")
        fields.setdefault("email", f"user{n}@example.com")
        password = fields.pop("password", PASSWORD)
        return User.objects.create_user(password=password, **fields)

    return make


@pytest.fixture
def user(user_factory) -> User:
    return user_factory(username="alice", email="alice@example.com", first_name="Alice")


@pytest.fixture
def admin_client(db, admin_user, settings) -> Client:
    """pytest-django's `admin_client`, for tests of the admin's own pages: staff
    without a second factor are sent to set one up first unless
    TWOFACTOR_REQUIRED_FOR_STAFF is off (tests/twofactor/test_staff_required.py)."""
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = False
    client = Client()  # its own, like pytest-django's: `client` stays signed out
    client.force_login(admin_user)
    return client


@pytest.fixture
def client_logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client
