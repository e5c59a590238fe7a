"""A code the user walked away from is canceled at Verify: the enrolment's
"Cancel", the phone form opened again, a new number while one is pending,
signing out (also the code page's "Cancel") with a sign-in code pending.

Best effort: an outage while cancelling is logged and never stops the user.
"""

import logging

import pytest
from django.contrib.auth import SESSION_KEY

from tests.twofactor.conftest import (
    CANCEL_URL,
    CONFIRM_URL,
    ENABLE_RESEND_URL,
    ENABLE_URL,
    HX,
    NUMBER,
    OTHER_NUMBER,
    VERIFY_URL,
    last_code,
    login,
)
from twofactor import session
from twofactor.factors.sms.backends import CancelStatus, Channel, CheckStatus, locmem
from twofactor.factors.sms.backends.console import ConsoleVerifyBackend
from twofactor.factors.sms.backends.local import LocalVerifyBackend
from twofactor.factors.sms.backends.locmem import LocmemVerifyBackend
from twofactor.factors.sms.backends.twilio import TwilioVerifyBackend
from twofactor.models import mask_number

LOGOUT_URL = "/accounts/logout/"
E164 = "+15555550100"
TWILIO_LOGGER = "twofactor.factors.sms.backends.twilio"


# The backends.


@pytest.mark.parametrize(
    "backend_class", [LocalVerifyBackend, LocmemVerifyBackend, ConsoleVerifyBackend]
)
def test_local_backends_cancel_then_the_code_is_gone(backend_class, capsys):
    backend = backend_class()
    sid = backend.start(to=E164, channel=Channel.SMS).sid
    code = locmem.outbox[-1].code if backend_class is LocmemVerifyBackend else _local_code()
    assert backend.cancel(to=E164, sid=sid).status is CancelStatus.CANCELED
    assert backend.check(to=E164, code=code).status is CheckStatus.EXPIRED
    # Already gone: quiet, and still "nothing pending".
    result = backend.cancel(to=E164, sid=sid)
    assert (result.status, result.ok) == (CancelStatus.GONE, True)


def _local_code() -> str:
    from twofactor.factors.sms.backends import local

    return local.recent_messages()[0].code


def test_local_cancel_by_number_alone():
    backend = LocalVerifyBackend()
    backend.start(to=E164, channel=Channel.SMS)
    assert backend.cancel(to=E164).status is CancelStatus.CANCELED
    assert backend.check(to=E164, code=_local_code()).status is CheckStatus.EXPIRED


def test_local_cancel_of_another_verification_leaves_this_one():
    backend = LocalVerifyBackend()
    backend.start(to=E164, channel=Channel.SMS)
    assert backend.cancel(to=E164, sid="VE" + "0" * 32).status is CancelStatus.GONE
    assert backend.check(to=E164, code=_local_code()).status is CheckStatus.APPROVED


def test_locmem_cancel_switch_applies_once():
    backend = LocmemVerifyBackend()
    backend.start(to=E164, channel=Channel.SMS)
    locmem.fail_next_cancel(CancelStatus.UNAVAILABLE)
    result = backend.cancel(to=E164)
    assert (result.status, result.ok) == (CancelStatus.UNAVAILABLE, False)
    assert backend.cancel(to=E164).status is CancelStatus.CANCELED
    assert locmem.cancels == [(E164, ""), (E164, "")]


@pytest.fixture
def twilio(fake_verify) -> TwilioVerifyBackend:
    return TwilioVerifyBackend()


def test_twilio_cancel_by_sid_then_the_check_is_404(twilio, fake_verify):
    sid = twilio.start(to=E164, channel=Channel.SMS).sid
    assert twilio.cancel(to=E164, sid=sid).status is CancelStatus.CANCELED
    code = fake_verify.last_code(to=E164)
    assert twilio.check(to=E164, code=code).status is CheckStatus.EXPIRED


def test_twilio_cancel_by_number(twilio, fake_verify):
    twilio.start(to=E164, channel=Channel.SMS)
    assert twilio.cancel(to=E164).status is CancelStatus.CANCELED
    code = fake_verify.last_code(to=E164)
    assert twilio.check(to=E164, code=code).status is CheckStatus.EXPIRED


def test_twilio_cancel_of_an_approved_one_is_gone_and_quiet(twilio, fake_verify, caplog):
    sid = twilio.start(to=E164, channel=Channel.SMS).sid
    assert twilio.check(to=E164, code=fake_verify.last_code(to=E164)).ok
    with caplog.at_level(logging.INFO, logger=TWILIO_LOGGER):
        assert twilio.cancel(to=E164, sid=sid).status is CancelStatus.GONE
    assert caplog.records == []


