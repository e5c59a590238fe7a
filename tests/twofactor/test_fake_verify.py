"""The stateful fake speaks Verify v2 the way the twilio package expects."""

import socket

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from tests import fixtures_verify
from tests.fixtures_verify import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_SERVICE_SID
from twofactor.factors.sms.testing.fake_verify import free_port

NUMBER = "+15555550100"


@pytest.fixture
def service(fake_verify):
    base = fake_verify.url

    class Rewriting(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            return super().request(
                method, url.replace("https://verify.twilio.com", base), *args, **kwargs
            )

    client = Client(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, http_client=Rewriting(timeout=1))
    return client.verify.v2.services(TEST_SERVICE_SID)


def test_verification_fields_parse(service, fake_verify):
    verification = service.verifications.create(to=NUMBER, channel="sms")
    assert verification.sid.startswith("VE") and len(verification.sid) == 34
    assert verification.service_sid == TEST_SERVICE_SID
    assert verification.account_sid == TEST_ACCOUNT_SID
    assert (verification.to, verification.channel, verification.status) == (
        NUMBER,
        "sms",
        "pending",
    )
    assert verification.valid is False
    assert verification.date_created is not None
    assert len(verification.send_code_attempts) == 1


def test_check_by_verification_sid(service, fake_verify):
    verification = service.verifications.create(to=NUMBER, channel="sms")
    check = service.verification_checks.create(
        verification_sid=verification.sid, code=fake_verify.last_code(to=NUMBER)
    )
    assert (check.status, check.valid, check.to) == ("approved", True, NUMBER)


def test_cancel_then_gone(service, fake_verify):
    verification = service.verifications.create(to=NUMBER, channel="call")
    updated = service.verifications(verification.sid).update(status="canceled")
    assert updated.status == "canceled"
    with pytest.raises(TwilioRestException) as excinfo:
        service.verification_checks.create(to=NUMBER, code=fake_verify.last_code(to=NUMBER))
    assert (excinfo.value.status, excinfo.value.code) == (404, 20404)


def test_approve_by_update(service, fake_verify):
    verification = service.verifications.create(to=NUMBER, channel="sms")
    assert service.verifications(verification.sid).update(status="approved").valid is True
    with pytest.raises(TwilioRestException):
        service.verifications(verification.sid).update(status="canceled")


def test_errors_have_twilios_shape(fake_verify):
    response = requests.post(
        f"{fake_verify.url}/v2/Services/{TEST_SERVICE_SID}/Verifications",
        data={"To": "not a number", "Channel": "sms"},
        auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
        timeout=5,
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (60200, 400)
    assert body["more_info"] == "https://www.twilio.com/docs/errors/60200"


@pytest.mark.parametrize("auth", [None, ("not-an-account", "token"), (TEST_ACCOUNT_SID, "")])
def test_credentials_are_required(fake_verify, auth):
    response = requests.get(
        f"{fake_verify.url}/v2/Services/{TEST_SERVICE_SID}", auth=auth, timeout=5
    )
    assert (response.status_code, response.json()["code"]) == (401, 20003)


def test_bad_control_request_is_refused(fake_verify):
    response = requests.post(f"{fake_verify.url}/_fake/fault", data={"Mode": "x"}, timeout=5)
    assert response.status_code == 400
    with pytest.raises(requests.HTTPError):
        fake_verify.block(to=NUMBER, code=12345)


def test_reset_forgets_messages_and_faults(service, fake_verify):
    service.verifications.create(to=NUMBER, channel="sms")
    fake_verify.fault(mode="500")
    fake_verify.reset()
    assert fake_verify.messages() == []
    assert service.verifications.create(to=NUMBER, channel="sms").status == "pending"


def test_messages_to_one_number(service, fake_verify):
    other = "+15555550199"
    service.verifications.create(to=NUMBER, channel="sms")
    service.verifications.create(to=other, channel="call")
    assert [m["to"] for m in fake_verify.messages()] == [NUMBER, other]
    assert [m["to"] for m in fake_verify.messages(to=other)] == [other]
    assert fake_verify.last_code(to=other) == fake_verify.messages(to=other)[0]["code"]


def test_a_fault_every_nth_request(service, fake_verify):
    fake_verify.fault(mode="500", every=3)
    outcomes = []
    for _ in range(6):
        try:
            service.verifications.create(to=NUMBER, channel="sms")
            outcomes.append("sent")
        except TwilioRestException as error:
            outcomes.append(error.status)
    assert outcomes == ["sent", "sent", 500, "sent", "sent", 500]


def test_free_port_refuses_connections():
    port = free_port()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 1):
        pass


def test_missing_prism_skips_locally_and_fails_on_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="npm ci"):
        fixtures_verify._unavailable("node_modules/.bin/prism is missing")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run on CI"):
        fixtures_verify._unavailable("node_modules/.bin/prism is missing")


