"""The limits on sending codes and guessing them, and the times they give."""

import pytest
from django.test import Client

from tests.twofactor.conftest import (
    CONFIRM_URL,
    ENABLE_URL,
    HX,
    RESEND_URL,
    VERIFY_URL,
    last_code,
    login,
    page_text,
    wrong_code,
)
from twofactor.factors.sms.backends import locmem

pytestmark = pytest.mark.django_db

TOO_MANY_SENDS = "We've sent too many codes. You can ask for a new one in {}."


def number(n: int) -> str:
    return f"+1201555{n:04d}"


def enrol(client, n: int, **extra):
    return client.post(ENABLE_URL, {"country": "US", "number": number(n)}, **HX, **extra)


def test_the_cooldown_spaces_out_resends(frozen, client_logged_in):
    enrol(client_logged_in, 100)
    response = client_logged_in.post("/2fa/enable/resend/", {"channel": "sms"}, **HX)
    assert response.status_code == 429
    assert "We've just sent a code. You can ask for another one in 30 seconds." in page_text(
        response
    )
    frozen.shift(29)
    response = client_logged_in.post("/2fa/enable/resend/", {"channel": "sms"}, **HX)
    assert "in 1 second." in page_text(response)
    frozen.shift(2)
    response = client_logged_in.post("/2fa/enable/resend/", {"channel": "sms"}, **HX)
    assert response.status_code == 200
    assert len(locmem.outbox) == 2


def test_the_code_page_shows_the_cooldown(frozen, half_signed_in_client):
    response = half_signed_in_client.get(VERIFY_URL)
    assert 'data-resend-wait="30"' in response.content.decode()
    frozen.shift(12)
    response = half_signed_in_client.get(VERIFY_URL)
    assert "You can ask for a new code in 18 seconds." in page_text(response)
    # Rounded up: the countdown never ends before the server allows a resend.
    frozen.shift(0.5)
    response = half_signed_in_client.get(VERIFY_URL)
    assert "You can ask for a new code in 18 seconds." in page_text(response)
    frozen.shift(17)
    assert 'data-resend-wait="1"' in half_signed_in_client.get(VERIFY_URL).content.decode()
    frozen.shift(1)
    response = half_signed_in_client.get(VERIFY_URL)
    assert 'data-resend-wait="0"' in response.content.decode()


def test_sends_per_user_are_limited(frozen, client_logged_in, settings):
    settings.TWOFACTOR_SEND_LIMIT = 3
    for n in range(3):
        assert enrol(client_logged_in, 100 + n).status_code == 200
        frozen.shift(60)
    response = enrol(client_logged_in, 110)
    assert response.status_code == 429
    # The hour started with the first send, 3 minutes ago.
    assert TOO_MANY_SENDS.format("57 minutes") in page_text(response)
    assert len(locmem.outbox) == 3
    frozen.shift(57 * 60)
    assert enrol(client_logged_in, 110).status_code == 200


def test_sends_per_number_are_limited_across_users(frozen, user_factory, settings):
    settings.TWOFACTOR_SEND_LIMIT = 2
    clients = []
    for _ in range(3):
        client = Client()
        client.force_login(user_factory())
        clients.append(client)
    assert enrol(clients[0], 100).status_code == 200
    assert enrol(clients[1], 100).status_code == 200
    response = enrol(clients[2], 100)
    assert response.status_code == 429
    assert TOO_MANY_SENDS.format("60 minutes") in page_text(response)
    # Another number is fine for that user.
    assert enrol(clients[2], 101).status_code == 200


def test_sends_per_client_address_are_limited(frozen, user_factory, settings):
    settings.TWOFACTOR_IP_SEND_LIMIT = 2

    def client_from(ip: str) -> Client:
        client = Client(REMOTE_ADDR=ip)
        client.force_login(user_factory())
        return client

    assert enrol(client_from("203.0.113.5"), 100).status_code == 200
    assert enrol(client_from("203.0.113.5"), 101).status_code == 200
    response = enrol(client_from("203.0.113.5"), 102)
    assert response.status_code == 429
    assert TOO_MANY_SENDS.format("60 minutes") in page_text(response)
    assert enrol(client_from("198.51.100.7"), 103).status_code == 200
    assert [m.to for m in locmem.outbox] == [number(100), number(101), number(103)]


