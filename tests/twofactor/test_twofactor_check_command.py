"""`manage.py twofactor_check` says which backend is in use and whether it works."""

import pytest
from django.core.management import CommandError, call_command

TWILIO = "twofactor.factors.sms.backends.twilio.TwilioVerifyBackend"


def run() -> str:
    from io import StringIO

    out = StringIO()
    call_command("twofactor_check", stdout=out)
    return out.getvalue()


def test_local_backend(settings):
    settings.TWOFACTOR_VERIFY_BACKEND = (
        "twofactor.factors.sms.backends.console.ConsoleVerifyBackend"
    )
    output = run()
    assert (
        "Backend: twofactor.factors.sms.backends.console.ConsoleVerifyBackend (console)" in output
    )
    assert "OK: console: codes are made and checked in this process" in output


def test_twilio_backend_reaches_the_service(fake_verify, settings):
    output = run()
    assert f"Backend: {TWILIO} (twilio)" in output
    assert f"OK: Twilio Verify service {settings.TWILIO_VERIFY_SERVICE_SID}" in output
    assert "Fake Verify" in output
    assert settings.TWILIO_AUTH_TOKEN not in output


def test_bad_credentials(fake_verify, settings):
    fake_verify.fault(mode="error", status=401, code=20003)
    with pytest.raises(CommandError, match="rejected the credentials") as excinfo:
        run()
    assert settings.TWILIO_AUTH_TOKEN not in str(excinfo.value)


def test_unknown_service(fake_verify, settings):
    fake_verify.fault(mode="error", status=404, code=20404)
    with pytest.raises(
        CommandError, match=f"no Verify service.*{settings.TWILIO_VERIFY_SERVICE_SID}"
    ):
        run()


def test_malformed_service_sid_is_not_found(fake_verify, settings):
    settings.TWILIO_VERIFY_SERVICE_SID = "VA-not-a-sid"
    with pytest.raises(CommandError, match="no Verify service"):
        run()


def test_missing_setting_is_named(fake_verify, settings):
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(CommandError, match="TWILIO_ACCOUNT_SID"):
        run()


def test_twilio_down(fake_verify):
    fake_verify.fault(mode="500")
    with pytest.raises(CommandError, match="unavailable.*HTTP 500"):
        run()


def test_twilio_unreachable(fake_verify, settings, closed_port_url):
    settings.TWILIO_VERIFY_API_URL = closed_port_url
    with pytest.raises(CommandError, match="could not be reached"):
        run()


def test_twilio_timeout(fake_verify):
    fake_verify.fault(mode="hang", seconds=10)
    with pytest.raises(CommandError, match="could not be reached.*Timeout"):
        run()


def test_backend_not_importable(settings):
    settings.TWOFACTOR_VERIFY_BACKEND = "twofactor.factors.sms.backends.nope.Backend"
    with pytest.raises(CommandError, match="cannot be imported"):
        run()
