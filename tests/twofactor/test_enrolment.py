"""Turning two-factor on and changing the number from the profile's panel,
with htmx (fragments swapped in place) and without JavaScript (full pages)."""

from datetime import timedelta

import pytest
from django.test import Client

from tests.twofactor.conftest import (
    CONFIRM_URL,
    ENABLE_RESEND_URL,
    ENABLE_URL,
    HX,
    MASKED,
    NUMBER,
    OTHER_MASKED,
    OTHER_NUMBER,
    VERIFY_URL,
    field,
    is_fragment,
    last_code,
    login,
    page_text,
    wrong_code,
)
from twofactor.factors.sms.backends import Channel, SendStatus, locmem
from twofactor.models import Factor

pytestmark = pytest.mark.django_db

PROFILE_URL = "/user/alice/"
NATIONAL = "(201) 555-0123"
INVALID = "That isn't a valid phone number for the country you chose."


def variant(htmx: bool) -> dict:
    return HX if htmx else {}


both = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])


def device(user) -> Factor | None:
    return Factor.objects.phones().filter(user=user).first()


def test_the_profile_panel_offers_to_turn_it_on(client_logged_in):
    response = client_logged_in.get(PROFILE_URL)
    text = page_text(response)
    assert 'id="twofactor-panel"' in text
    assert "Add a phone" in text
    assert f'hx-get="{ENABLE_URL}"' in text


@both
def test_the_phone_form_opens_in_the_panel(client_logged_in, htmx):
    response = client_logged_in.get(ENABLE_URL, **variant(htmx))
    assert response.status_code == 200
    assert is_fragment(response) is htmx
    assert 'id="twofactor-panel"' in response.content.decode()
    assert field(response, "number").attrs["type"] == "tel"
    # The country defaults to PHONENUMBER_DEFAULT_REGION.
    assert 'value="US" selected' in response.content.decode()


@both
def test_an_invalid_number_is_an_inline_error_and_nothing_is_sent(client_logged_in, htmx):
    response = client_logged_in.post(
        ENABLE_URL, {"country": "US", "number": "12345"}, **variant(htmx)
    )
    assert response.status_code == 422
    assert is_fragment(response) is htmx
    assert INVALID in page_text(response)
    assert field(response, "number").attrs["value"] == "12345"
    assert locmem.outbox == []