def test_resends_on_the_code_page_count_towards_the_user_limit(
    frozen, half_signed_in_client, settings
):
    settings.TWOFACTOR_SEND_LIMIT = 2
    half_signed_in_client.get(VERIFY_URL)
    frozen.shift(31)
    assert half_signed_in_client.post(RESEND_URL, {"channel": "sms"}).status_code == 200
    frozen.shift(31)
    response = half_signed_in_client.post(RESEND_URL, {"channel": "call"})
    assert response.status_code == 429
    assert TOO_MANY_SENDS.format("59 minutes") in page_text(response)
    assert len(locmem.outbox) == 2


def test_wrong_codes_are_capped_across_verifications(frozen, client_logged_in, settings):
    settings.TWOFACTOR_CHECK_LIMIT = 7
    # Half an hour passes below; asking for the password again is test_reauth's.
    settings.ACCOUNTS_REAUTH_WINDOW = 3600
    enrol(client_logged_in, 100)
    code = last_code()
    for _ in range(4):
        client_logged_in.post(CONFIRM_URL, {"code": wrong_code(code)}, **HX)
    response = client_logged_in.post(CONFIRM_URL, {"code": wrong_code(code)}, **HX)
    assert response.status_code == 429
    assert "Too many tries. You can try again in 10 minutes." in page_text(response)
    # Locked: no new code either.
    response = enrol(client_logged_in, 101)
    assert response.status_code == 429
    assert "Too many tries. You can try again in 10 minutes." in page_text(response)
    assert len(locmem.outbox) == 1

    frozen.shift(10 * 60 + 1)
    enrol(client_logged_in, 101)
    code = last_code()
    response = client_logged_in.post(CONFIRM_URL, {"code": wrong_code(code)}, **HX)
    assert "That code isn't right — 4 tries left." in page_text(response)
    # The 7th wrong code in the quarter hour locks the user out though this
    # verification has tries left: until it has run out (10 minutes from its send).
    response = client_logged_in.post(CONFIRM_URL, {"code": wrong_code(code)}, **HX)
    assert response.status_code == 429
    assert "Too many tries. You can try again in 10 minutes." in page_text(response)
    frozen.shift(5 * 60)
    response = client_logged_in.post(CONFIRM_URL, {"code": code}, **HX)
    assert response.status_code == 429
    assert "Too many tries. You can try again in 5 minutes." in page_text(response)
    frozen.shift(5 * 60)
    enrol(client_logged_in, 101)
    response = client_logged_in.post(CONFIRM_URL, {"code": last_code()}, **HX)
    assert response.status_code == 200
    assert "Two-factor authentication is on." in page_text(response)


def test_a_right_code_clears_the_wrong_code_count(frozen, client, enrolled_user, password):
    login(client, "alice", password)
    client.get(VERIFY_URL)
    code = last_code()
    for _ in range(4):
        client.post(VERIFY_URL, {"code": wrong_code(code)})
    assert client.post(VERIFY_URL, {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    login(client, "alice", password)
    client.get(VERIFY_URL)
    response = client.post(VERIFY_URL, {"code": wrong_code(last_code())})
    assert "That code isn't right — 4 tries left." in page_text(response)


def test_the_sign_in_lock_holds_for_a_new_sign_in(frozen, client, enrolled_user, password):
    login(client, "alice", password)
    client.get(VERIFY_URL)
    code = last_code()
    for _ in range(5):
        response = client.post(VERIFY_URL, {"code": wrong_code(code)})
    assert response.status_code == 429
    # Starting over does not give 5 new tries or a new code.
    client.post("/2fa/verify/cancel/")
    login(client, "alice", password)
    response = client.get(VERIFY_URL)
    assert "Too many tries. You can try again in 10 minutes." in page_text(response)
    assert len(locmem.outbox) == 1


def test_a_cooldown_that_ends_between_claim_and_peek_still_refuses(monkeypatch):
    """claim() failed, then the cooldown expired before peek(): that resend
    took no slot in any limit, so it must not go out."""
    from core.ratelimit import ALLOWED, Window
    from twofactor import throttles

    monkeypatch.setattr(Window, "claim", lambda self: False)
    monkeypatch.setattr(Window, "peek", lambda self: ALLOWED)
    reservation = throttles.reserve_send(
        user_id=1, number="+12015550123", ip=None, purpose=throttles.Purpose.SIGN_IN, resend=True
    )
    assert not reservation.decision.allowed
    assert reservation.decision.reason is throttles.Reason.COOLDOWN
