"""Failed sign-ins are limited per login and client address, and per address."""

import html
import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.backends import UsernameOrEmailBackend

URL = "/accounts/login/"
TOO_MANY = "Too many failed sign-ins. Try again in 15 minutes."
INVALID = "That username or email and password don't match an account."
HERE = "203.0.113.5"
ELSEWHERE = "198.51.100.7"
START = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """The logins whose password the backend checked."""
    checked: list[str] = []
    original = UsernameOrEmailBackend.authenticate

    def spy(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(UsernameOrEmailBackend, "authenticate", spy)
    return checked


def sign_in(client, login: str, password: str, ip: str = HERE):
    return client.post(URL, {"username": login, "password": password}, REMOTE_ADDR=ip)


def fail(client, login: str, times: int, ip: str = HERE) -> None:
    for _ in range(times):
        response = sign_in(client, login, "not the password", ip=ip)
        assert response.status_code == 200
        assert INVALID in html.unescape(response.text)


def signed_in(client) -> bool:
    return client.session.get(SESSION_KEY) is not None


def test_ten_failures_stop_the_eleventh_try_without_checking_the_password(
    client, user, password, frozen, password_checks
):
    fail(client, "alice", 10)
    assert len(password_checks) == 10

    # The right password now: refused all the same, and never checked.
    response = sign_in(client, "alice", password)
    assert response.status_code == 429
    assert TOO_MANY in response.text
    assert response.context["form"].non_field_errors() == [TOO_MANY]
    assert len(password_checks) == 10
    assert not signed_in(client)
    # What was typed stays; the password doesn't come back.
    form = response.context["form"]
    assert form["username"].value() == "alice"
    assert 'value="alice"' in response.text
    assert password not in response.text


def test_the_limit_ends_with_its_window(client, user, password, frozen):
    fail(client, "alice", 10)
    frozen.shift(timedelta(minutes=14))
    response = sign_in(client, "alice", password)
    assert response.status_code == 429
    assert "Try again in 1 minute." in response.text

    frozen.shift(timedelta(minutes=1))
    response = sign_in(client, "alice", password)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_login_is_counted_in_any_case_and_spacing(client, user, password, frozen):
    for login in ["alice", "ALICE", " Alice ", "aLiCe"] * 2 + ["alice", "Alice"]:
        fail(client, login, 1)
    assert sign_in(client, "alice", password).status_code == 429


def test_a_stranger_elsewhere_cannot_lock_the_owner_out(client, user, password, frozen):
    fail(client, "alice", 10, ip=ELSEWHERE)
    assert sign_in(client, "alice", password, ip=ELSEWHERE).status_code == 429

    response = sign_in(client, "alice", password, ip=HERE)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_starts_the_count_again(client, user, password, frozen):
    fail(client, "alice", 9)
    assert sign_in(client, "alice", password).status_code == 302
    client.post("/accounts/logout/")

    fail(client, "alice", 9)
    response = sign_in(client, "alice", password)
    assert response.status_code == 302
    assert signed_in(client)


def test_one_address_trying_many_logins_is_stopped(
    client, user, password, settings, frozen, password_checks
):
    settings.ACCOUNTS_LOGIN_FAILURE_IP_LIMIT = 5
    for n in range(5):
        fail(client, f"someone{n}", 1)

    response = sign_in(client, "alice", password)
    assert response.status_code == 429
    assert TOO_MANY in response.text
    assert "alice" not in password_checks
    assert not signed_in(client)
    # Another address is not affected.
    assert sign_in(client, "alice", password, ip=ELSEWHERE).status_code == 302


def test_the_address_limit_defaults_to_fifty(client, user, password, frozen):
    for n in range(49):
        fail(client, f"someone{n}", 1)
    assert sign_in(client, "nobody", "not the password").status_code == 200
    assert sign_in(client, "alice", password).status_code == 429


def test_the_limits_and_window_come_from_settings(client, user, password, settings, frozen):
    settings.ACCOUNTS_LOGIN_FAILURE_LIMIT = 2
    settings.ACCOUNTS_LOGIN_FAILURE_WINDOW = 60
    fail(client, "alice", 2)
    response = sign_in(client, "alice", password)
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 1 minute." in response.text

    frozen.shift(timedelta(seconds=60))
    assert sign_in(client, "alice", password).status_code == 302


def test_a_refusal_is_logged_without_the_password(client, user, password, frozen, caplog):
    fail(client, "alice", 10)
    with caplog.at_level(logging.WARNING, logger="accounts"):
        sign_in(client, "alice", password)
    refusals = [r for r in caplog.records if r.name == "accounts"]
    assert len(refusals) == 1
    text = refusals[0].getMessage()
    assert "'alice'" in text and HERE in text
    assert password not in text
    assert "not the password" not in text


def test_an_empty_password_is_not_counted(client, user, password, frozen):
    for _ in range(12):
        response = client.post(URL, {"username": "alice", "password": ""}, REMOTE_ADDR=HERE)
        assert response.status_code == 200
    assert sign_in(client, "alice", password).status_code == 302


def test_a_form_without_a_password_does_not_start_the_count_again(client, user, password, frozen):
    fail(client, "alice", 9)
    client.post(URL, {"username": "alice", "password": ""}, REMOTE_ADDR=HERE)
    fail(client, "alice", 1)
    assert sign_in(client, "alice", password).status_code == 429


@pytest.mark.django_db
def test_the_admin_login_has_the_same_limit(client, user_factory, password, settings):
    settings.ACCOUNTS_LOGIN_FAILURE_LIMIT = 3
    staff = user_factory(username="boss", is_staff=True)
    for _ in range(3):
        response = client.post(
            "/admin/login/", {"username": "boss", "password": "wrong", "next": "/admin/"}
        )
        assert "Too many failed sign-ins" not in response.content.decode()
    response = client.post(
        "/admin/login/", {"username": "boss", "password": password, "next": "/admin/"}
    )
    # Refused even with the right password: past the limit it isn't checked.
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert staff.pk


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_no_more_checks_than_the_limit(settings):
    """Attempts are counted before the password is checked."""
    from accounts import throttles
    from tests.threads import all_at_once

    settings.ACCOUNTS_LOGIN_FAILURE_LIMIT = 5
    decisions = all_at_once(
        20, lambda i: throttles.begin_attempt(login="alice", ip="192.0.2.9"), timeout=30
    )
    assert sum(d.allowed for d in decisions) == 5