@pytest.mark.parametrize(
    ("country", "entered", "e164"),
    [
        ("US", NATIONAL, NUMBER),
        ("US", "201-555-0123", NUMBER),
        ("US", "+1 201 555 0123", NUMBER),
        ("FR", "06 12 34 56 78", "+33612345678"),
        ("US", "+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_national_and_international_formats_are_sent_as_e164(
    client_logged_in, country, entered, e164
):
    response = client_logged_in.post(ENABLE_URL, {"country": country, "number": entered}, **HX)
    assert response.status_code == 200
    assert [m.to for m in locmem.outbox] == [e164]


@both
def test_a_code_is_sent_and_the_code_form_appears(client_logged_in, user, htmx):
    response = client_logged_in.post(
        ENABLE_URL, {"country": "US", "number": NATIONAL}, **variant(htmx)
    )
    assert response.status_code == 200
    assert is_fragment(response) is htmx
    text = page_text(response)
    assert f"We've sent a code to {MASKED}." in text
    # Each fact once: the message says where the code went, the form only asks for it.
    assert text.count(MASKED) == 1
    assert "Enter the code." in text
    assert field(response, "code").attrs["autocomplete"] == "one-time-code"
    assert locmem.outbox[0].channel is Channel.SMS
    # Nothing is saved before the code comes back.
    assert device(user) is None


def test_call_me_instead_uses_the_voice_channel(client_logged_in, user):
    response = client_logged_in.post(
        ENABLE_URL, {"country": "US", "number": NATIONAL, "channel": "call"}, **HX
    )
    assert f"We're calling {MASKED} with your code." in page_text(response)
    assert locmem.outbox[-1].channel is Channel.CALL
    client_logged_in.post(CONFIRM_URL, {"code": last_code()}, **HX)
    assert device(user).channel == "call"


def test_call_me_instead_from_the_code_form(frozen, client_logged_in):
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": NATIONAL}, **HX)
    frozen.shift(31)
    response = client_logged_in.post(ENABLE_RESEND_URL, {"channel": "call"}, **HX)
    assert response.status_code == 200
    assert f"We're calling {MASKED} with your code." in page_text(response)
    assert [m.channel for m in locmem.outbox] == [Channel.SMS, Channel.CALL]


@both
def test_a_wrong_code_says_how_many_tries_are_left(client_logged_in, user, htmx):
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": NATIONAL})
    bad = wrong_code(last_code())
    response = client_logged_in.post(CONFIRM_URL, {"code": bad}, **variant(htmx))
    assert response.status_code == 422
    assert is_fragment(response) is htmx
    assert "That code isn't right — 4 tries left." in page_text(response)
    response = client_logged_in.post(CONFIRM_URL, {"code": bad}, **variant(htmx))
    assert "That code isn't right — 3 tries left." in page_text(response)
    assert device(user) is None


def test_the_right_code_turns_it_on_in_place(client_logged_in, user):
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": NATIONAL}, **HX)
    response = client_logged_in.post(CONFIRM_URL, {"code": f" {last_code()} "}, **HX)
    assert response.status_code == 200
    assert is_fragment(response)
    text = " ".join(page_text(response).split())
    assert f"Two-factor authentication is on. Codes go to {MASKED}." in text
    assert 'text-bg-success">On</span>' in text
    assert f"Codes go to {MASKED}." in text
    assert "Change number" in text
    assert "Turn off" in text
    assert NUMBER not in text
    saved = device(user)
    assert str(saved.number) == NUMBER
    assert saved.confirmed_at is not None
    # This session proved the phone: it is not sent to the code page.
    assert client_logged_in.get(PROFILE_URL).status_code == 200


def test_without_javascript_the_right_code_goes_back_to_the_profile(client_logged_in, user):
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": NATIONAL})
    response = client_logged_in.post(CONFIRM_URL, {"code": last_code()}, follow=True)
    assert response.redirect_chain == [(PROFILE_URL, 302)]
    text = " ".join(page_text(response).split())
    assert f"Two-factor authentication is on. Codes go to {MASKED}." in text
    assert f"Codes go to {MASKED}" in text
    assert str(device(user).number) == NUMBER


def test_the_next_sign_in_asks_for_a_code(client_logged_in, password):
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": NATIONAL})
    client_logged_in.post(CONFIRM_URL, {"code": last_code()})
    other = Client()
    login(other, "alice", password)
    assert other.get(PROFILE_URL)["Location"].startswith(VERIFY_URL)


def test_an_expired_code_is_replaced(frozen, client_logged_in, user):
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": NATIONAL}, **HX)
    old = last_code()
    frozen.shift(11 * 60)
    response = client_logged_in.post(CONFIRM_URL, {"code": old}, **HX)
    assert response.status_code == 422
    assert "That code has expired. We've sent a new one." in page_text(response)
    assert len(locmem.outbox) == 2
    client_logged_in.post(CONFIRM_URL, {"code": last_code()}, **HX)
    assert str(device(user).number) == NUMBER


SEND_FAILURES = [
    (
        SendStatus.INVALID_NUMBER,
        "sms",
        422,
        "That doesn't look like a phone number we can reach. Check it and try again.",
    ),
    (
        SendStatus.CHANNEL_UNSUPPORTED,
        "sms",
        422,
        "We couldn't send a text to this number. Try a voice call or another number.",
    ),
    (
        SendStatus.CHANNEL_UNSUPPORTED,
        "call",
        422,
        "We couldn't call this number. Try a text message or another number.",
    ),
    (
        SendStatus.BLOCKED,
        "sms",
        422,
        "We can't send codes to this number's region. Try another number.",
    ),
    (
        SendStatus.TOO_MANY_SENDS,
        "sms",
        429,
        "We've sent too many codes to this number. You can ask for a new one in 9 minutes.",
    ),
    (
        SendStatus.UNAVAILABLE,
        "sms",
        503,
        "The text message service isn't answering right now. Please try again in a minute.",
    ),
]


@both
@pytest.mark.parametrize(
    ("status", "channel", "http_status", "message"),
    SEND_FAILURES,
    ids=[f"{s}-{c}" for s, c, *_ in SEND_FAILURES],
)
def test_a_failed_send_says_why_and_keeps_the_number(
    client_logged_in, user, htmx, status, channel, http_status, message
):
    locmem.fail_next_send(status, retry_after=timedelta(minutes=9))
    response = client_logged_in.post(
        ENABLE_URL, {"country": "US", "number": NATIONAL, "channel": channel}, **variant(htmx)
    )
    assert response.status_code == http_status
    assert is_fragment(response) is htmx
    assert message in page_text(response)
    assert field(response, "number").attrs["value"] == NATIONAL
    assert locmem.outbox == []
    assert device(user) is None
    # Nothing is pending: there is no code form to fill in.
    assert 'name="code"' not in response.content.decode()


def test_cancel_forgets_the_number_being_confirmed(client_logged_in, user):
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": NATIONAL}, **HX)
    response = client_logged_in.post("/2fa/enable/cancel/", **HX)
    assert "Add a phone" in page_text(response)
    response = client_logged_in.post(CONFIRM_URL, {"code": last_code()}, **HX)
    assert device(user) is None


# Changing the number


@pytest.fixture
def enrolled_client(signed_in_client):
    return signed_in_client


@both
def test_change_number_keeps_the_old_one_until_the_new_one_is_confirmed(
    enrolled_client, enrolled_user, password, htmx
):
    response = enrolled_client.get(ENABLE_URL, **variant(htmx))
    assert "Your codes keep going to the old one until the new one is confirmed." in page_text(
        response
    )
    old_token = device(enrolled_user).token
    response = enrolled_client.post(
        ENABLE_URL,
        {"country": "US", "number": OTHER_NUMBER, "password": password},
        **variant(htmx),
    )
    assert locmem.outbox[-1].to == OTHER_NUMBER
    new_code = last_code(OTHER_NUMBER)
    enrolled_client.post(CONFIRM_URL, {"code": wrong_code(new_code)}, **variant(htmx))
    # Still the old number, and a sign-in meanwhile sends its code there.
    assert str(device(enrolled_user).number) == NUMBER
    assert device(enrolled_user).token == old_token
    other = Client()
    login(other, "alice", password)
    other.get(VERIFY_URL)
    assert locmem.outbox[-1].to == NUMBER

    response = enrolled_client.post(CONFIRM_URL, {"code": new_code}, **variant(htmx))
    if htmx:
        assert f"Your codes now go to {OTHER_MASKED}." in page_text(response)
    else:
        assert response["Location"] == PROFILE_URL
        assert f"Your codes now go to {OTHER_MASKED}." in page_text(
            enrolled_client.get(PROFILE_URL)
        )
    assert str(device(enrolled_user).number) == OTHER_NUMBER
    assert Factor.objects.phones().filter(user=enrolled_user).count() == 1
    assert enrolled_client.get(PROFILE_URL).status_code == 200


def test_a_failed_change_keeps_the_old_number(enrolled_client, enrolled_user, password):
    locmem.fail_next_send(SendStatus.BLOCKED)
    response = enrolled_client.post(
        ENABLE_URL, {"country": "US", "number": OTHER_NUMBER, "password": password}, **HX
    )
    assert response.status_code == 422
    assert str(device(enrolled_user).number) == NUMBER


@both
def test_changing_the_number_needs_the_password(enrolled_client, enrolled_user, htmx):
    response = enrolled_client.get(ENABLE_URL, **variant(htmx))
    assert field(response, "password").attrs["autocomplete"] == "current-password"
    response = enrolled_client.post(
        ENABLE_URL,
        {"country": "US", "number": OTHER_NUMBER, "password": "not the password"},
        **variant(htmx),
    )
    assert response.status_code == 422
    assert "That password isn't right." in page_text(response)
    assert field(response, "number").attrs["value"] == OTHER_NUMBER
    assert locmem.outbox == []
    response = enrolled_client.post(
        ENABLE_URL, {"country": "US", "number": OTHER_NUMBER}, **variant(htmx)
    )
    assert response.status_code == 422
    assert locmem.outbox == []
    assert str(device(enrolled_user).number) == NUMBER


def test_a_first_enrolment_does_not_ask_for_the_password(client_logged_in):
    response = client_logged_in.get(ENABLE_URL)
    assert 'name="number"' in response.content.decode()
    assert 'name="password"' not in response.content.decode()
