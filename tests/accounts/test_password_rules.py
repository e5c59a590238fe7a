"""Password rules to the letter of NIST 800-63B-4 and ASVS 5.0: long Unicode
passphrases accepted whole, length the only rule, breached passwords refused
offline with the reason shown."""

import socket

import pytest
from django.conf import global_settings
from django.contrib.auth import password_validation
from django.core.checks import run_checks
from django.core.exceptions import ValidationError

from accounts.models import User
from tests.accounts.test_password import reset_link
from tests.accounts.test_register import follow_confirmation_link, form_data

BREACHED = (
    "This password appears in lists of passwords leaked in data breaches, "
    "so attackers try it first. Please choose another."
)
PASSPHRASES = [
    "my 🐈 sleeps on the warm laptop every single afternoon, purring like an engine",
    "パスワードは長い文章です、とても長いので覚えやすいですね、本当にそう思います",
    "Ünïcödé wörds with  two  spaces\tand a tab, well past sixty-four characters long",
    "839261750394826",  # digits only: no composition rules
    "x" * 1000,
]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("passphrase", PASSPHRASES)
def test_long_unicode_passphrases_register_and_sign_in(client, passphrase):
    response = client.post(
        "/accounts/register/", form_data(password1=passphrase, password2=passphrase)
    )
    assert response.status_code == 302, response.context["form"].errors
    follow_confirmation_link(client)
    signed_in = client.post("/accounts/login/", {"username": "newcomer", "password": passphrase})
    assert signed_in.status_code == 302


def test_length_is_counted_in_characters_not_bytes():
    # 15 emoji are 60 bytes of UTF-8 but 15 characters: long enough, and no more.
    password_validation.validate_password("🐈🐕🐇🐢🐍🦊🦉🐝🦋🐌🐞🐜🦀🐙🦑")
    with pytest.raises(ValidationError, match="too short"):
        password_validation.validate_password("🐈🐕🐇🐢🐍🦊🦉🐝🦋🐌🐞🐜🦀🐙")


def test_nothing_is_truncated_with_the_production_hasher(settings, user):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    long = "the first seventy-two bytes are all a truncating hasher would ever see, " * 3
    user.set_password(long)
    assert user.password.startswith("pbkdf2_sha256$")
    assert user.check_password(long)
    assert not user.check_password(long[:72])
    assert not user.check_password(long[:-1] + "!")


def test_a_truncating_hasher_is_reported(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.BCryptPasswordHasher"]
    assert "accounts.W015" in {m.id for m in run_checks()}
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    assert "accounts.W015" not in {m.id for m in run_checks()}


def test_registration_refuses_a_breached_password_with_the_reason(client):
    response = client.post(
        "/accounts/register/", form_data(password1="iloveyou123456", password2="iloveyou123456")
    )
    assert response.status_code == 200
    assert BREACHED in response.context["form"].errors["password2"]
    assert "leaked in data breaches" in response.text
    assert not User.objects.exists()


def test_password_change_refuses_a_breached_password(client_logged_in, user, password):
    response = client_logged_in.post(
        "/accounts/password_change/",
        {
            "old_password": password,
            "new_password1": "0123456789012345",
            "new_password2": "0123456789012345",
        },
    )
    assert response.status_code == 200
    assert BREACHED in response.context["form"].errors["new_password2"]


def test_password_reset_refuses_a_breached_password(client, user, mailoutbox):
    client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    form_page = client.get(reset_link(mailoutbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "password1234567", "new_password2": "password1234567"},
    )
    assert response.status_code == 200
    assert BREACHED in response.context["form"].errors["new_password2"]


def test_the_register_page_says_what_is_refused(client):
    text = client.get("/accounts/register/").text
    assert "at least 15 characters" in text
    assert "appeared in a data breach" in text
    assert "entirely numeric" not in text


def test_the_check_makes_no_network_call(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network call during password validation")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(ValidationError, match="leaked in data breaches"):
        password_validation.validate_password("qwertyuiop123456")


def test_the_minimum_length_comes_from_the_environment():
    from tests.accounts.test_settings import settings_in_subprocess

    result = settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ACCOUNTS_PASSWORD_MIN_LENGTH": "20"},
        "print([v.get('OPTIONS') for v in s.AUTH_PASSWORD_VALIDATORS if 'Minimum' in v['NAME']])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[{'min_length': 20}]"


@pytest.mark.parametrize(
    "typed",
    [
        "ｐａｓｓｗｏｒｄ１２３４５６７８",  # full-width: NFKC makes it "password12345678"
        "ｑｗｅｒｔｙｕｉｏｐ１２３４５６",  # a breached one, in full-width letters
    ],
)
def test_the_rules_judge_the_password_as_it_is_hashed(typed):
    from accounts.passwords import normalise

    assert normalise(typed) != typed
    with pytest.raises(ValidationError):
        password_validation.validate_password(typed)


def test_the_length_counts_the_normalised_password(settings):
    # "é" as e + a combining accent: 2 code points typed, 1 once normalised.
    typed = "e\u0301" * 8  # 16 typed, 8 stored
    with pytest.raises(ValidationError, match="too short"):
        password_validation.validate_password(typed)
