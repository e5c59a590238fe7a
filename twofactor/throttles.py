"""Limits that stop SMS abuse and code guessing, and say why and until when.

Built on `core.ratelimit`'s windows: counters in Django's cache (Redis when
REDIS_URL is set), atomic across processes; each limit a fixed window that
starts with its first event, `Decision.retry_at` when it ends.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.cache import cache
from django.core.mail import mail_admins
from django.utils import timezone

from core.ratelimit import ALLOWED, Decision, Window
from twofactor.conf import app_settings

logger = logging.getLogger("twofactor")

__all__ = ["ALLOWED", "Decision", "Purpose", "Reason", "Reservation", "Window"]


class Reason(StrEnum):
    COOLDOWN = "cooldown"  # a code was sent moments ago
    USER_SENDS = "user_sends"  # too many codes for this account
    NUMBER_SENDS = "number_sends"  # too many codes to this number
    IP_SENDS = "ip_sends"  # too many codes asked from this address
    GLOBAL_SENDS = "global_sends"  # the whole site's ceiling (a distributed attack)
    LOCKED = "locked"  # too many wrong codes
    PASSWORD_KNOWN = "password_known"  # wrong codes after a right password: tell the owner


class Purpose(StrEnum):
    SIGN_IN = "sign_in"  # a code to the user's own confirmed phone
    ENROL = "enrol"  # a code to a number being added: any number, so limited per number too


def _cooldown_window(user_id: int) -> Window:
    return Window(
        f"twofactor:send:cooldown:{user_id}", 1, app_settings.RESEND_COOLDOWN, Reason.COOLDOWN
    )


def _global_window() -> Window:
    return Window(
        "twofactor:send:global",
        app_settings.GLOBAL_SEND_LIMIT,
        app_settings.GLOBAL_SEND_WINDOW,
        Reason.GLOBAL_SENDS,
    )


def tell_staff_once(decision: Decision) -> None:
    """The site-wide ceiling was reached: staff hear of it once per window."""
    seconds = max(int(decision.wait().total_seconds()), 1)
    if not cache.add("twofactor:send:global:told", True, timeout=seconds):
        return
    logger.error("twofactor site-wide send limit reached; sending resumes at %s", decision.retry_at)
    try:
        mail_admins(
            "Two-factor: the site-wide limit on codes was reached",
            f"No more codes go out until {decision.retry_at:%Y-%m-%d %H:%M %Z} "
            f"(TWOFACTOR_GLOBAL_SEND_LIMIT={app_settings.GLOBAL_SEND_LIMIT} per "
            f"{app_settings.GLOBAL_SEND_WINDOW}). Check the Verify logs for a pumping "
            "wave (many unconverted attempts to one country or prefix).",
        )
    except Exception as exc:  # noqa: BLE001 - a mail outage mustn't turn into a 500
        logger.error("twofactor staff email about the send limit not sent: %s", type(exc).__name__)


def _counted_send_windows(*, user_id: int, number: str, ip: str | None, purpose: Purpose):
    windows = [
        # First: a refused send by any other limit gives its global slot back.
        _global_window(),
        Window(
            f"twofactor:send:user:{user_id}",
            app_settings.SEND_LIMIT,
            app_settings.SEND_WINDOW,
            Reason.USER_SENDS,
        ),
    ]
    if purpose is Purpose.ENROL:
        # Only sends to a number being enrolled count per number: a stranger
        # enrolling your number must not use up the codes you sign in with.
        windows.append(
            Window(
                f"twofactor:send:number:{number}",
                app_settings.SEND_LIMIT,
                app_settings.SEND_WINDOW,
                Reason.NUMBER_SENDS,
            )
        )
    if ip:
        windows.append(
            Window(
                f"twofactor:send:ip:{ip}",
                app_settings.IP_SEND_LIMIT,
                app_settings.SEND_WINDOW,
                Reason.IP_SENDS,
            )
        )
    return windows


@dataclass(frozen=True, slots=True)
class Reservation:
    """Slots taken for one send, to give back if the send doesn't happen."""

    decision: Decision
    windows: tuple[Window, ...] = ()
    cooldown: Window | None = None

    def release(self) -> None:
        for window in self.windows:
            window.give_back()
        if self.cooldown is not None:
            self.cooldown.clear()


