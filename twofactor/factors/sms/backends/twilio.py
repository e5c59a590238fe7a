"""Twilio Verify v2 through the official `twilio` package.

Every expected failure becomes a SendResult/CheckResult the view can explain;
nothing here raises for a wrong number, a blocked country, Twilio being down
or slow. Settings are read through `app_settings` on every call.
"""

import json
import logging
from dataclasses import dataclass

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from twofactor.conf import app_settings
from twofactor.factors.sms.backends.base import (
    AttemptsFilter,
    AttemptsSummary,
    BackendConfigurationError,
    BackendUnavailable,
    CancelResult,
    CancelStatus,
    Channel,
    CheckResult,
    CheckStatus,
    SendContext,
    SendResult,
    SendStatus,
    ServiceSettings,
    VerifyBackend,
)
from twofactor.models import mask_number

logger = logging.getLogger("twofactor.factors.sms.backends.twilio")

TWILIO_VERIFY_URL = "https://verify.twilio.com"

# Twilio error codes (https://www.twilio.com/docs/api/errors).
INVALID_PARAMETER = 60200
MAX_CHECK_ATTEMPTS = 60202
MAX_SEND_ATTEMPTS = 60203
LANDLINE_NOT_SUPPORTED = 60205
FRAUD_GUARD_BLOCKED = 60410
GEO_PERMISSIONS_BLOCKED = 60605
INVALID_TO_NUMBER = 21211
NOT_A_MOBILE_NUMBER = 21614
NOT_FOUND = 20404

SEND_ERRORS = {
    INVALID_PARAMETER: SendStatus.INVALID_NUMBER,
    INVALID_TO_NUMBER: SendStatus.INVALID_NUMBER,
    NOT_A_MOBILE_NUMBER: SendStatus.INVALID_NUMBER,
    LANDLINE_NOT_SUPPORTED: SendStatus.CHANNEL_UNSUPPORTED,
    FRAUD_GUARD_BLOCKED: SendStatus.BLOCKED,
    GEO_PERMISSIONS_BLOCKED: SendStatus.BLOCKED,
    MAX_SEND_ATTEMPTS: SendStatus.TOO_MANY_SENDS,
}
CHECK_ERRORS = {
    MAX_CHECK_ATTEMPTS: CheckStatus.TOO_MANY_ATTEMPTS,
    NOT_FOUND: CheckStatus.EXPIRED,
}
CHECK_STATUSES = {
    "approved": CheckStatus.APPROVED,
    "pending": CheckStatus.WRONG_CODE,
    "canceled": CheckStatus.EXPIRED,
    "expired": CheckStatus.EXPIRED,
}

# What "Twilio can't be reached or didn't answer usefully" looks like from here.
TRANSPORT_ERRORS = (requests.RequestException, TwilioException, ValueError)


def _error_code_and_status(exc: Exception) -> tuple[int | None, int | None]:
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        code = exc.code if isinstance(exc.code, int) else None
        return code, exc.status
    # A list (Rate Limits) that failed: the package raises TwilioException
    # with the HTTP response beside the message ("Unable to fetch page").
    response = exc.args[1] if isinstance(exc, TwilioException) and len(exc.args) > 1 else None
    if isinstance(response, Response):
        try:
            code = json.loads(response.text).get("code")
        except (ValueError, AttributeError):
            code = None
        return (code if isinstance(code, int) else None), response.status_code
    return None, None


class VerifyHttpClient(TwilioHttpClient):
    """The twilio package's client with our timeout, aimed at TWILIO_VERIFY_API_URL.

    The rewrite lets tests (the stateful fake, Prism) stand in for verify.twilio.com.
    """

    def __init__(self, *, timeout: float, base_url: str) -> None:
        # No retries: a user is waiting, and a retried send could text them twice.
        super().__init__(timeout=timeout)
        self.base_url = base_url

    def request(self, method: str, url: str, *args, **kwargs):
        if url.startswith(TWILIO_VERIFY_URL):
            url = self.base_url + url[len(TWILIO_VERIFY_URL) :]
        return super().request(method, url, *args, **kwargs)


