"""Keeps each code in `outbox`, like django.core.mail.outbox, for tests.

    from twofactor.factors.sms.backends import locmem

    locmem.outbox[-1].code            # the VerifyMessage last "sent"
    locmem.fail_next_send(SendStatus.UNAVAILABLE)   # the next start() returns it
    locmem.fail_next_check(CheckStatus.UNAVAILABLE)  # the next check() returns it
    locmem.fail_next_cancel(CancelStatus.UNAVAILABLE)  # the next cancel() returns it
    locmem.cancels                    # (to, sid) of every cancel() asked for
    locmem.locales                    # the locale each start() was asked for
    locmem.reset()                    # outbox, verifications and switches cleared

The switches apply once each (queue several by calling again) and let flow tests
reach every failure message without a network. tests/fixtures_verify.py resets
all of it around every test.
"""

import threading
from collections import deque
from datetime import timedelta

from twofactor.factors.sms.backends import local
from twofactor.factors.sms.backends.base import (
    CancelResult,
    CancelStatus,
    CheckResult,
    CheckStatus,
    SendContext,
    SendResult,
    SendStatus,
)
from twofactor.factors.sms.backends.local import Channel, LocalVerifyBackend, VerifyMessage

outbox: list[VerifyMessage] = []
# What each start() was told of the client (tests assert on it).
contexts: list[SendContext | None] = []
# What each cancel() was asked to end: (to, sid).
cancels: list[tuple[str, str]] = []
# The locale each start() was asked for (the text's language).
locales: list[str | None] = []

_lock = threading.Lock()
_next_sends: deque[SendResult] = deque()
_next_checks: deque[CheckResult] = deque()
_next_cancels: deque[CancelResult] = deque()


def fail_next_send(status: SendStatus, *, retry_after: timedelta | None = None) -> None:
    """Make the next start() return `status` without sending anything."""
    with _lock:
        _next_sends.append(SendResult(status=status, retry_after=retry_after))


def fail_next_check(status: CheckStatus, *, attempts_left: int | None = None) -> None:
    """Make the next check() return `status` without looking at the code."""
    with _lock:
        _next_checks.append(CheckResult(status=status, attempts_left=attempts_left))


def fail_next_cancel(status: CancelStatus) -> None:
    """Make the next cancel() return `status` without ending anything."""
    with _lock:
        _next_cancels.append(CancelResult(status=status))


def reset() -> None:
    """Empty the outbox, the switches and the local backends' verifications."""
    with _lock:
        outbox.clear()
        contexts.clear()
        cancels.clear()
        locales.clear()
        _next_sends.clear()
        _next_checks.clear()
        _next_cancels.clear()
    local.reset()


class LocmemVerifyBackend(LocalVerifyBackend):
    name = "locmem"

    def start(
        self,
        *,
        to: str,
        channel: Channel,
        locale: str | None = None,
        context: SendContext | None = None,
    ) -> SendResult:
        with _lock:
            forced = _next_sends.popleft() if _next_sends else None
            contexts.append(context)
            locales.append(locale)
        if forced is not None:
            return forced
        return super().start(to=to, channel=channel, locale=locale, context=context)

    def check(self, *, to: str, code: str) -> CheckResult:
        with _lock:
            forced = _next_checks.popleft() if _next_checks else None
        if forced is not None:
            return forced
        return super().check(to=to, code=code)

    def cancel(self, *, to: str, sid: str = "") -> CancelResult:
        with _lock:
            forced = _next_cancels.popleft() if _next_cancels else None
            cancels.append((to, sid))
        if forced is not None:
            return forced
        return super().cancel(to=to, sid=sid)

    def deliver(self, *, message: VerifyMessage) -> None:
        outbox.append(message)
