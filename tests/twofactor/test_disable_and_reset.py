"""Turning two-factor off from the profile (with the password), and a reset by
an operator: the device goes, other sessions end."""

import html

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.twofactor.conftest import (
    DISABLE_URL,
    HX,
    LOGIN_URL,
    field,
    is_fragment,
    login,
    page_text,
    pass_code,
)
from twofactor import flows, session
from twofactor.factors.sms.backends import locmem
from twofactor.models import Factor

pytestmark = pytest.mark.django_db

PROFILE_URL = "/user/alice/"
both = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])


def variant(htmx: bool) -> dict:
    return HX if htmx else {}


@pytest.fixture
def second_session(enrolled_user, password) -> Client:
    other = Client()
    login(other, "alice", password)
    pass_code(other)
    assert other.get(PROFILE_URL).status_code == 200
    return other


@both
def test_disable_asks_for_the_password(signed_in_client, htmx):
    response = signed_in_client.get(DISABLE_URL, **variant(htmx))
    assert response.status_code == 200
    assert is_fragment(response) is htmx
    assert "To turn two-factor authentication off, enter your password." in page_text(response)
    password = field(response, "password")
    assert password.attrs["type"] == "password"
    assert password.attrs["autocomplete"] == "current-password"


@both
def test_a_wrong_password_is_an_inline_error_and_keeps_the_device(
    signed_in_client, enrolled_user, second_session, htmx
):
    response = signed_in_client.post(DISABLE_URL, {"password": "not it"}, **variant(htmx))
    assert response.status_code == 422
    assert is_fragment(response) is htmx
    assert "That password isn't right." in page_text(response)
    assert Factor.objects.phones().filter(user=enrolled_user).exists()
    assert second_session.get(PROFILE_URL).status_code == 200


@both
def test_the_right_password_removes_the_device_and_ends_other_sessions(
    signed_in_client, enrolled_user, second_session, password, htmx
):
    response = signed_in_client.post(DISABLE_URL, {"password": password}, **variant(htmx))
    if htmx:
        assert response.status_code == 200
        assert is_fragment(response)
        text = page_text(response)
        assert "Two-factor authentication is off." in text
        assert "Add a phone" in text
    else:
        assert response["Location"] == PROFILE_URL
        assert "Two-factor authentication is off." in page_text(signed_in_client.get(PROFILE_URL))
    assert not Factor.objects.phones().filter(user=enrolled_user).exists()
    # This session stays signed in, without a stale mark.
    assert signed_in_client.get("/accounts/profile/edit/").status_code == 200
    assert session.PASSED not in signed_in_client.session
    # The other one is signed out at its next request.
    assert second_session.get(PROFILE_URL)["Location"].startswith(LOGIN_URL)
    assert SESSION_KEY not in second_session.session


def test_after_disabling_a_sign_in_needs_only_the_password(
    signed_in_client, enrolled_user, password
):
    signed_in_client.post(DISABLE_URL, {"password": password})
    other = Client()
    login(other, "alice", password)
    locmem.outbox.clear()
    assert other.get("/accounts/profile/edit/").status_code == 200
    assert locmem.outbox == []


def test_disable_when_already_off(client_logged_in):
    response = client_logged_in.post(DISABLE_URL, {"password": "whatever"}, **HX)
    assert "Two-factor authentication is already off." in page_text(response)


def test_a_reset_removes_the_device_and_ends_every_session(
    signed_in_client, second_session, enrolled_user, password
):
    assert flows.reset(user=enrolled_user, actor="test") is True
    assert not Factor.objects.phones().filter(user=enrolled_user).exists()
    for client in (signed_in_client, second_session):
        assert client.get(PROFILE_URL)["Location"].startswith(LOGIN_URL)
    # Password alone from now on.
    fresh = Client()
    login(fresh, "alice", password)
    assert fresh.get(PROFILE_URL).status_code == 200


def test_a_reset_without_a_device_says_so(user):
    assert flows.reset(user=user, actor="test") is False


def test_wrong_passwords_on_disable_are_limited(
    signed_in_client, enrolled_user, password, settings
):
    """A stolen session can't guess the password at speed to turn 2FA off."""
    settings.ACCOUNTS_LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        response = signed_in_client.post("/2fa/disable/", {"password": "wrong guess"})
        assert "That password isn't right." in html.unescape(response.content.decode())
    response = signed_in_client.post("/2fa/disable/", {"password": password})
    assert response.status_code == 422
    assert "Too many wrong passwords." in response.content.decode()
    assert Factor.objects.phones().filter(user=enrolled_user).exists()
