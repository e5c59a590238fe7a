"""The staff-side and cancel requests, as the real `twilio` package sends them, are
valid according to Twilio's own OpenAPI description (Prism answers 422 to an invalid
one; `prism_verify` fails the test on any such line): cancelling a verification, the
service's settings (`twofactor_check`), the Service Rate Limits and their buckets
(`twofactor_rate_limits`), and the Attempts Summary (the staff page).
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.fixtures_verify import aim_twilio_backend, prism_violations
from twofactor.factors.sms.backends.base import AttemptsFilter, CancelStatus
from twofactor.factors.sms.backends.twilio import TwilioVerifyBackend

pytestmark = pytest.mark.contract

NUMBER = "+15555550100"
VERIFICATION_SID = "VE" + "a" * 32


def test_cancel_by_sid(prism_verify):
    result = TwilioVerifyBackend().cancel(to=NUMBER, sid=VERIFICATION_SID)
    assert result.status is CancelStatus.CANCELED


def test_cancel_by_number(prism_verify):
    assert TwilioVerifyBackend().cancel(to=NUMBER).status is CancelStatus.CANCELED


def test_service_settings(prism_verify):
    # The description's example service: 4 digits, every protection off.
    found = TwilioVerifyBackend().service_settings()
    assert (found.code_length, found.do_not_share_warning_enabled) == (4, False)


def test_twofactor_check_reads_the_service(prism_verify):
    out = StringIO()
    with pytest.raises(CommandError, match="code length"):
        call_command("twofactor_check", stdout=out)
    assert "Code length 4" in out.getvalue()


def test_rate_limits_command(prism_verify, settings):
    settings.TWOFACTOR_VERIFY_RATE_LIMITS = {"user": "per_user", "ip": "per_ip"}
    out = StringIO()
    call_command("twofactor_rate_limits", stdout=out)
    # Prism's example lists one other Rate Limit, so both are created, with buckets.
    assert "Created Rate Limit per_user" in out.getvalue()
    assert "Created Rate Limit per_ip" in out.getvalue()


@pytest.mark.parametrize(
    "extra", [{}, {"country": "GB"}, {"prefix": "+4470"}], ids=["all", "country", "prefix"]
)
def test_attempts_summary(prism_verify, extra):
    now = timezone.now()
    summary = TwilioVerifyBackend().attempts_summary(
        where=AttemptsFilter(since=now - timedelta(days=7), until=now, **extra)
    )
    assert summary.total_attempts >= summary.total_converted >= 0


def test_the_detector_would_see_a_bad_summary_request(prism, settings):
    """A malformed service SID in the summary's filter is a violation Prism reports,
    so the test above would catch a request that broke the description."""
    aim_twilio_backend(settings, url=prism.url, timeout=5.0)
    settings.TWILIO_VERIFY_SERVICE_SID = "VA-not-a-service-sid"
    offset = prism.sync()
    now = timezone.now()
    with pytest.raises(Exception):  # noqa: B017, PT011  (the backend's BackendUnavailable: 422)
        TwilioVerifyBackend().attempts_summary(
            where=AttemptsFilter(since=now - timedelta(days=1), until=now)
        )
    assert prism_violations(prism.log_since(offset, prism.sync()))
