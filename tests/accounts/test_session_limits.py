"""Session lifetimes are enforced by the server, whatever the cookie says:
a session not remembered ends after an hour idle or a day in all; "Remember
me" keeps the password step for SESSION_COOKIE_AGE."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client

from accounts import session_limits

URL = "/accounts/login/"
START = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def sign_in(client: Client, password: str, remember: bool = False) -> None:
    data = {"username": "alice", "password": password}
    if remember:
        data["remember_me"] = "on"
    assert client.post(URL, data).status_code == 302


def signed_in(client: Client) -> bool:
    response = client.get("/accounts/password_change/")
    return response.status_code == 200


def test_a_session_not_remembered_ends_after_an_hour_idle(client, user, password, clock):
    sign_in(client, password)
    clock.shift(timedelta(minutes=59))
    assert signed_in(client)
    # Each request starts the idle hour again.
    clock.shift(timedelta(minutes=59))
    assert signed_in(client)
    clock.shift(timedelta(hours=1, seconds=1))
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?next=/accounts/password_change/"
    assert SESSION_KEY not in client.session
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You were signed out after a while without activity. Please sign in again."
    ]


def test_a_session_not_remembered_ends_after_a_day_however_active(client, user, password, clock):
    sign_in(client, password)
    for _ in range(47):  # a request every 30 minutes, to 23.5 hours
        clock.shift(timedelta(minutes=30))
        assert signed_in(client)
    clock.shift(timedelta(minutes=31))
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your session has ended. Please sign in again."
    ]


def test_the_limits_are_settings(client, user, password, clock, settings):
    settings.ACCOUNTS_SESSION_IDLE_TIMEOUT = 60
    sign_in(client, password)
    clock.shift(timedelta(seconds=61))
    assert not signed_in(client)

    settings.ACCOUNTS_SESSION_IDLE_TIMEOUT = 3600
    settings.ACCOUNTS_SESSION_MAX_AGE = 600
    sign_in(client, password)
    clock.shift(timedelta(seconds=590))
    assert signed_in(client)
    clock.shift(timedelta(seconds=20))
    assert not signed_in(client)


def test_the_server_ends_it_even_if_the_cookie_is_kept(client, user, password, clock, settings):
    """A browser that restores "session" cookies (or a copied cookie) gets nowhere."""
    sign_in(client, password)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    clock.shift(timedelta(hours=2))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/accounts/password_change/").status_code == 302


def test_a_remembered_session_survives_idle_hours_and_days(client, user, password, clock):
    sign_in(client, password, remember=True)
    clock.shift(timedelta(hours=3))
    assert signed_in(client)
    clock.shift(timedelta(days=3))
    assert signed_in(client)


def test_a_remembered_session_ends_after_session_cookie_age_on_the_server(
    client, user, password, clock, settings
):
    settings.SESSION_COOKIE_AGE = 7 * 24 * 3600
    sign_in(client, password, remember=True)
    for _ in range(7):
        clock.shift(timedelta(hours=23))
        assert signed_in(client)
    clock.shift(timedelta(hours=8))
    assert not signed_in(client)


def test_an_htmx_request_of_an_ended_session_is_redirected_whole(client, user, password, clock):
    sign_in(client, password)
    clock.shift(timedelta(hours=2))
    response = client.get("/accounts/profile/edit/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == URL


def test_the_admin_sign_in_gets_the_same_limits(client, user_factory, password, clock, settings):
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = False  # a staff account without a factor
    user_factory(username="sam", email="sam@example.com", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": "sam", "password": password})
    assert response.status_code == 302
    assert client.session.get_expire_at_browser_close() is True
    assert client.get("/admin/").status_code == 200
    clock.shift(timedelta(hours=1, minutes=1))
    assert client.get("/admin/").status_code == 302
    assert SESSION_KEY not in client.session


def test_activity_is_written_at_most_once_a_minute(client, user, password, clock):
    sign_in(client, password)
    written = client.session[session_limits.ACTIVE_AT]
    clock.shift(timedelta(seconds=59))
    client.get("/")
    assert client.session[session_limits.ACTIVE_AT] == written
    clock.shift(timedelta(seconds=1))
    client.get("/")
    assert client.session[session_limits.ACTIVE_AT] == (START + timedelta(minutes=1)).isoformat()


def test_password_change_ends_the_other_sessions(client, user, password):
    other = Client()
    other.force_login(user)
    client.force_login(user)
    new = "another-long-passphrase-here"
    client.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert signed_in(client)
    assert not signed_in(other)


def test_a_deactivated_users_live_sessions_stop_on_their_next_request(client, user):
    client.force_login(user)
    assert signed_in(client)
    user.is_active = False
    user.save()
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith(URL)


def test_the_second_factor_is_due_again_after_a_day_or_an_idle_hour(
    client, user, password, clock, rf
):
    """The accounts half of "Remember me asks for the code again after 24 h":
    what two-factor's session mark will ask (twofactor/session.py)."""
    sign_in(client, password, remember=True)
    passed_at = START
    response = client.get("/")
    assert not session_limits.second_factor_due_again(response.wsgi_request, passed_at=passed_at)
    # A request every 50 minutes: never idle an hour, but the day runs out.
    for _ in range(28):
        clock.shift(timedelta(minutes=50))
        response = client.get("/")
        assert not session_limits.second_factor_due_again(
            response.wsgi_request, passed_at=passed_at
        )
    clock.shift(timedelta(minutes=50))  # 24 h 10 min after the code passed
    response = client.get("/")
    assert signed_in(client)  # the remembered password step goes on
    assert session_limits.second_factor_due_again(response.wsgi_request, passed_at=passed_at)


def test_the_second_factor_is_due_again_after_an_idle_hour_when_remembered(
    client, user, password, clock
):
    sign_in(client, password, remember=True)
    clock.shift(timedelta(minutes=61))
    response = client.get("/")
    assert signed_in(client)
    assert session_limits.idle_before_request(response.wsgi_request) == timedelta(minutes=61)
    assert session_limits.second_factor_due_again(
        response.wsgi_request, passed_at=START + timedelta(minutes=1)
    )
    # The next request is not idle any more.
    response = client.get("/")
    assert not session_limits.second_factor_due_again(
        response.wsgi_request, passed_at=START + timedelta(minutes=61)
    )


def test_an_unknown_pass_time_is_due(rf):
    assert session_limits.second_factor_due_again(rf.get("/"), passed_at=None)
