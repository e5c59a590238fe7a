"""The Twilio backend through the real `twilio` package against the stateful fake."""

import logging
import time

import pytest
import requests

from twofactor.factors.sms.backends.base import (
    BackendConfigurationError,
    BackendUnavailable,
    Channel,
    CheckStatus,
    SendStatus,
)
from twofactor.factors.sms.backends.twilio import TwilioVerifyBackend
from twofactor.factors.sms.testing.fake_verify import FakeVerifyControl
from twofactor.models import mask_number

NUMBER = "+15555550100"
LOGGER = "twofactor.factors.sms.backends.twilio"


@pytest.fixture
def backend(fake_verify) -> TwilioVerifyBackend:
    return TwilioVerifyBackend()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def started(backend: TwilioVerifyBackend, fake: FakeVerifyControl, to: str = NUMBER) -> str:
    assert backend.start(to=to, channel=Channel.SMS).ok
    return fake.last_code(to=to)


# What works.


def test_start_sends_through_the_service(backend, fake_verify):
    result = backend.start(to=NUMBER, channel=Channel.SMS)
    assert result.status is SendStatus.SENT
    [message] = fake_verify.messages()
    assert message["to"] == NUMBER and message["channel"] == "sms"
    assert result.sid == message["sid"]


def test_start_call_channel(backend, fake_verify):
    assert backend.start(to=NUMBER, channel=Channel.CALL, locale="fr").ok
    assert fake_verify.messages()[-1]["channel"] == "call"


def test_right_code_approved_then_gone(backend, fake_verify):
    code = started(backend, fake_verify)
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.APPROVED
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.EXPIRED


def test_wrong_code_leaves_it_pending_with_attempts_unknown(backend, fake_verify):
    code = started(backend, fake_verify)
    result = backend.check(to=NUMBER, code=wrong(code))
    assert result.status is CheckStatus.WRONG_CODE
    assert result.attempts_left is None
    assert backend.check(to=NUMBER, code=code).ok


def test_resend_is_the_same_code(backend, fake_verify):
    first = started(backend, fake_verify)
    second = started(backend, fake_verify)
    assert first == second


# Twilio error codes -> results.


def test_sixth_send_is_too_many_sends_60203(backend, fake_verify):
    for _ in range(5):
        assert backend.start(to=NUMBER, channel=Channel.SMS).ok
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.TOO_MANY_SENDS


def test_sixth_check_is_too_many_attempts_60202(backend, fake_verify):
    code = started(backend, fake_verify)
    for _ in range(5):
        assert backend.check(to=NUMBER, code=wrong(code)).status is CheckStatus.WRONG_CODE
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.TOO_MANY_ATTEMPTS


def test_check_without_verification_is_expired_20404(backend, fake_verify):
    assert backend.check(to=NUMBER, code="123456").status is CheckStatus.EXPIRED


def test_code_expires_with_the_fakes_clock(backend, fake_verify):
    code = started(backend, fake_verify)
    fake_verify.advance(seconds=599)
    assert backend.check(to=NUMBER, code=wrong(code)).status is CheckStatus.WRONG_CODE
    fake_verify.advance(seconds=1)
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.EXPIRED


def test_number_not_e164_is_invalid_60200(backend, fake_verify):
    assert backend.start(to="5555550100", channel=Channel.SMS).status is SendStatus.INVALID_NUMBER
    assert fake_verify.messages() == []


def test_landline_sms_is_channel_unsupported_60205(backend, fake_verify):
    fake_verify.landline(to=NUMBER)
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.CHANNEL_UNSUPPORTED
    # A voice call to a landline works.
    assert backend.start(to=NUMBER, channel=Channel.CALL).ok


@pytest.mark.parametrize("code", [60410, 60605])
def test_blocked_number_is_blocked(backend, fake_verify, code):
    fake_verify.block(to=NUMBER, code=code)
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.BLOCKED


@pytest.mark.parametrize(
    ("http_status", "code", "expected"),
    [
        (400, 60200, SendStatus.INVALID_NUMBER),
        (400, 21211, SendStatus.INVALID_NUMBER),
        (400, 21614, SendStatus.INVALID_NUMBER),
        (400, 60205, SendStatus.CHANNEL_UNSUPPORTED),
        (403, 60410, SendStatus.BLOCKED),
        (403, 60605, SendStatus.BLOCKED),
        (429, 60203, SendStatus.TOO_MANY_SENDS),
        (429, 20429, SendStatus.UNAVAILABLE),
        (401, 20003, SendStatus.UNAVAILABLE),
        (403, 20403, SendStatus.UNAVAILABLE),
        (400, 60999, SendStatus.UNAVAILABLE),
        (503, 20503, SendStatus.UNAVAILABLE),
    ],
)
def test_start_error_mapping(backend, fake_verify, http_status, code, expected):
    fake_verify.fault(mode="error", status=http_status, code=code)
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is expected


@pytest.mark.parametrize(
    ("http_status", "code", "expected"),
    [
        (429, 60202, CheckStatus.TOO_MANY_ATTEMPTS),
        (429, 20429, CheckStatus.UNAVAILABLE),
        (404, 20404, CheckStatus.EXPIRED),
        (404, 20001, CheckStatus.EXPIRED),
        (401, 20003, CheckStatus.UNAVAILABLE),
        (403, 20403, CheckStatus.UNAVAILABLE),
        (400, 60200, CheckStatus.UNAVAILABLE),
        (500, 20500, CheckStatus.UNAVAILABLE),
    ],
)
def test_check_error_mapping(backend, fake_verify, http_status, code, expected):
    fake_verify.fault(mode="error", status=http_status, code=code)
    assert backend.check(to=NUMBER, code="123456").status is expected


