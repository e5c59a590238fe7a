"""Signing in with a password and then a code, through the test client."""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY

from tests.twofactor.conftest import (
    CANCEL_URL,
    HX,
    LOGIN_URL,
    MASKED,
    NUMBER,
    RESEND_URL,
    VERIFY_URL,
    field,
    is_fragment,
    last_code,
    login,
    page_text,
    pass_code,
    session_cookie,
    wrong_code,
)
from twofactor import session
from twofactor.factors.sms.backends import Channel, CheckStatus, locmem
from twofactor.factors.sms.backends import local as local_backend

pytestmark = pytest.mark.django_db

UNAVAILABLE = "The text message service isn't answering right now. Please try again in a minute."
EXPIRED = "That code has expired. We've sent a new one."


def passed(client) -> bool:
    return session.PASSED in client.session


def test_password_then_the_code_page_with_next_carried(client, enrolled_user, password):
    response = client.post(
        f"{LOGIN_URL}?next=/accounts/profile/edit/",
        {"username": "alice", "password": password},
        follow=True,
    )
    assert response.redirect_chain[-1] == (
        f"{VERIFY_URL}?{urlencode({'next': '/accounts/profile/edit/'})}",
        302,
    )
    assert response.request["PATH_INFO"] == VERIFY_URL
    assert field(response, "next").attrs["value"] == "/accounts/profile/edit/"
    # Signed in by password, but not past the gate.
    assert client.session[SESSION_KEY] == str(enrolled_user.pk)
    assert not passed(client)


def test_a_user_without_two_factor_signs_in_with_the_password_alone(client, user, password):
    response = login(client, "alice", password)
    assert response["Location"] == "/"
    assert client.get("/accounts/profile/edit/").status_code == 200
    assert locmem.outbox == []


def test_one_code_is_sent_and_a_reload_does_not_send_another(half_signed_in_client):
    assert locmem.outbox == []  # the code page sends it, not the password step
    first = half_signed_in_client.get(VERIFY_URL)
    assert first.status_code == 200
    assert len(locmem.outbox) == 1
    assert locmem.outbox[0].to == NUMBER
    assert locmem.outbox[0].channel is Channel.SMS
    half_signed_in_client.get(VERIFY_URL)
    half_signed_in_client.get(VERIFY_URL)
    assert len(locmem.outbox) == 1


def test_the_code_page_shows_the_masked_number_and_a_one_time_code_field(half_signed_in_client):
    response = half_signed_in_client.get(VERIFY_URL)
    text = page_text(response)
    # The masked number, once (in the message about the send, or in the prompt).
    assert text.count(MASKED) == 1
    assert "To finish signing in, enter the code" in text
    assert NUMBER not in text
    code = field(response, "code")
    assert code.attrs["autocomplete"] == "one-time-code"
    assert code.attrs["inputmode"] == "numeric"
    assert code.attrs.get("type", "text") == "text"
    assert "Resend code" in text
    assert "Call me instead" in text
    assert "Cancel and sign out" in text


@pytest.mark.parametrize("htmx", [False, True], ids=["full-page", "htmx"])
def test_a_wrong_code_is_an_inline_error_with_the_tries_left(half_signed_in_client, htmx):
    half_signed_in_client.get(VERIFY_URL)
    code = last_code()
    extra = HX if htmx else {}
    response = half_signed_in_client.post(VERIFY_URL, {"code": wrong_code(code)}, **extra)
    assert response.status_code == 422
    assert "That code isn't right — 4 tries left." in page_text(response)
    assert is_fragment(response) is htmx
    if htmx:
        assert 'id="code-form"' in response.content.decode()
    # The field is emptied for the next try.
    assert "value" not in field(response, "code").attrs
    response = half_signed_in_client.post(VERIFY_URL, {"code": wrong_code(code)}, **extra)
    assert "That code isn't right — 3 tries left." in page_text(response)
    assert not passed(half_signed_in_client)


