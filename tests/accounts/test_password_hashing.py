"""Passwords: Argon2id for every new hash, PBKDF2 kept only to check (and then
replace) the hashes made before; and the hasher runs once per sign-in attempt
whether or not the login names an account, so timing doesn't tell which exist.

The suite hashes with MD5 for speed; these tests put the production list back.
"""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import MD5PasswordHasher, make_password

from accounts.models import User
from project import settings as production

URL = "/accounts/login/"


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def test_production_hashes_with_argon2id_and_keeps_pbkdf2_to_check_old_hashes():
    assert production.PASSWORD_HASHERS[0] == "accounts.hashers.Argon2idPasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS


@pytest.mark.django_db
def test_a_hash_with_djangos_argon2_parameters_is_remade_with_ours(
    production_hashers, client, user, password
):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user.password = make_password(password, hasher=Argon2PasswordHasher())
    user.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in user.password
    assert client.post(URL, {"username": user.username, "password": password}).status_code == 302
    user.refresh_from_db()
    assert "m=47104,t=1,p=1" in user.password


@pytest.mark.django_db
def test_a_new_password_is_an_argon2id_hash(production_hashers, user_factory):
    user = user_factory()
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_an_old_pbkdf2_hash_signs_in_and_becomes_argon2(production_hashers, client, user, password):
    # Iterations kept low so the test is quick; the upgrade is the same.
    user.password = make_password(password, hasher=_cheap_pbkdf2())
    user.save(update_fields=["password"])
    response = client.post(URL, {"username": user.username, "password": password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(password)


def _cheap_pbkdf2():
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    class Cheap(PBKDF2PasswordHasher):
        iterations = 1000

    return Cheap()


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast) that counts the hashes it computes, checks included."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    # Django forgets its cached hashers when the setting changes.
    settings.PASSWORD_HASHERS = ["tests.accounts.test_password_hashing.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.mark.django_db
@pytest.mark.parametrize(
    "login",
    [
        "alice",  # an account, wrong password
        "alice@example.com",  # the same account by email
        "nobody",  # no such username
        "nobody@example.com",  # no such email
        "x" * 300,  # longer than any login
    ],
)
def test_the_hasher_runs_once_whether_or_not_the_account_exists(counting_hasher, login):
    User.objects.create_user("alice", "alice@example.com", "the right one")
    counting_hasher.calls = 0
    assert authenticate(None, username=login, password="a wrong password") is None
    assert counting_hasher.calls == 1


@pytest.mark.django_db
def test_the_sign_in_page_hashes_for_an_unknown_login_too(counting_hasher, client):
    User.objects.create_user("alice", "alice@example.com", "the right one")
    counting_hasher.calls = 0
    client.post(URL, {"username": "alice", "password": "a wrong password"})
    known = counting_hasher.calls
    counting_hasher.calls = 0
    client.post(URL, {"username": "nobody", "password": "a wrong password"})
    assert known == counting_hasher.calls == 1