def test_http_500_is_unavailable(backend, fake_verify):
    fake_verify.fault(mode="500")
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.UNAVAILABLE
    assert backend.check(to=NUMBER, code="123456").status is CheckStatus.UNAVAILABLE


def test_http_429_account_rate_limit_is_unavailable(backend, fake_verify):
    # Twilio's 20429 limits the whole account: not "too many codes", and no lock-out.
    fake_verify.fault(mode="429")
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.UNAVAILABLE
    assert backend.check(to=NUMBER, code="123456").status is CheckStatus.UNAVAILABLE


def test_fault_for_one_request_only(backend, fake_verify):
    fake_verify.fault(mode="500", times=1)
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.UNAVAILABLE
    assert backend.start(to=NUMBER, channel=Channel.SMS).ok


def test_unexpected_check_status_is_unavailable(backend, monkeypatch, fake_verify):
    from twilio.rest.verify.v2.service.verification_check import VerificationCheckList

    class Odd:
        status = "something-new"

    monkeypatch.setattr(VerificationCheckList, "create", lambda self, **kw: Odd())
    assert backend.check(to=NUMBER, code="123456").status is CheckStatus.UNAVAILABLE


# Slow, hung and unreachable Twilio (TWILIO_TIMEOUT is 1 s in the fixture).


def test_latency_under_the_timeout_is_fine(backend, fake_verify):
    fake_verify.fault(mode="latency", seconds=0.3)
    began = time.monotonic()
    assert backend.start(to=NUMBER, channel=Channel.SMS).ok
    assert time.monotonic() - began >= 0.3


def test_hang_past_the_timeout_is_unavailable_within_it(backend, fake_verify):
    fake_verify.fault(mode="hang", seconds=10)
    began = time.monotonic()
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.UNAVAILABLE
    assert backend.check(to=NUMBER, code="123456").status is CheckStatus.UNAVAILABLE
    assert time.monotonic() - began < 4


def test_connection_refused_is_unavailable(fake_verify, settings, closed_port_url):
    settings.TWILIO_VERIFY_API_URL = closed_port_url
    backend = TwilioVerifyBackend()
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.UNAVAILABLE
    assert backend.check(to=NUMBER, code="123456").status is CheckStatus.UNAVAILABLE


def test_settings_are_read_at_call_time(backend, fake_verify, settings, closed_port_url):
    assert backend.start(to=NUMBER, channel=Channel.SMS).ok
    settings.TWILIO_VERIFY_API_URL = closed_port_url
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.UNAVAILABLE


def test_missing_settings_are_unavailable_not_an_exception(fake_verify, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    backend = TwilioVerifyBackend()
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.UNAVAILABLE
    assert backend.check(to=NUMBER, code="123456").status is CheckStatus.UNAVAILABLE
    assert fake_verify.messages() == []


def test_requests_go_to_the_configured_url_with_the_timeout(fake_verify, monkeypatch):
    seen = {}
    original = requests.Session.send

    def spy(self, request, **kwargs):
        seen["url"], seen["timeout"] = request.url, kwargs.get("timeout")
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", spy)
    assert TwilioVerifyBackend().start(to=NUMBER, channel=Channel.SMS).ok
    assert seen["url"].startswith(fake_verify.url + "/v2/Services/VA")
    assert seen["timeout"] == 1.0


# Logging: failures logged with the number masked, never the code or the token.


def test_failures_are_logged_masked_without_code_or_token(backend, fake_verify, caplog, settings):
    code = started(backend, fake_verify)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        fake_verify.fault(mode="500")
        backend.check(to=NUMBER, code=code)
        fake_verify.fault(mode="none")
        backend.check(to=NUMBER, code="999999" if code != "999999" else "888888")
        fake_verify.fault(mode="error", status=400, code=60200)
        backend.start(to=NUMBER, channel=Channel.SMS)
    records = [r for r in caplog.records if r.name == LOGGER]
    assert len(records) == 2  # the 500 and the 60200; a wrong code is not a failure
    assert records[0].levelno == logging.ERROR
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert mask_number(NUMBER) in text
    assert NUMBER not in text
    assert code not in text
    assert settings.TWILIO_AUTH_TOKEN not in text


def test_describe_service_names_the_service(backend, fake_verify, settings):
    line = backend.describe_service()
    assert settings.TWILIO_VERIFY_SERVICE_SID in line
    assert "Fake Verify" in line


@pytest.mark.parametrize(("http_status", "code"), [(401, 20003), (403, 20403), (404, 20404)])
def test_describe_service_configuration_errors(backend, fake_verify, settings, http_status, code):
    fake_verify.fault(mode="error", status=http_status, code=code)
    with pytest.raises(BackendConfigurationError) as excinfo:
        backend.describe_service()
    assert settings.TWILIO_AUTH_TOKEN not in str(excinfo.value)


def test_describe_service_missing_settings_named(fake_verify, settings):
    settings.TWILIO_VERIFY_SERVICE_SID = ""
    with pytest.raises(BackendConfigurationError, match="TWILIO_VERIFY_SERVICE_SID"):
        TwilioVerifyBackend().describe_service()


def test_describe_service_unavailable_on_500_and_hang(backend, fake_verify):
    fake_verify.fault(mode="500")
    with pytest.raises(BackendUnavailable):
        backend.describe_service()
    fake_verify.fault(mode="hang", seconds=10)
    with pytest.raises(BackendUnavailable):
        backend.describe_service()


def test_describe_service_unavailable_when_refused(fake_verify, settings, closed_port_url):
    settings.TWILIO_VERIFY_API_URL = closed_port_url
    with pytest.raises(BackendUnavailable, match="could not be reached"):
        TwilioVerifyBackend().describe_service()
