"""An in-process Verify: the site makes, keeps and checks the codes itself.

It follows Twilio Verify's rules so that development and tests behave like
production: a 6-digit code valid 10 minutes; starting again while it is valid
re-sends the *same* code (at most 5 sends); 5 checks, then the verification is
over; an approved code is gone. It never delivers anything: subclasses decide
where a message goes (`console` prints it, `locmem` keeps it in an outbox).

State lives in this process (a dict behind a lock), so it is for one
development server or the test suite, never production (check twofactor.E002).

`recent_messages()` lists the last messages sent by any local backend, newest
first, for the /dev/outbox/ page (kept in `core.outbox`).

Each send is also kept as an *attempt* (when, the number's country and the
verification's id; in Django's cache, like the outbox, so every worker of a
development server sees them), and an approved verification marks its attempts
converted: `attempts_summary` gives the figures of Verify's Attempts Summary.
"""

import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext

from core import outbox
from twofactor.factors.sms.backends.base import (
    AttemptsFilter,
    AttemptsSummary,
    CancelResult,
    CancelStatus,
    Channel,
    CheckResult,
    CheckStatus,
    SendContext,
    SendResult,
    SendStatus,
    VerifyBackend,
)
from twofactor.factors.sms.policy import country_of

CODE_LENGTH = VerifyBackend.code_length
VALIDITY = VerifyBackend.verification_lifetime
MAX_SENDS = 5
MAX_CHECKS = VerifyBackend.checks_per_verification
RECENT_MESSAGES_MAX = outbox.MAX_ITEMS

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
# The attempts kept for `attempts_summary` (development: enough for weeks of it).
ATTEMPTS_KEY = "twofactor:local:attempts"
ATTEMPTS_MAX = 10_000


@dataclass(frozen=True, slots=True)
class VerifyMessage:
    """One code "sent" by a local backend (what a phone would have received)."""

    to: str
    channel: Channel
    code: str
    body: str
    sent_at: datetime


@dataclass(slots=True)
class _Verification:
    sid: str
    code: str
    created_at: datetime
    sends: int = 1
    checks: int = 0
    over: bool = False  # too many checks: nothing more can be done with it
    channels: list[Channel] = field(default_factory=list)

    def expired(self, now: datetime) -> bool:
        return now >= self.created_at + VALIDITY


_lock = threading.Lock()
_verifications: dict[str, _Verification] = {}  # keyed by the E.164 number


def recent_messages() -> list[VerifyMessage]:
    """The last messages sent by any local backend, newest first (the
    development outbox, `core.outbox`)."""
    return outbox.recent(outbox.CODES)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One send as Verify's Attempts count it; no code, and the number only
    for its prefix."""

    sent_at: datetime
    to: str
    country: str
    channel: Channel
    sid: str


def reset() -> None:
    """Forget every verification, recent message and attempt (tests call this
    around each test)."""
    with _lock:
        _verifications.clear()
    outbox.clear(outbox.CODES)
    cache.delete(ATTEMPTS_KEY)


def _attempts() -> tuple[list[Attempt], set[str]]:
    return cache.get(ATTEMPTS_KEY, ([], set()))


def _record_attempt(attempt: Attempt) -> None:
    # Development only, like the outbox: two workers writing in the same
    # instant may drop one record.
    with _lock:
        attempts, converted = _attempts()
        attempts.append(attempt)
        cache.set(ATTEMPTS_KEY, (attempts[-ATTEMPTS_MAX:], converted), timeout=None)


def _record_converted(sid: str) -> None:
    with _lock:
        attempts, converted = _attempts()
        converted.add(sid)
        cache.set(ATTEMPTS_KEY, (attempts, converted), timeout=None)


def summarize(attempts: list[Attempt], converted: set[str], where: AttemptsFilter):
    """Verify's Attempts Summary over `attempts`, for `where`."""
    chosen = [
        attempt
        for attempt in attempts
        if where.since <= attempt.sent_at < where.until
        and (not where.country or attempt.country == where.country.upper())
        and (not where.prefix or attempt.to.startswith(where.prefix))
    ]
    return AttemptsSummary(
        total_attempts=len(chosen),
        total_converted=sum(1 for attempt in chosen if attempt.sid in converted),
    )


