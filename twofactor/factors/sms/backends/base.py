"""The interface every Verify backend implements, and its small typed results.

Twilio Verify generates, sends and checks the code on its side; the site never
sees the code it sends. So a backend does two things: *start* a verification
for a number on a channel, and *check* a code for a number. Neither raises for
an expected failure: each returns a result the view can explain to the user.
"""

from dataclasses import dataclass
from datetime import timedelta
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
