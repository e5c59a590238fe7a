"""Verify re-sends the same code within its 10 minutes, and its 5 checks run
across those sends: "tries left" must count across a resend too. The locmem
backend reports the count itself; Twilio doesn't, so this runs on the fake."""

import pytest
from django.test import Client

from tests.twofactor.conftest import (
    NUMBER,
    RESEND_URL,
    VERIFY_URL,
    login,
    make_device,
    page_text,
    wrong_code,
)


@pytest.fixture
def signing_in(user, password, fake_verify, settings) -> Client:
    settings.TWOFACTOR_RESEND_COOLDOWN = 0
    make_device(user)
    client = Client()
    login(client, user.username, password)
    client.get(VERIFY_URL)
    return client


def test_tries_left_count_across_a_resend_of_the_same_code(signing_in, fake_verify):
    code = fake_verify.last_code(to=NUMBER)
    for left in (4, 3):
        response = signing_in.post(VERIFY_URL, {"code": wrong_code(code)})
        assert f"That code isn't right — {left} tries left." in page_text(response)
    signing_in.post(RESEND_URL, {"channel": "sms"})
    assert fake_verify.last_code(to=NUMBER) == code  # Verify re-sent the same code
    response = signing_in.post(VERIFY_URL, {"code": wrong_code(code)})
    assert "That code isn't right — 2 tries left." in page_text(response)


def test_a_new_verification_starts_the_count_again(signing_in, fake_verify):
    code = fake_verify.last_code(to=NUMBER)
    signing_in.post(VERIFY_URL, {"code": wrong_code(code)})
    fake_verify.advance(seconds=601)  # the first verification is gone
    response = signing_in.post(VERIFY_URL, {"code": wrong_code(code)})
    assert "That code has expired. We've sent a new one." in page_text(response)
    new_code = fake_verify.last_code(to=NUMBER)
    response = signing_in.post(VERIFY_URL, {"code": wrong_code(new_code)})
    assert "That code isn't right — 4 tries left." in page_text(response)
