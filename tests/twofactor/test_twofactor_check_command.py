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


# The Verify service's settings that matter (GET /v2/Services/{Sid}).


def test_a_well_kept_service_is_all_ok(fake_verify):
    output = run()
    assert "OK: Code length 6 (at least 6)." in output
    assert 'OK: The "do not share this code" warning is on.' in output
    assert "OK: Lookup is on and texts to landlines are skipped." in output
    assert "ERROR" not in output and "WARNING" not in output


def run_failing() -> tuple[str, str]:
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("twofactor_check", stdout=out)
    return out.getvalue(), str(excinfo.value)


def test_short_codes_fail_and_say_what_to_change(fake_verify):
    fake_verify.configure_service(code_length=4)
    output, error = run_failing()
    assert "ERROR: Code length 4: codes need at least 6 digits." in output
    assert "set Code length to 6 or more" in output
    assert error == "The Verify service's settings need changing: code length."


def test_no_do_not_share_warning_fails(fake_verify):
    fake_verify.configure_service(do_not_share_warning_enabled=False)
    output, error = run_failing()
    assert 'ERROR: The "do not share this code" warning is off' in output
    assert 'switch on "Do not share warning"' in output
    assert error == "The Verify service's settings need changing: do not share warning."


def test_both_required_ones_wrong_are_both_named(fake_verify):
    fake_verify.configure_service(code_length=5, do_not_share_warning_enabled=False)
    _output, error = run_failing()
    assert error.endswith("code length, do not share warning.")


@pytest.mark.parametrize(
    ("lookup", "skip", "expected"),
    [
        (False, False, 'switch on "Lookup" and "Skip SMS to landlines"'),
        (True, False, 'switch on "Skip SMS to landlines"'),
        (False, True, '"Skip SMS to landlines" is on but Lookup is off, so it does nothing.'),
    ],
    ids=["neither", "lookup-only", "skip-without-lookup"],
)
def test_landlines_are_a_warning_not_a_failure(fake_verify, lookup, skip, expected):
    fake_verify.configure_service(lookup_enabled=lookup, skip_sms_to_landlines=skip)
    output = run()  # no CommandError: recommended, not required
    [line] = [line for line in output.splitlines() if line.startswith("WARNING:")]
    assert expected in line
    assert "In the Twilio console: Verify > Services" in line


@pytest.mark.parametrize(
    "path",
    [
        "twofactor.factors.sms.backends.console.ConsoleVerifyBackend",
        "twofactor.factors.sms.backends.locmem.LocmemVerifyBackend",
    ],
)
def test_local_backends_say_they_have_no_service(settings, path):
    settings.TWOFACTOR_VERIFY_BACKEND = path
    output = run()
    assert "has no Verify service, so there are none to check." in output
    assert "Code length" not in output