def reserve_send(
    *, user_id: int, number: str, ip: str | None, purpose: Purpose, resend: bool
) -> Reservation:
    """Take a slot in every send limit *before* sending, atomically.

    Checking first and counting after the provider answered let parallel
    requests all pass the check (SMS pumping); here each request increments
    first and backs out if it went over. The short cooldown spaces out
    resends only: the first code of a sign-in or a new number goes at once.
    """
    locked = locked_until(user_id=user_id)
    if locked is not None:
        return Reservation(Decision(allowed=False, retry_at=locked, reason=Reason.LOCKED))
    cooldown = _cooldown_window(user_id)
    if resend:
        if not cooldown.claim():
            # SECURITY: refused whatever peek() says now: the cooldown may have
            # ended between the two calls, and an "allowed" here took no slots.
            waiting = cooldown.peek()
            if waiting.allowed:
                waiting = Decision(
                    allowed=False,
                    retry_at=timezone.now() + timedelta(seconds=1),
                    reason=Reason.COOLDOWN,
                )
            return Reservation(waiting)
    else:
        cooldown.restart()
    taken: list[Window] = []
    for window in _counted_send_windows(user_id=user_id, number=number, ip=ip, purpose=purpose):
        taken.append(window)
        if window.take() > window.limit:
            refused = Reservation(window.full(), tuple(taken), cooldown)
            refused.release()
            return Reservation(refused.decision)
    return Reservation(ALLOWED, tuple(taken), cooldown)


def cooldown_remaining(*, user_id: int) -> timedelta:
    """How long before the resend button works again (0 when it works now)."""
    return _cooldown_window(user_id).peek().wait()


def _check_window(user_id: int) -> Window:
    return Window(
        f"twofactor:check:user:{user_id}",
        app_settings.CHECK_LIMIT,
        app_settings.CHECK_WINDOW,
        Reason.LOCKED,
    )


def may_check(*, user_id: int) -> Decision:
    """Wrong codes across verifications are capped per user (guessing by asking
    for fresh codes would otherwise get 5 tries each time)."""
    locked = locked_until(user_id=user_id)
    if locked is not None:
        return Decision(allowed=False, retry_at=locked, reason=Reason.LOCKED)
    return _check_window(user_id).peek()


def record_wrong_code(*, user_id: int) -> Decision:
    window = _check_window(user_id)
    window.take()
    decision = window.peek()
    if not decision.allowed and decision.retry_at is not None:
        lock(user_id=user_id, until=decision.retry_at)
    return decision


def _lock_key(user_id: int) -> str:
    return f"twofactor:locked:{user_id}"


def lock(*, user_id: int, until: datetime) -> None:
    """No sends and no checks for this user until `until`."""
    seconds = max(int((until - timezone.now()).total_seconds()), 1)
    cache.set(_lock_key(user_id), until, timeout=seconds)


def locked_until(*, user_id: int) -> datetime | None:
    until = cache.get(_lock_key(user_id))
    if until is None or until <= timezone.now():
        return None
    return until


def clear_for_user(*, user_id: int) -> None:
    """After a right code: the user's guesses start again from zero."""
    _check_window(user_id).clear()
    cache.delete(_lock_key(user_id))


def _password_known_window(user_id: int) -> Window:
    return Window(
        f"twofactor:password-known:{user_id}",
        app_settings.PASSWORD_KNOWN_ALERT_AFTER,
        app_settings.PASSWORD_KNOWN_ALERT_WINDOW,
        Reason.PASSWORD_KNOWN,
    )


def password_known_alert_due(*, user_id: int) -> int | None:
    """Count a wrong sign-in code after a right password. Returns the count
    when the owner should be told now (once per window), else None.

    Not cleared by a right code: the owner signing in meanwhile doesn't hide
    someone else's guesses.
    """
    threshold = app_settings.PASSWORD_KNOWN_ALERT_AFTER
    if threshold <= 0:
        return None
    window = _password_known_window(user_id)
    count = window.take()
    if count < threshold:
        return None
    told = Window(f"{window.key}:told", 1, window.length, Reason.PASSWORD_KNOWN)
    # SECURITY: claim() is one atomic `cache.add`: of concurrent wrong codes
    # past the threshold, exactly one sends the email, none more in the window.
    if not told.claim():
        return None
    return count
