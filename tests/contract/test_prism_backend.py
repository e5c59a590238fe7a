"""The Twilio backend's requests, as the real `twilio` package sends them, are valid
according to Twilio's own OpenAPI description (served by Prism, which answers 422 to
an invalid request; the `prism_verify` fixture fails the test on any such line).
"""

import pytest
import requests
from twilio.base import values

from tests.fixtures_verify import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    aim_twilio_backend,
    fail_on_prism_violations,
    prism_violations,
)
from twofactor.factors.sms.backends.base import Channel, CheckStatus, SendStatus
from twofactor.factors.sms.backends.twilio import TwilioVerifyBackend

pytestmark = pytest.mark.contract

NUMBER = "+15555550100"


def test_start_sms(prism_verify):
    result = TwilioVerifyBackend().start(to=NUMBER, channel=Channel.SMS)
    assert result.status is SendStatus.SENT
    assert result.sid.startswith("VE")


def test_start_call_with_locale(prism_verify):
    assert TwilioVerifyBackend().start(to=NUMBER, channel=Channel.CALL, locale="en").ok


def test_check(prism_verify):
    # Prism is stateless and answers with the spec's example: approved.
    assert TwilioVerifyBackend().check(to=NUMBER, code="123456").status is CheckStatus.APPROVED


def test_describe_service(prism_verify, settings):
    assert "Twilio Verify service VA" in TwilioVerifyBackend().describe_service()


# The detector: a request that breaks the description must be caught.


def _log_of(prism, send) -> str:
    offset = prism.sync()
    send()
    return prism.log_since(offset, prism.sync())


def test_detector_flags_a_malformed_service_sid(prism, settings):
    aim_twilio_backend(settings, url=prism.url, timeout=5.0)
    settings.TWILIO_VERIFY_SERVICE_SID = "VA-not-a-service-sid"
    outcome = {}

    def send() -> None:
        outcome["result"] = TwilioVerifyBackend().start(to=NUMBER, channel=Channel.SMS)

    violations = prism_violations(_log_of(prism, send))
    assert outcome["result"].status is SendStatus.UNAVAILABLE  # Prism's 422
    assert any("servicesid" in line for line in violations), violations


def test_prism_verify_check_fails_after_a_broken_request(prism, settings, monkeypatch):
    """What `prism_verify` runs after each test must fail on a request with no To.

    (It uses `prism`, not `prism_verify`, whose own teardown would fail on it too.)
    """
    from twilio.rest.verify.v2.service.verification import VerificationList

    original = VerificationList.create

    def create_without_to(self, *, to, channel, **kwargs):
        return original(self, to=values.unset, channel=channel, **kwargs)

    aim_twilio_backend(settings, url=prism.url, timeout=5.0)
    offset = prism.sync()
    fail_on_prism_violations(prism=prism, since=offset)  # nothing yet: passes
    monkeypatch.setattr(VerificationList, "create", create_without_to)
    result = TwilioVerifyBackend().start(to=NUMBER, channel=Channel.SMS)
    assert result.status is SendStatus.UNAVAILABLE  # Prism's 422
    with pytest.raises(pytest.fail.Exception, match="required property 'To'"):
        fail_on_prism_violations(prism=prism, since=offset)


def test_detector_flags_a_request_without_to(prism):
    def send() -> None:
        response = requests.post(
            f"{prism.url}/v2/Services/VA{'0' * 32}/Verifications",
            data={"Channel": "sms"},
            auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
            timeout=5,
        )
        assert response.status_code == 422

    violations = prism_violations(_log_of(prism, send))
    assert any("required property 'To'" in line for line in violations), violations


def test_detector_is_quiet_for_a_valid_request(prism):
    def send() -> None:
        response = requests.post(
            f"{prism.url}/v2/Services/VA{'0' * 32}/Verifications",
            data={"To": NUMBER, "Channel": "sms"},
            auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
            timeout=5,
        )
        assert response.status_code == 201

    assert prism_violations(_log_of(prism, send)) == []


def test_detector_on_a_recorded_log():
    log = (
        "[1:21:55 PM] ›     [VALIDATOR] \x1b[32m✔  success\x1b[39m   The request passed\n"
        "[1:21:55 PM] ›     [VALIDATOR] ⚠  warning   Request did not pass the validation rules\n"
        "[1:21:55 PM] ›     [VALIDATOR] ✖  error     Request body must have required property"
        " 'To'\n"
    )
    assert len(prism_violations(log)) == 2
    assert prism_violations(log.splitlines()[0]) == []
