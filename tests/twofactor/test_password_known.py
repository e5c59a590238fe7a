"""A right password followed by repeated wrong codes emails the owner
("Someone who knows your password is trying to sign in"), for every code
factor, once per window, in the background, whatever the mail server does."""

import smtplib
import threading

import pyotp
import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts import background
from accounts.models import SecurityEvent
from tests.threads import all_at_once
from tests.twofactor.conftest import (
    CONFIRM_URL,
    ENABLE_URL,
    VERIFY_URL,
    last_code,
    login,
    wrong_code,
)
from tests.twofactor.test_recovery_codes import make_codes
from twofactor import throttles
from twofactor.factors.recovery import codes as recovery_codes
from twofactor.factors.totp import secrets
from twofactor.models import Factor, Kind

SUBJECT = "Someone who knows your password is trying to sign in"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
FROM = "203.0.113.5"


def warnings_sent() -> list:
    return [m for m in mail.outbox if SUBJECT in m.subject]


def add_app(user) -> str:
    secret = pyotp.random_base32()
    Factor.objects.create(
        user=user,
        kind=Kind.TOTP,
        data={"secret": secrets.encrypt(secret), "last_step": 0},
        confirmed_at=timezone.now(),
        preferred=True,
    )
    return secret


def attacker(user, password: str) -> Client:
    client = Client(REMOTE_ADDR=FROM, HTTP_USER_AGENT=FIREFOX)
    assert login(client, user.username, password).status_code == 302
    client.get(VERIFY_URL)  # sends the SMS code, if that is the factor
    return client


def post_wrong(client: Client, kind: str) -> int:
    if kind == Kind.SMS:
        code = wrong_code(last_code())
    elif kind == Kind.TOTP:
        code = "000000"
    else:
        code = recovery_codes.generate(1)[0]
    return client.post(VERIFY_URL, {"factor": kind, "code": code}).status_code


@pytest.fixture
def sms_user(enrolled_user):
    return enrolled_user


@pytest.fixture
def totp_user(user):
    add_app(user)
    return user


@pytest.fixture
def recovery_user(signed_in_client, enrolled_user):
    make_codes(signed_in_client)
    mail.outbox.clear()
    return enrolled_user


@pytest.mark.parametrize("kind", [Kind.SMS, Kind.TOTP, Kind.RECOVERY])
def test_the_third_wrong_code_emails_the_owner_once(kind, request, password, frozen, settings):
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER = 3
    user = request.getfixturevalue(f"{kind}_user")
    client = attacker(user, password)
    sent_code = last_code() if kind == Kind.SMS else None

    assert [post_wrong(client, kind) for _ in range(2)] == [422, 422]
    assert warnings_sent() == []
    assert post_wrong(client, kind) == 422  # the attacker sees nothing new
    assert post_wrong(client, kind) == 422

    [email] = warnings_sent()
    assert email.to == [user.email]
    body = email.body
    assert "with your password, then entered 3 wrong two-factor codes" in body
    assert "2030-01-15 09:00 UTC" in body
    assert FROM in body
    assert "Firefox on Linux" in body
    assert "change it now" in body
    assert "http://testserver/accounts/password_reset/" in body
    html = email.alternatives[0][0]
    assert FROM in html and "Firefox on Linux" in html
    if sent_code:
        assert sent_code not in body and sent_code not in html
    events = SecurityEvent.objects.filter(user=user, details__owner_warned=True)
    assert [e.details["wrong_tries"] for e in events] == [3]
    assert events[0].ip == FROM


def test_below_the_threshold_no_email(sms_user, password, settings):
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER = 3
    client = attacker(sms_user, password)
    assert [post_wrong(client, Kind.SMS) for _ in range(2)] == [422, 422]
    assert client.post(VERIFY_URL, {"code": last_code()}).status_code == 302
    assert warnings_sent() == []
    assert not SecurityEvent.objects.filter(details__owner_warned=True).exists()


def test_the_count_spans_sessions_and_a_new_window_warns_again(
    totp_user, password, settings, frozen
):
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER = 3
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_WINDOW = 3600
    for _ in range(3):  # a new session for each guess changes nothing
        post_wrong(attacker(totp_user, password), Kind.TOTP)
    assert len(warnings_sent()) == 1
    frozen.shift(3601)
    client = attacker(totp_user, password)
    for _ in range(3):
        post_wrong(client, Kind.TOTP)
    assert len(warnings_sent()) == 2


def test_turned_off_with_zero(totp_user, password, settings):
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER = 0
    client = attacker(totp_user, password)
    for _ in range(4):
        post_wrong(client, Kind.TOTP)
    assert warnings_sent() == []


def test_wrong_codes_while_adding_a_phone_are_the_owners_own(client_logged_in, settings):
    """Not a sign-in: the signed-in owner mistyping a new phone's code."""
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER = 2
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": "2015550123"})
    for _ in range(3):
        client_logged_in.post(CONFIRM_URL, {"code": wrong_code(last_code())})
    assert warnings_sent() == []


def test_a_mail_outage_never_blocks_the_user(totp_user, password, settings, monkeypatch):
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER = 1

    def down(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", down)
    client = attacker(totp_user, password)
    assert post_wrong(client, Kind.TOTP) == 422
    assert SecurityEvent.objects.filter(user=totp_user, details__owner_warned=True).exists()


def test_sent_in_the_background(totp_user, password, settings, monkeypatch):
    """The answer doesn't wait for the mail server."""
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER = 1
    settings.ACCOUNTS_EMAIL_IN_BACKGROUND = True
    release = threading.Event()
    original = EmailMultiAlternatives.send

    def slow_send(self, fail_silently=False):
        assert release.wait(10), "the test never released the mail server"
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow_send)
    client = attacker(totp_user, password)
    try:
        assert post_wrong(client, Kind.TOTP) == 422
        assert warnings_sent() == []  # answered while the email is still held up
    finally:
        release.set()
        background.wait_for_jobs()
    assert len(warnings_sent()) == 1


def test_concurrent_wrong_codes_warn_once(settings):
    """The counter and the "told" flag are atomic: of 20 wrong codes at once
    past the threshold, exactly one sends the email."""
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER = 3
    results = all_at_once(20, lambda i: throttles.password_known_alert_due(user_id=5))
    assert len([r for r in results if r is not None]) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_codes_through_the_site_send_one_email(user_factory, password, settings):
    assert connection.vendor == "postgresql"
    settings.TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER = 3
    user = user_factory()
    add_app(user)
    clients = [attacker(user, password) for _ in range(6)]
    statuses = all_at_once(6, lambda i: post_wrong(clients[i], Kind.TOTP))
    assert statuses == [422] * 6
    assert len(warnings_sent()) == 1
    assert SecurityEvent.objects.filter(user=user, details__owner_warned=True).count() == 1
