"""Limits on failed sign-ins, so passwords can't be guessed at speed.

Two fixed windows in the cache (Redis in production), built on
`core.ratelimit.Window`:

- per login typed (username or email, normalised) *and* client address: a
  stranger elsewhere can't lock the owner out, because the owner's address
  has a window of its own;
- per client address, whatever the login: one address trying many accounts.

Settings (accounts/conf.py) are read when used, so `override_settings` works in tests.

A completed password reset lifts an account's lockout (`lift_for_account`):
the per-login windows are keyed by a generation number per login, which the
reset moves on, so every address's count for that account starts again.
"""

import hashlib
import logging

from django.core.cache import cache

from accounts.conf import app_settings
from core.ratelimit import ALLOWED, Decision, Window

# The one reason these windows give.
TOO_MANY_FAILURES = "too_many_failures"

logger = logging.getLogger("accounts")


def normalise(login: str) -> str:
    # The backend matches usernames and emails in any case: "Alice" and
    # "alice" are the same guesses.
    return login.strip().casefold()


def _login_key(login: str) -> str:
    # Hashed: a typed login may hold characters a cache key can't, and the
    # cache needn't keep what people typed.
    return hashlib.sha256(normalise(login).encode()).hexdigest()


def _generation_key(login: str) -> str:
    return f"accounts:login-failures:generation:{_login_key(login)}"


def _generation(login: str) -> int:
    return int(cache.get(_generation_key(login)) or 0)


def lift_for_account(user) -> None:
    """The account's owner proved themselves (a completed password reset):
    the failed sign-ins counted against its username and email, from every
    address, no longer count."""
    for login in {user.get_username(), user.email}:
        if not login:
            continue
        key = _generation_key(login)
        # SECURITY: a new generation orphans every address's window for this
        # login at once (they expire on their own). It never expires itself:
        # falling back to an older generation could revive or reset a count.
        cache.add(key, 0, timeout=None)
        cache.incr(key)
    logger.info("sign-in lockout lifted for user %s after a password reset", user.pk)


def _login_window(login: str, ip: str | None) -> Window:
    return Window(
        f"accounts:login-failures:login:{_login_key(login)}:{_generation(login)}:{ip or '-'}",
        app_settings.LOGIN_FAILURE_LIMIT,
        app_settings.LOGIN_FAILURE_WINDOW,
        TOO_MANY_FAILURES,
    )


def _ip_window(ip: str) -> Window:
    return Window(
        f"accounts:login-failures:ip:{ip}",
        app_settings.LOGIN_FAILURE_IP_LIMIT,
        app_settings.LOGIN_FAILURE_WINDOW,
        TOO_MANY_FAILURES,
    )


def _windows(login: str, ip: str | None) -> list[tuple[str, Window]]:
    windows = [("login and address", _login_window(login, ip))]
    if ip:
        windows.append(("address", _ip_window(ip)))
    return windows


def begin_attempt(*, login: str, ip: str | None) -> Decision:
    """Count a password attempt *before* checking it, in every window, and say
    whether it may be checked. Counting first means parallel guesses can't all
    slip under the limit; a right password gives its slots back."""
    taken: list[Window] = []
    for scope, window in _windows(login, ip):
        taken.append(window)
        if window.take() > window.limit:
            for counted in taken:
                counted.give_back()
            decision = window.full()
            logger.warning(
                "sign-in refused without checking the password: too many failures per %s "
                "(login %r from %s) until %s",
                scope,
                login,
                ip,
                decision.retry_at,
            )
            return decision
    return ALLOWED


def attempt_succeeded(*, login: str, ip: str | None) -> None:
    """The owner got in from here: their login's count from this address starts
    again, and this attempt doesn't count against the address."""
    for scope, window in _windows(login, ip):
        if scope == "login and address":
            window.clear()
        else:
            window.give_back()


def begin_address_attempt(*, ip: str | None) -> Decision:
    """Count a sign-in attempt that names no login (a passkey that finds its
    own account) in the per-address window only, before checking it."""
    if not ip:
        return ALLOWED
    window = _ip_window(ip)
    if window.take() > window.limit:
        window.give_back()
        decision = window.full()
        logger.warning(
            "sign-in refused without checking it: too many failures from %s until %s",
            ip,
            decision.retry_at,
        )
        return decision
    return ALLOWED


def address_attempt_succeeded(*, ip: str | None) -> None:
    """It was the owner: the attempt doesn't count against the address."""
    if ip:
        _ip_window(ip).give_back()
