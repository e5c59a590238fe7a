import pytest
from django.test import Client

from accounts.models import User

# Fixtures for the Verify backends, the stateful fake and Prism live there.
pytest_plugins = ["tests.fixtures_verify"]

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
def client_logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client