def is_e164(number: str) -> bool:
    return bool(E164.match(number or ""))


def _new_code() -> str:
    # SECURITY: codes come from the OS CSPRNG and keep leading zeros (a string, not an int).
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def message_body(*, code: str) -> str:
    # Twilio's own text comes from the Verify service's template; this one
    # copies its English wording.
    return gettext("Your %(site)s verification code is %(code)s") % {
        "site": settings.SITE_NAME,
        "code": code,
    }


class LocalVerifyBackend(VerifyBackend):
    """Verify's semantics in this process; delivers nowhere (see `deliver`)."""

    name = "local"

    def start(
        self,
        *,
        to: str,
        channel: Channel,
        locale: str | None = None,
        context: SendContext | None = None,
    ) -> SendResult:
        if not is_e164(to):
            return SendResult(status=SendStatus.INVALID_NUMBER)
        now = timezone.now()
        with _lock:
            verification = _verifications.get(to)
            if verification is None or verification.over or verification.expired(now):
                verification = _Verification(
                    sid="VE" + secrets.token_hex(16), code=_new_code(), created_at=now
                )
                _verifications[to] = verification
            elif verification.sends >= MAX_SENDS:
                retry_after = verification.created_at + VALIDITY - now
                return SendResult(
                    status=SendStatus.TOO_MANY_SENDS,
                    retry_after=retry_after,
                    sid=verification.sid,
                )
            else:
                # Verify re-sends the same code while the verification is valid.
                verification.sends += 1
            verification.channels.append(Channel(channel))
            message = VerifyMessage(
                to=to,
                channel=Channel(channel),
                code=verification.code,
                body=message_body(code=verification.code),
                sent_at=now,
            )
        outbox.record(outbox.CODES, message)
        _record_attempt(
            Attempt(
                sent_at=now,
                to=to,
                country=country_of(to),
                channel=Channel(channel),
                sid=verification.sid,
            )
        )
        self.deliver(message=message)
        return SendResult(status=SendStatus.SENT, sid=verification.sid)

    def check(self, *, to: str, code: str) -> CheckResult:
        now = timezone.now()
        with _lock:
            verification = _verifications.get(to)
            if verification is None:
                return CheckResult(status=CheckStatus.EXPIRED)
            if verification.expired(now):
                del _verifications[to]
                return CheckResult(status=CheckStatus.EXPIRED)
            if verification.over or verification.checks >= MAX_CHECKS:
                verification.over = True
                return CheckResult(status=CheckStatus.TOO_MANY_ATTEMPTS)
            verification.checks += 1
            # SECURITY: constant-time comparison; the code never leaves this function.
            if constant_time_compare(verification.code, code or ""):
                # SECURITY: an approved verification is gone, so its code can't be replayed.
                del _verifications[to]
                approved = verification.sid
            else:
                return CheckResult(
                    status=CheckStatus.WRONG_CODE,
                    attempts_left=MAX_CHECKS - verification.checks,
                )
        _record_converted(approved)
        return CheckResult(status=CheckStatus.APPROVED)

    def cancel(self, *, to: str, sid: str = "") -> CancelResult:
        now = timezone.now()
        with _lock:
            verification = _verifications.get(to)
            if (
                verification is None
                or (sid and verification.sid != sid)
                or verification.expired(now)
            ):
                return CancelResult(status=CancelStatus.GONE)
            # SECURITY: a canceled verification is gone: its code no longer works.
            del _verifications[to]
        return CancelResult(status=CancelStatus.CANCELED)

    def attempts_summary(self, *, where: AttemptsFilter) -> AttemptsSummary:
        attempts, converted = _attempts()
        return summarize(attempts, converted, where)

    def deliver(self, *, message: VerifyMessage) -> None:
        """Where a message goes. The base class keeps it only in `recent_messages()`."""

    def describe_service(self) -> str:
        return f"{self.name}: codes are made and checked in this process (nothing is sent)"