@dataclass(frozen=True, slots=True)
class Bucket:
    max: int
    interval: int  # seconds


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A Verify Service Rate Limit and its buckets."""

    sid: str
    unique_name: str
    buckets: tuple[Bucket, ...]


def _rate_limits(context: SendContext | None) -> dict[str, str]:
    if context is None:
        return {}
    facts = {"user": context.user_id, "ip": context.device_ip or ""}
    return {
        unique_name: facts[fact]
        for fact, unique_name in app_settings.VERIFY_RATE_LIMITS.items()
        if facts.get(fact)
    }


class TwilioVerifyBackend(VerifyBackend):
    name = "twilio"

    def _client(self) -> Client:
        account_sid = app_settings.TWILIO_ACCOUNT_SID
        auth_token = app_settings.TWILIO_AUTH_TOKEN
        service_sid = app_settings.TWILIO_VERIFY_SERVICE_SID
        missing = [
            name
            for name, value in (
                ("TWILIO_ACCOUNT_SID", account_sid),
                ("TWILIO_AUTH_TOKEN", auth_token),
                ("TWILIO_VERIFY_SERVICE_SID", service_sid),
            )
            if not value
        ]
        if missing:
            raise BackendConfigurationError(f"Missing setting(s): {', '.join(missing)}.")
        http_client = VerifyHttpClient(
            timeout=app_settings.TWILIO_TIMEOUT, base_url=app_settings.TWILIO_VERIFY_API_URL
        )
        # SECURITY: the token goes to the client only; it is never logged or shown.
        return Client(account_sid, auth_token, http_client=http_client)

    def _service(self):
        return self._client().verify.v2.services(app_settings.TWILIO_VERIFY_SERVICE_SID)

    def start(
        self,
        *,
        to: str,
        channel: Channel,
        locale: str | None = None,
        context: SendContext | None = None,
    ) -> SendResult:
        extra: dict = {"locale": locale} if locale else {}
        # Twilio's own fraud controls: never RiskCheck=disable; the client's
        # address (DeviceIp); the Service Rate Limits the settings name.
        if channel is Channel.SMS:  # the only channel RiskCheck applies to
            extra["risk_check"] = "enable"
        if context is not None and context.device_ip:
            extra["device_ip"] = context.device_ip
        rate_limits = _rate_limits(context)
        if rate_limits:
            extra["rate_limits"] = rate_limits
        try:
            verification = self._service().verifications.create(
                to=to, channel=str(channel), **extra
            )
        except BackendConfigurationError as exc:
            logger.error("Verify start not attempted: %s", exc)
            return SendResult(status=SendStatus.UNAVAILABLE)
        except TRANSPORT_ERRORS as exc:
            status = self._send_status(exc)
            self._log_failure(action="start", to=to, exc=exc, result=status)
            return SendResult(status=status)
        return SendResult(status=SendStatus.SENT, sid=verification.sid or "")

    def check(self, *, to: str, code: str) -> CheckResult:
        try:
            # SECURITY: the code is sent to Twilio and nowhere else (not logged).
            verification_check = self._service().verification_checks.create(to=to, code=code)
        except BackendConfigurationError as exc:
            logger.error("Verify check not attempted: %s", exc)
            return CheckResult(status=CheckStatus.UNAVAILABLE)
        except TRANSPORT_ERRORS as exc:
            status = self._check_status(exc)
            self._log_failure(action="check", to=to, exc=exc, result=status)
            return CheckResult(status=status)
        known = CHECK_STATUSES.get(verification_check.status or "")
        if known is None:
            logger.warning(
                "Verify check for %s: unexpected status %r",
                mask_number(to),
                verification_check.status,
            )
            return CheckResult(status=CheckStatus.UNAVAILABLE)
        # Twilio doesn't say how many checks are left; the flow keeps its own count.
        return CheckResult(status=known)

    def cancel(self, *, to: str, sid: str = "") -> CancelResult:
        # Verify finds the verification by its SID or, in the same place, by
        # the number it was sent to.
        try:
            self._service().verifications(sid or to).update(status="canceled")
        except BackendConfigurationError as exc:
            logger.error("Verify cancel not attempted: %s", exc)
            return CancelResult(status=CancelStatus.UNAVAILABLE)
        except TRANSPORT_ERRORS as exc:
            code, http_status = _error_code_and_status(exc)
            if http_status == 404 or code == NOT_FOUND:
                # Approved, expired or canceled already: nothing left to end.
                return CancelResult(status=CancelStatus.GONE)
            self._log_failure(action="cancel", to=to, exc=exc, result="unavailable")
            return CancelResult(status=CancelStatus.UNAVAILABLE)
        return CancelResult(status=CancelStatus.CANCELED)

    def describe_service(self) -> str:
        service = self._fetch_service()
        return (
            f"Twilio Verify service {service.sid} ({service.friendly_name!r}) "
            f"at {app_settings.TWILIO_VERIFY_API_URL}"
        )

    def service_settings(self) -> ServiceSettings:
        service = self._fetch_service()
        return ServiceSettings(
            code_length=int(service.code_length or 0),
            do_not_share_warning_enabled=bool(service.do_not_share_warning_enabled),
            lookup_enabled=bool(service.lookup_enabled),
            skip_sms_to_landlines=bool(service.skip_sms_to_landlines),
        )

    def attempts_summary(self, *, where: AttemptsFilter) -> AttemptsSummary:
        """`GET /v2/Attempts/Summary` for this service (Verify's root, not the
        service's: the service is a filter)."""
        filters: dict = {}
        if where.country:
            filters["country"] = where.country.upper()
        if where.prefix:
            filters["destination_prefix"] = where.prefix
        try:
            summary = (
                self._client()
                .verify.v2.verification_attempts_summary()
                .fetch(
                    verify_service_sid=app_settings.TWILIO_VERIFY_SERVICE_SID,
                    date_created_after=where.since,
                    date_created_before=where.until,
                    **filters,
                )
            )
        except TRANSPORT_ERRORS as exc:
            raise self._typed_error(exc) from None
        return AttemptsSummary(
            total_attempts=int(summary.total_attempts or 0),
            total_converted=int(summary.total_converted or 0),
        )

    # The Service Rate Limits (`manage.py twofactor_rate_limits`).

    def rate_limits(self) -> list[RateLimit]:
        """The service's Rate Limits with their buckets."""
        try:
            service = self._service()
            return [
                RateLimit(
                    sid=limit.sid or "",
                    unique_name=limit.unique_name or "",
                    buckets=tuple(
                        Bucket(max=int(bucket.max or 0), interval=int(bucket.interval or 0))
                        for bucket in service.rate_limits(limit.sid).buckets.list()
                    ),
                )
                for limit in service.rate_limits.list()
            ]
        except TRANSPORT_ERRORS as exc:
            raise self._typed_error(exc) from None

    def create_rate_limit(self, *, unique_name: str, description: str) -> RateLimit:
        try:
            limit = self._service().rate_limits.create(
                unique_name=unique_name, description=description
            )
        except TRANSPORT_ERRORS as exc:
            raise self._typed_error(exc) from None
        return RateLimit(sid=limit.sid or "", unique_name=limit.unique_name or "", buckets=())

    def create_bucket(self, *, rate_limit_sid: str, bucket: Bucket) -> None:
        try:
            self._service().rate_limits(rate_limit_sid).buckets.create(
                max=bucket.max, interval=bucket.interval
            )
        except TRANSPORT_ERRORS as exc:
            raise self._typed_error(exc) from None

    def _fetch_service(self):
        try:
            return self._service().fetch()
        except TRANSPORT_ERRORS as exc:
            raise self._typed_error(exc, not_found_is_the_service=True) from None

    @staticmethod
    def _typed_error(
        exc: Exception, *, not_found_is_the_service: bool = False
    ) -> BackendConfigurationError | BackendUnavailable:
        """What a failed staff-side request means, to say it (never the token)."""
        code, http_status = _error_code_and_status(exc)
        if http_status in (401, 403):
            return BackendConfigurationError(
                "Twilio rejected the credentials (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)"
                f" - HTTP {http_status}, error {code}."
            )
        if http_status == 404 and not_found_is_the_service:
            return BackendConfigurationError(
                "Twilio has no Verify service "
                f"TWILIO_VERIFY_SERVICE_SID={app_settings.TWILIO_VERIFY_SERVICE_SID}"
                f" for this account - HTTP 404, error {code}."
            )
        if http_status is not None:
            return BackendUnavailable(f"Twilio answered HTTP {http_status} (error {code}).")
        return BackendUnavailable(
            f"Twilio could not be reached at {app_settings.TWILIO_VERIFY_API_URL}: "
            f"{type(exc).__name__}."
        )

    @staticmethod
    def _send_status(exc: Exception) -> SendStatus:
        code, http_status = _error_code_and_status(exc)
        if code in SEND_ERRORS:
            return SEND_ERRORS[code]
        # Any other 429 (20429) is Twilio's rate limit for the whole account:
        # not this user's doing, so neither "too many codes" nor a lock.
        return SendStatus.UNAVAILABLE

    @staticmethod
    def _check_status(exc: Exception) -> CheckStatus:
        code, http_status = _error_code_and_status(exc)
        if code in CHECK_ERRORS:
            return CHECK_ERRORS[code]
        # A 429 other than 60202 is the account's rate limit: see _send_status.
        if http_status == 404:
            return CheckStatus.EXPIRED
        return CheckStatus.UNAVAILABLE

    @staticmethod
    def _log_failure(*, action: str, to: str, exc: Exception, result: str) -> None:
        code, http_status = _error_code_and_status(exc)
        # SECURITY: a masked number, the error code and status; never the code or the token.
        level = logging.ERROR if result == "unavailable" else logging.WARNING
        logger.log(
            level,
            "Verify %s for %s failed: %s (HTTP %s, error %s) -> %s",
            action,
            mask_number(to),
            type(exc).__name__,
            http_status,
            code,
            result,
        )
