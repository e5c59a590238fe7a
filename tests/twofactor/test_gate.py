"""The gate: a half-signed-in session reaches the code page and nothing else."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.twofactor.conftest import (
    CANCEL_URL,
    HX,
    LOGIN_URL,
    OTHER_NUMBER,
    PANEL_URL,
    RESEND_URL,
    VERIFY_URL,
    last_code,
    login,
    make_device,
    page_text,
    pass_code,
)
from twofactor import flows, session
from twofactor.factors.sms.backends import locmem
from twofactor.models import Factor

pytestmark = pytest.mark.django_db

GATED_URLS = [
    "/",
    "/user/alice/",
    "/accounts/profile/edit/",
    "/accounts/password_change/",
    "/admin/",
    PANEL_URL,
    "/2fa/enable/",
    "/2fa/disable/",
]


def verify_url(next_url: str) -> str:
    return f"{VERIFY_URL}?{urlencode({'next': next_url})}"


@pytest.mark.parametrize("url", GATED_URLS)
def test_every_page_redirects_a_half_signed_in_session_to_the_code_page(half_signed_in_client, url):
    response = half_signed_in_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == verify_url(url)


@pytest.mark.parametrize("url", GATED_URLS)
def test_an_htmx_request_gets_hx_redirect_never_a_fragment(half_signed_in_client, url):
    response = half_signed_in_client.get(url, **HX)
    assert response["HX-Redirect"] == VERIFY_URL
    assert response.content == b""


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/profile/edit/", {"username": "mallory"}),
        ("/accounts/password_change/", {"old_password": "x"}),
        ("/2fa/enable/", {"country": "US", "number": OTHER_NUMBER}),
        ("/2fa/disable/", {"password": "correct horse battery staple"}),
    ],
)
def test_posts_are_refused_too(half_signed_in_client, enrolled_user, url, data):
    response = half_signed_in_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == VERIFY_URL
    enrolled_user.refresh_from_db()
    assert enrolled_user.username == "alice"
    assert Factor.objects.phones().get(user=enrolled_user).number == "+12015550123"
    assert all(m.to != OTHER_NUMBER for m in locmem.outbox)


def test_the_code_page_resend_and_cancel_are_reachable(half_signed_in_client):
    assert half_signed_in_client.get(VERIFY_URL).status_code == 200
    assert half_signed_in_client.post(RESEND_URL, {"channel": "sms"}).status_code in (200, 429)
    response = half_signed_in_client.post(CANCEL_URL)
    assert response["Location"] == LOGIN_URL
    assert SESSION_KEY not in half_signed_in_client.session


def test_signing_out_is_reachable(half_signed_in_client):
    response = half_signed_in_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert SESSION_KEY not in half_signed_in_client.session


def test_static_files_are_reachable(half_signed_in_client):
    response = half_signed_in_client.get("/static/js/twofactor.js")
    assert response.status_code == 200


def test_after_the_code_every_page_opens(signed_in_client):
    for url in GATED_URLS:
        response = signed_in_client.get(url)
        if url == "/admin/":  # alice is not staff: the admin's own login page
            assert response["Location"].startswith("/admin/login/")
        else:
            assert response.status_code == 200, url


def test_a_user_without_two_factor_is_never_gated(client, user, password):
    login(client, "alice", password)
    for url in GATED_URLS:
        if url == "/admin/":
            continue
        response = client.get(url)
        if url == "/2fa/disable/":  # nothing to disable: back to the profile
            assert response["Location"] == "/user/alice/"
        else:
            assert response.status_code == 200, url
    assert client.get(VERIFY_URL)["Location"] == "/"
    assert locmem.outbox == []


def test_a_sign_in_through_the_admin_login_is_gated(client, user_factory, password):
    staff = user_factory(username="root", is_staff=True, is_superuser=True)
    make_device(staff)
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": password})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)
    response = client.get("/admin/")
    assert response["Location"] == verify_url("/admin/")
    assert client.get("/admin/accounts/user/")["Location"].startswith(VERIFY_URL)
    # After the code the admin opens.
    client.get(VERIFY_URL)
    client.post(VERIFY_URL, {"code": last_code(), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_a_force_login_session_is_gated_too(client, enrolled_user):
    # Not through the login view at all: the gate goes by the session's mark.
    client.force_login(enrolled_user)
    assert client.get("/user/alice/")["Location"] == verify_url("/user/alice/")


def test_the_half_signed_in_state_ends_after_ten_minutes(frozen, half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    frozen.shift(9 * 60)
    assert half_signed_in_client.get(VERIFY_URL).status_code == 200
    frozen.shift(2 * 60)
    response = half_signed_in_client.get("/user/alice/", follow=True)
    assert response.redirect_chain == [(LOGIN_URL, 302)]
    assert "Signing in took too long, so we stopped it. Please sign in again." in page_text(
        response
    )
    assert SESSION_KEY not in half_signed_in_client.session


def test_the_code_page_itself_ends_after_ten_minutes(frozen, half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    code = last_code()
    frozen.shift(11 * 60)
    response = half_signed_in_client.post(VERIFY_URL, {"code": code})
    assert response["Location"] == LOGIN_URL
    assert SESSION_KEY not in half_signed_in_client.session
    # By htmx as well: the browser is sent to the login page.
    login(half_signed_in_client, "alice", "correct horse battery staple")
    frozen.shift(11 * 60)
    response = half_signed_in_client.post(VERIFY_URL, {"code": code}, **HX)
    assert response["HX-Redirect"] == LOGIN_URL


def test_a_number_changed_in_another_session_sends_this_one_back_to_the_code_page(
    signed_in_client, enrolled_user, password
):
    assert signed_in_client.get("/user/alice/").status_code == 200
    other = Client()
    login(other, "alice", password)
    pass_code(other)
    other.post("/2fa/enable/", {"country": "US", "number": OTHER_NUMBER, "password": password})
    other.post("/2fa/enable/confirm/", {"code": last_code(OTHER_NUMBER)})
    assert Factor.objects.phones().get(user=enrolled_user).number == OTHER_NUMBER
    # The session that changed it carries on; the other one passes a code again.
    assert other.get("/user/alice/").status_code == 200
    assert signed_in_client.get("/user/alice/")["Location"] == verify_url("/user/alice/")
    signed_in_client.get(VERIFY_URL)
    assert locmem.outbox[-1].to == OTHER_NUMBER
    signed_in_client.post(VERIFY_URL, {"code": last_code(OTHER_NUMBER)})
    assert signed_in_client.get("/user/alice/").status_code == 200


def test_disabling_in_another_session_ends_this_one(signed_in_client, password):
    other = Client()
    login(other, "alice", password)
    pass_code(other)
    other.post("/2fa/disable/", {"password": password})
    response = signed_in_client.get("/user/alice/")
    assert response["Location"].startswith(LOGIN_URL)
    assert SESSION_KEY not in signed_in_client.session
    assert other.get("/user/alice/").status_code == 200


def test_a_reset_ends_the_users_sessions(signed_in_client, enrolled_user):
    flows.reset(user=enrolled_user, actor="test")
    response = signed_in_client.get("/user/alice/")
    assert response["Location"].startswith(LOGIN_URL)
    assert SESSION_KEY not in signed_in_client.session


def test_two_factor_turned_on_elsewhere_gates_an_older_session(client, user, password):
    login(client, "alice", password)
    assert client.get("/user/alice/").status_code == 200
    other = Client()
    login(other, "alice", password)
    other.post("/2fa/enable/", {"country": "US", "number": OTHER_NUMBER, "password": password})
    other.post("/2fa/enable/confirm/", {"code": last_code()})
    assert other.get("/user/alice/").status_code == 200
    assert client.get("/user/alice/")["Location"] == verify_url("/user/alice/")
    assert session.PASSED not in client.session


def test_the_gate_and_the_navbar_share_one_device_lookup(signed_in_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = signed_in_client.get("/")
    assert response.status_code == 200
    device_queries = [q for q in queries if "twofactor_factor" in q["sql"]]
    assert len(device_queries) == 1