@pytest.mark.parametrize(
    "fault",
    [{"mode": "500"}, {"mode": "429"}, {"mode": "hang", "seconds": 5}],
    ids=["500", "429", "timeout"],
)
def test_twilio_cancel_outage_is_unavailable_logged_masked(twilio, fake_verify, caplog, fault):
    twilio.start(to=E164, channel=Channel.SMS)
    code = fake_verify.last_code(to=E164)
    fake_verify.fault(times=1, **fault)
    with caplog.at_level(logging.WARNING, logger=TWILIO_LOGGER):
        result = twilio.cancel(to=E164)
    assert (result.status, result.ok) == (CancelStatus.UNAVAILABLE, False)
    logged = caplog.text
    assert "Verify cancel" in logged and mask_number(E164) in logged
    assert E164 not in logged and code not in logged


def test_twilio_cancel_without_settings_is_unavailable(fake_verify, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    assert TwilioVerifyBackend().cancel(to=E164).status is CancelStatus.UNAVAILABLE


# The site (locmem backend).


def _enrol(client, number: str = "2015550123") -> None:
    response = client.post(ENABLE_URL, {"country": "US", "number": number}, **HX)
    assert response.status_code == 200


def _code_still_works(number: str, code: str) -> bool:
    return LocmemVerifyBackend().check(to=number, code=code).ok


@pytest.mark.django_db
def test_enrolment_cancel_cancels_the_code(client_logged_in):
    _enrol(client_logged_in)
    sid = client_logged_in.session[session.ENROLMENT]["verification"]
    code = last_code(NUMBER)
    client_logged_in.post("/2fa/enable/cancel/", **HX)
    assert locmem.cancels == [(NUMBER, sid)]
    assert not _code_still_works(NUMBER, code)


@pytest.mark.django_db
def test_opening_the_phone_form_again_cancels_the_pending_code(client_logged_in):
    _enrol(client_logged_in)
    code = last_code(NUMBER)
    client_logged_in.get(ENABLE_URL, **HX)  # "Change number" / "Add a phone" again
    assert [to for to, _sid in locmem.cancels] == [NUMBER]
    assert not _code_still_works(NUMBER, code)


@pytest.mark.django_db
def test_a_new_number_cancels_the_code_to_the_old_one(client_logged_in):
    _enrol(client_logged_in)
    old_code = last_code(NUMBER)
    _enrol(client_logged_in, "2025550199")
    assert [to for to, _sid in locmem.cancels] == [NUMBER]
    assert not _code_still_works(NUMBER, old_code)
    # The new number's code is the pending one and confirms it.
    response = client_logged_in.post(CONFIRM_URL, {"code": last_code(OTHER_NUMBER)}, **HX)
    assert "Two-factor authentication is on." in response.content.decode()


@pytest.mark.django_db
def test_a_resend_to_the_same_number_cancels_nothing(client_logged_in, settings):
    settings.TWOFACTOR_RESEND_COOLDOWN = 0
    _enrol(client_logged_in)
    client_logged_in.post(ENABLE_RESEND_URL, {"channel": "sms"}, **HX)
    _enrol(client_logged_in)  # the same number entered again
    assert locmem.cancels == []
    response = client_logged_in.post(CONFIRM_URL, {"code": last_code(NUMBER)}, **HX)
    assert "Two-factor authentication is on." in response.content.decode()


@pytest.mark.django_db
def test_signing_out_cancels_the_pending_sign_in_code(half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    sid = half_signed_in_client.session[session.CHALLENGE]["verification"]
    code = last_code(NUMBER)
    assert half_signed_in_client.post(LOGOUT_URL).status_code == 302
    assert locmem.cancels == [(NUMBER, sid)]
    assert not _code_still_works(NUMBER, code)


@pytest.mark.django_db
def test_the_code_pages_cancel_cancels_the_code(half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    code = last_code(NUMBER)
    half_signed_in_client.post(CANCEL_URL)
    assert SESSION_KEY not in half_signed_in_client.session
    assert [to for to, _sid in locmem.cancels] == [NUMBER]
    assert not _code_still_works(NUMBER, code)


@pytest.mark.django_db
def test_signing_out_cancels_a_pending_enrolment_too(client_logged_in):
    _enrol(client_logged_in)
    client_logged_in.post(LOGOUT_URL)
    assert [to for to, _sid in locmem.cancels] == [NUMBER]


@pytest.mark.django_db
def test_signing_out_before_the_code_page_cancels_nothing(half_signed_in_client):
    half_signed_in_client.post(LOGOUT_URL)  # the code page was never opened
    assert locmem.cancels == []


@pytest.mark.django_db
def test_signing_out_with_nothing_pending_cancels_nothing(client_logged_in):
    client_logged_in.post(LOGOUT_URL)
    assert locmem.cancels == []


@pytest.mark.django_db
def test_a_first_send_that_failed_is_not_canceled(half_signed_in_client):
    from twofactor.factors.sms.backends import SendStatus

    locmem.fail_next_send(SendStatus.UNAVAILABLE)
    half_signed_in_client.get(VERIFY_URL)
    half_signed_in_client.post(LOGOUT_URL)
    assert locmem.cancels == []


@pytest.mark.django_db
def test_an_outage_while_cancelling_never_stops_the_sign_out(half_signed_in_client, caplog):
    half_signed_in_client.get(VERIFY_URL)
    code = last_code(NUMBER)
    locmem.fail_next_cancel(CancelStatus.UNAVAILABLE)
    with caplog.at_level(logging.WARNING, logger="twofactor"):
        response = half_signed_in_client.post(LOGOUT_URL)
    assert response.status_code == 302
    assert SESSION_KEY not in half_signed_in_client.session
    assert "not canceled" in caplog.text and "signed out" in caplog.text
    assert code not in caplog.text and NUMBER not in caplog.text


@pytest.mark.django_db
def test_an_outage_while_cancelling_never_stops_a_new_number(client_logged_in, caplog):
    _enrol(client_logged_in)
    locmem.fail_next_cancel(CancelStatus.UNAVAILABLE)
    with caplog.at_level(logging.WARNING, logger="twofactor"):
        _enrol(client_logged_in, "2025550199")
    assert client_logged_in.session[session.ENROLMENT]["number"] == OTHER_NUMBER
    assert "not canceled" in caplog.text and "number changed" in caplog.text


# The site on the Twilio backend, against the stateful fake.


@pytest.mark.django_db
def test_signing_out_cancels_at_twilio(fake_verify, client, enrolled_user, password):
    login(client, enrolled_user.username, password)
    client.get(VERIFY_URL)
    code = fake_verify.last_code(to=NUMBER)
    client.post(LOGOUT_URL)
    # The fake answers a check of a canceled verification as Twilio does: 404.
    assert TwilioVerifyBackend().check(to=NUMBER, code=code).status is CheckStatus.EXPIRED


@pytest.mark.django_db
def test_twilio_down_while_signing_out(fake_verify, client, enrolled_user, password):
    login(client, enrolled_user.username, password)
    client.get(VERIFY_URL)
    fake_verify.fault(mode="500")
    assert client.post(LOGOUT_URL).status_code == 302
    assert SESSION_KEY not in client.session


def test_a_text_left_unanswered_is_canceled_when_another_factor_passes(
    client, enrolled_user, password
):
    """The code page texted a code, then the user signed in with a passkey:
    that text's code is canceled, not left valid for its 10 minutes."""
    from tests.twofactor.authenticator import SoftAuthenticator
    from tests.twofactor.test_passkeys import SIGN_IN_URL, post_json, sign_in_answer
    from tests.twofactor.test_passkeys import stored_passkey as add_passkey

    key = SoftAuthenticator()
    add_passkey(enrolled_user, key)
    login(client, enrolled_user.username, password)
    client.get(f"{VERIFY_URL}?factor=sms")
    sid = client.session[session.CHALLENGE]["verification"]
    locmem.cancels.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.WEBAUTHN_RP_ID", "testserver", raising=False)
        patch.setattr("django.conf.settings.WEBAUTHN_ORIGIN", "http://testserver", raising=False)
        response = post_json(client, SIGN_IN_URL, sign_in_answer(client, key))
    assert response.status_code == 200, response.content
    assert locmem.cancels == [(NUMBER, sid)]
    assert session.CHALLENGE not in client.session


def test_the_text_of_a_cancelled_confirmation_is_canceled(frozen, signed_in_client, password):
    frozen.shift(301)  # past ACCOUNTS_REAUTH_WINDOW: a sensitive change asks again
    signed_in_client.post("/2fa/confirm/", {"password": password, "next": "/"})
    signed_in_client.get(VERIFY_URL)
    sid = signed_in_client.session[session.CHALLENGE]["verification"]
    locmem.cancels.clear()
    response = signed_in_client.post(CANCEL_URL, {"next": "/"})
    assert response.status_code == 302
    assert locmem.cancels == [(NUMBER, sid)]
    assert signed_in_client.session.get(SESSION_KEY), "still signed in"


def test_a_backend_that_raises_on_cancel_never_blocks_signing_out(
    client, enrolled_user, password, monkeypatch, caplog
):
    def broken(self, *, to, sid=""):
        raise RuntimeError("a custom backend's bug")

    monkeypatch.setattr(LocmemVerifyBackend, "cancel", broken)
    login(client, enrolled_user.username, password)
    client.get(VERIFY_URL)  # a code went out
    with caplog.at_level(logging.ERROR, logger="twofactor"):
        response = client.post(LOGOUT_URL)
    assert response.status_code == 302
    assert SESSION_KEY not in client.session, "signed out all the same"
    assert "not canceled" in caplog.text and "RuntimeError" in caplog.text


def test_a_backend_without_cancel_says_unavailable():
    from twofactor.factors.sms.backends.base import VerifyBackend

    class Minimal(VerifyBackend):
        pass

    assert Minimal().cancel(to=E164).status is CancelStatus.UNAVAILABLE