def test_five_wrong_codes_lock_even_the_right_one_out(frozen, half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    code = last_code()
    for tries_left in (4, 3, 2, 1):
        response = half_signed_in_client.post(VERIFY_URL, {"code": wrong_code(code)})
        assert f"— {tries_left} tr" in page_text(response)
    response = half_signed_in_client.post(VERIFY_URL, {"code": wrong_code(code)})
    assert response.status_code == 429
    assert "Too many tries. You can try again in 10 minutes." in page_text(response)
    frozen.shift(60)
    response = half_signed_in_client.post(VERIFY_URL, {"code": code})
    assert response.status_code == 429
    assert "Too many tries. You can try again in 9 minutes." in page_text(response)
    assert not passed(half_signed_in_client)
    assert half_signed_in_client.get("/accounts/profile/edit/").status_code == 302


def test_an_expired_code_says_so_and_a_new_one_is_sent(half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    code = last_code()
    locmem.fail_next_check(CheckStatus.EXPIRED)
    response = half_signed_in_client.post(VERIFY_URL, {"code": code})
    assert response.status_code == 422
    assert EXPIRED in page_text(response)
    assert len(locmem.outbox) == 2
    assert locmem.outbox[-1].to == NUMBER
    assert not passed(half_signed_in_client)


def test_a_code_expired_by_the_clock_is_replaced(frozen, half_signed_in_client, settings):
    # The half-signed-in state would itself end at 10 minutes; give it longer
    # so that only the code's 10 minutes run out.
    settings.TWOFACTOR_PENDING_TIMEOUT = 3600
    half_signed_in_client.get(VERIFY_URL)
    old = last_code()
    frozen.shift(11 * 60)
    response = half_signed_in_client.post(VERIFY_URL, {"code": old})
    assert EXPIRED in page_text(response)
    assert len(locmem.outbox) == 2
    response = half_signed_in_client.post(VERIFY_URL, {"code": last_code()})
    assert response.status_code == 302
    assert passed(half_signed_in_client)


def test_the_service_down_while_checking_does_not_sign_in(half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    locmem.fail_next_check(CheckStatus.UNAVAILABLE)
    response = half_signed_in_client.post(VERIFY_URL, {"code": last_code()})
    assert response.status_code == 503
    assert UNAVAILABLE in page_text(response)
    assert not passed(half_signed_in_client)
    assert half_signed_in_client.get("/accounts/profile/edit/").status_code == 302


def test_resend_waits_for_the_cooldown_then_sends(frozen, half_signed_in_client):
    response = half_signed_in_client.get(VERIFY_URL)
    assert "You can ask for a new code in 30 seconds." in page_text(response)
    frozen.shift(10)
    response = half_signed_in_client.post(RESEND_URL, {"channel": "sms"})
    assert response.status_code == 429
    assert "We've just sent a code. You can ask for another one in 20 seconds." in page_text(
        response
    )
    assert len(locmem.outbox) == 1
    frozen.shift(21)
    response = half_signed_in_client.post(RESEND_URL, {"channel": "sms"}, **HX)
    assert response.status_code == 200
    assert is_fragment(response)
    assert f"We've sent a code to {MASKED}." in page_text(response)
    assert len(locmem.outbox) == 2
    assert locmem.outbox[-1].channel is Channel.SMS
    # The resent code works.
    assert half_signed_in_client.post(VERIFY_URL, {"code": last_code()}).status_code == 302


def test_call_me_instead_uses_the_voice_channel(frozen, half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    frozen.shift(31)
    response = half_signed_in_client.post(RESEND_URL, {"channel": "call"})
    assert response.status_code == 200
    assert f"We're calling {MASKED} with your code." in page_text(response)
    assert locmem.outbox[-1].channel is Channel.CALL
    assert locmem.outbox[-1].to == NUMBER


def test_the_right_code_rotates_the_session_key_and_goes_to_next(half_signed_in_client):
    half_signed_in_client.get(f"{VERIFY_URL}?next=/accounts/profile/edit/")
    before = session_cookie(half_signed_in_client)
    response = half_signed_in_client.post(
        VERIFY_URL, {"code": last_code(), "next": "/accounts/profile/edit/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/edit/"
    assert session_cookie(half_signed_in_client) != before
    assert passed(half_signed_in_client)
    assert half_signed_in_client.get("/accounts/profile/edit/").status_code == 200


def test_the_right_code_by_htmx_redirects_the_browser(half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    response = half_signed_in_client.post(
        VERIFY_URL, {"code": last_code(), "next": "/user/alice/"}, **HX
    )
    assert response["HX-Redirect"] == "/user/alice/"


def test_an_unsafe_next_is_ignored(half_signed_in_client):
    half_signed_in_client.get(f"{VERIFY_URL}?next=https://evil.example/")
    response = half_signed_in_client.post(
        VERIFY_URL, {"code": last_code(), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("remember", [True, False])
def test_remember_me_is_carried_through_the_code(client, enrolled_user, password, remember):
    extra = {"remember_me": "on"} if remember else {}
    login(client, "alice", password, **extra)
    response = pass_code(client)
    assert response.status_code == 302
    assert passed(client)
    assert client.session.get_expire_at_browser_close() is not remember
    if remember:
        assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
        assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == (
            settings.SESSION_COOKIE_AGE
        )


def test_cancel_signs_out(half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    response = half_signed_in_client.post(CANCEL_URL, follow=True)
    assert response.redirect_chain == [(LOGIN_URL, 302)]
    assert "Signing in was cancelled." in page_text(response)
    assert SESSION_KEY not in half_signed_in_client.session
    # The old code is no use to the signed-out browser.
    assert half_signed_in_client.get(VERIFY_URL)["Location"] == LOGIN_URL


def test_a_code_with_leading_zeros_is_accepted(half_signed_in_client, monkeypatch):
    monkeypatch.setattr(local_backend, "_new_code", lambda: "000123")
    half_signed_in_client.get(VERIFY_URL)
    assert last_code() == "000123"
    response = half_signed_in_client.post(VERIFY_URL, {"code": "000123"})
    assert response.status_code == 302
    assert passed(half_signed_in_client)


@pytest.mark.parametrize("spacer", [" ", "-", "  "])
def test_a_code_typed_with_spaces_is_accepted(half_signed_in_client, spacer):
    half_signed_in_client.get(VERIFY_URL)
    code = last_code()
    response = half_signed_in_client.post(VERIFY_URL, {"code": f" {code[:3]}{spacer}{code[3:]} "})
    assert response.status_code == 302
    assert passed(half_signed_in_client)


def test_a_code_that_is_not_digits_is_a_form_error_and_not_checked(half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    response = half_signed_in_client.post(VERIFY_URL, {"code": "abcdef"})
    assert response.status_code == 422
    assert "Enter the 6-digit code." in page_text(response)
    # Not counted as a wrong code.
    response = half_signed_in_client.post(VERIFY_URL, {"code": wrong_code(last_code())})
    assert "4 tries left" in page_text(response)


def test_an_approved_code_cannot_be_used_again(client, enrolled_user, password, monkeypatch):
    codes = iter(["111111", "222222"])
    monkeypatch.setattr(local_backend, "_new_code", lambda: next(codes))
    login(client, "alice", password)
    assert pass_code(client).status_code == 302
    client.post("/accounts/logout/")
    login(client, "alice", password)
    client.get(VERIFY_URL)
    assert last_code() == "222222"
    response = client.post(VERIFY_URL, {"code": "111111"})
    assert response.status_code == 422
    assert not passed(client)