def test_the_fake_starts_as_a_script_without_django_set_up():
    """`make fake-verify` runs it as `python -m`, with no settings module."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", "import twofactor.factors.sms.testing.fake_verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


# Cancel by number, the Attempts Summary, the service's settings, Rate Limits.


def test_cancel_by_number_then_gone(service, fake_verify):
    service.verifications.create(to=NUMBER, channel="sms")
    assert service.verifications(NUMBER).update(status="canceled").status == "canceled"
    with pytest.raises(TwilioRestException) as excinfo:
        service.verification_checks.create(to=NUMBER, code=fake_verify.last_code(to=NUMBER))
    assert (excinfo.value.status, excinfo.value.code) == (404, 20404)


def test_cancel_in_another_service_is_not_found(fake_verify):
    response = requests.post(
        f"{fake_verify.url}/v2/Services/VA{'1' * 32}/Verifications/{NUMBER}",
        data={"Status": "canceled"},
        auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
        timeout=5,
    )
    assert response.status_code == 404


@pytest.fixture
def client(fake_verify) -> Client:
    base = fake_verify.url

    class Rewriting(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            return super().request(
                method, url.replace("https://verify.twilio.com", base), *args, **kwargs
            )

    return Client(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, http_client=Rewriting(timeout=1))


def test_attempts_summary_counts_sends_and_conversions(client, service, fake_verify):
    from datetime import UTC, datetime, timedelta

    british = "+447400123456"
    service.verifications.create(to=british, channel="sms")
    service.verifications.create(to=british, channel="call")  # a resend: one more attempt
    service.verification_checks.create(to=british, code=fake_verify.last_code(to=british))
    service.verifications.create(to=NUMBER, channel="sms")  # never confirmed
    summary = client.verify.v2.verification_attempts_summary()
    now = datetime.now(UTC)
    window = {"date_created_after": now - timedelta(minutes=1)}

    every = summary.fetch(verify_service_sid=TEST_SERVICE_SID, **window)
    assert (every.total_attempts, every.total_converted, every.total_unconverted) == (3, 2, 1)
    assert every.conversion_rate_percentage.startswith("66.66")
    gb = summary.fetch(country="GB", **window)
    assert (gb.total_attempts, gb.total_converted) == (2, 2)
    us = summary.fetch(destination_prefix="+1555", **window)
    assert (us.total_attempts, us.total_converted) == (1, 0)
    calls = summary.fetch(channel="call", **window)
    assert calls.total_attempts == 1
    later = summary.fetch(date_created_after=now + timedelta(minutes=1))
    assert (later.total_attempts, later.conversion_rate_percentage) == (0, None)
    other_service = summary.fetch(verify_service_sid="VA" + "1" * 32)
    assert other_service.total_attempts == 0


def test_the_services_settings_can_be_set(service, fake_verify):
    settings = service.fetch()
    assert (settings.code_length, settings.do_not_share_warning_enabled) == (6, True)
    fake_verify.configure_service(code_length=4, lookup_enabled=False)
    settings = service.fetch()
    assert (settings.code_length, settings.lookup_enabled, settings.skip_sms_to_landlines) == (
        4,
        False,
        True,
    )
    response = requests.post(f"{fake_verify.url}/_fake/service", data={"nope": "1"}, timeout=5)
    assert response.status_code == 400


def test_rate_limits_and_buckets(service, fake_verify):
    limit = service.rate_limits.create(unique_name="per_user", description="Per user")
    assert limit.sid.startswith("RK") and limit.unique_name == "per_user"
    bucket = service.rate_limits(limit.sid).buckets.create(max=5, interval=3600)
    assert (bucket.max, bucket.interval, bucket.rate_limit_sid) == (5, 3600, limit.sid)
    assert [rl.unique_name for rl in service.rate_limits.list()] == ["per_user"]
    assert [(b.max, b.interval) for b in service.rate_limits(limit.sid).buckets.list()] == [
        (5, 3600)
    ]
    assert fake_verify.rate_limits() == [
        {
            "sid": limit.sid,
            "unique_name": "per_user",
            "description": "Per user",
            "buckets": [{"max": 5, "interval": 3600}],
        }
    ]
    with pytest.raises(TwilioRestException) as excinfo:
        service.rate_limits("RK" + "0" * 32).buckets.create(max=1, interval=60)
    assert excinfo.value.status == 404
