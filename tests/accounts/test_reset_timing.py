"""Password reset answers known and unknown addresses alike, in the same time:
the lookup, the token and the email happen in a background thread after the
response (accounts/background.py)."""

import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import background

URL = "/accounts/password_reset/"

# Released by each test once it has its response in hand.
release = threading.Event()


class SlowEmailBackend(EmailBackend):
    """A mail server that takes until the test says so to accept a message."""

    def send_messages(self, messages):
        assert release.wait(10), "the test never released the send"
        return super().send_messages(messages)


@pytest.fixture
def in_background(settings):
    settings.ACCOUNTS_EMAIL_IN_BACKGROUND = True
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.SlowEmailBackend"}}
    release.clear()
    yield
    release.set()
    background.wait_for_jobs()


pytestmark = pytest.mark.django_db(transaction=True)


def test_the_answer_does_not_wait_for_the_email(client, user, in_background):
    response = client.post(URL, {"email": "alice@example.com"})
    # The send is still blocked, yet the user has their answer.
    assert response.status_code == 302
    assert mail.outbox == []
    release.set()
    background.wait_for_jobs()
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "/accounts/reset/" in message.body


def test_known_and_unknown_addresses_run_the_same_queries_in_the_request(
    client, user, in_background
):
    answers = {}
    for address in ("alice@example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(URL, {"email": address})
        answers[address] = (response.status_code, response["Location"], captured.captured_queries)
    known, unknown = answers["alice@example.com"], answers["nobody@example.com"]
    assert known[:2] == unknown[:2] == (302, "/accounts/password_reset/done/")
    # No user lookup in the request at all: nothing in it depends on the address.
    assert [q["sql"] for q in known[2]] == [q["sql"] for q in unknown[2]]
    assert not any("accounts_user" in q["sql"] for q in known[2])
    release.set()
    background.wait_for_jobs()
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_failed_send_in_the_background_is_logged(client, user, in_background, caplog):
    release.set()

    def broken(self, messages):
        raise OSError("the server went away mid-send")

    SlowEmailBackend.send_messages, original = broken, SlowEmailBackend.send_messages
    try:
        response = client.post(URL, {"email": "alice@example.com"})
        background.wait_for_jobs()
    finally:
        SlowEmailBackend.send_messages = original
    assert response.status_code == 302
    assert mail.outbox == []
    assert "Failed to send password reset email" in caplog.text
