"""The interface every Verify backend implements, and its small typed results.

Twilio Verify generates, sends and checks the code on its side; the site never
sees the code it sends. So a backend does three things: *start* a verification
for a number on a channel, *check* a code for a number, and *cancel* one the
user abandoned. None raises for an expected failure: each returns a result the
view can explain to the user (or, for a cancel, log).

For staff, a backend also reports its service's settings (`service_settings`)
and the attempts it sent and saw confirmed (`attempts_summary`), the figures of
Verify's Attempts Summary.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Channel(StrEnum):
    SMS = "sms"
    CALL = "call"


class SendStatus(StrEnum):
    SENT = "sent"
    INVALID_NUMBER = "invalid_number"  # Twilio 60200/21211: not a number we can use
    CHANNEL_UNSUPPORTED = "channel_unsupported"  # e.g. a landline for SMS (60205)
    BLOCKED = "blocked"  # Fraud Guard (60410) or Geo Permissions (60605)
    TOO_MANY_SENDS = "too_many_sends"  # 60203 (another 429 is Twilio's own rate limit: UNAVAILABLE)
    UNAVAILABLE = "unavailable"  # 5xx, timeout, connection error, bad credentials


class CheckStatus(StrEnum):
    APPROVED = "approved"
    WRONG_CODE = "wrong_code"  # still pending; attempts_left says how many remain
    EXPIRED = "expired"  # expired, already used, or never started (20404)
    TOO_MANY_ATTEMPTS = "too_many_attempts"  # 60202: this verification is over
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class SendResult:
    status: SendStatus
    # Where the backend knows it: how long before another send may work.
    retry_after: timedelta | None = None
    # The provider's own id of the verification, for the logs (never the code).
    sid: str = ""

    @property
    def ok(self) -> bool:
        return self.status is SendStatus.SENT


@dataclass(frozen=True, slots=True)
class CheckResult:
    status: CheckStatus
    attempts_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is CheckStatus.APPROVED


class CancelStatus(StrEnum):
    CANCELED = "canceled"
    # 20404: already approved, expired or canceled (or never started): nothing
    # is pending any more, which is what a cancel wanted.
    GONE = "gone"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class CancelResult:
    status: CancelStatus

    @property
    def ok(self) -> bool:
        """Nothing is pending for the number any more."""
        return self.status is not CancelStatus.UNAVAILABLE


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """The Verify service's settings that matter for security and cost
    (Twilio's `GET /v2/Services/{Sid}`)."""

    code_length: int
    do_not_share_warning_enabled: bool
    lookup_enabled: bool
    skip_sms_to_landlines: bool


@dataclass(frozen=True, slots=True)
class AttemptsSummary:
    """Verify's Attempts Summary for one filter: codes sent, and how many of
    them were confirmed (a pumping wave: many attempts, few converted)."""

    total_attempts: int
    total_converted: int

    @property
    def total_unconverted(self) -> int:
        return self.total_attempts - self.total_converted

    @property
    def conversion_rate(self) -> float | None:
        """Percent converted; None when nothing was sent."""
        if not self.total_attempts:
            return None
        return 100 * self.total_converted / self.total_attempts


@dataclass(frozen=True, slots=True)
class AttemptsFilter:
    """What `attempts_summary` counts: attempts created in [since, until), to
    one ISO country ("GB") and/or one E.164 prefix ("+4470"), if given."""

    since: datetime
    until: datetime
    country: str = ""
    prefix: str = ""


@dataclass(frozen=True, slots=True)
class SendContext:
    """What the site knows of who asked for a code, for the provider's own
    fraud controls (Twilio's DeviceIp and Service Rate Limits)."""

    device_ip: str | None = None
    user_id: str = ""


class VerifyBackend:
    """Base class. `to` is always an E.164 string such as "+15555550100"."""

    # Shown in `twofactor_check` and the logs.
    name = "base"
    # Twilio Verify's rules (the Verify service's defaults), read by the flows
    # and the messages: a verification lives 10 minutes, allows 5 checks, and
    # its code has 6 digits.
    verification_lifetime = timedelta(minutes=10)
    checks_per_verification = 5
    code_length = 6

    def start(
        self,
        *,
        to: str,
        channel: Channel,
        locale: str | None = None,
        context: SendContext | None = None,
    ) -> SendResult:
        raise NotImplementedError

    def check(self, *, to: str, code: str) -> CheckResult:
        raise NotImplementedError

    def cancel(self, *, to: str, sid: str = "") -> CancelResult:
        """End the pending verification `sid` (or, without it, the one of `to`),
        so its code no longer works. Best effort, bounded by the backend's
        timeout. A backend that can't cancel says so (its codes just expire)."""
        return CancelResult(status=CancelStatus.UNAVAILABLE)

    def service_settings(self) -> ServiceSettings | None:
        """The Verify service's settings; None for a backend without one.

        Raises `BackendConfigurationError` or `BackendUnavailable` like
        `describe_service`.
        """
        return None

    def attempts_summary(self, *, where: AttemptsFilter) -> AttemptsSummary:
        """Codes sent and confirmed, as Verify's Attempts Summary counts them.

        Raises `BackendUnavailable` (or `BackendConfigurationError`) when the
        figures can't be had.
        """
        raise NotImplementedError

    def describe_service(self) -> str:
        """One line saying which service this backend talks to and that it works.

        Raises `BackendConfigurationError` (or `BackendUnavailable`) when it doesn't.
        Used by `manage.py twofactor_check`.
        """
        return self.name


class BackendConfigurationError(Exception):
    """The backend's settings are missing or wrong (say which, never the secret)."""


class BackendUnavailable(Exception):
    """The provider could not be reached or did not answer in time."""
