"""The steps every factor shares, each a keyword-only function.

Views parse the request and render; these functions do the step. What only
one factor does (sending a text, checking an app's code) lives in that
factor's package; what they all do lives here, once:

- `check_sign_in`: the per-account guessing limit, then the factor's own
  check, then `finish_sign_in` (a new session key, the mark, the limits
  cleared, the log line, last used, the email when the factor asks for one);
- `wrong_code_counted`: every wrong code of every factor counts towards the
  account's lock; after a right password, repeated wrong codes also email the
  owner ("someone who knows your password is trying to sign in");
- `finish_trusted_sign_in`: the same end of a sign-in for a browser the user
  trusted (twofactor/trust.py), without a code;
- `factor_changed`: after a factor is added, changed or removed (this session
  keeps its mark on the new setup, every other session must pass a code again,
  the owner is emailed);
- `disable`, `reset`, `set_default`.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import background, security
from accounts.active_sessions import browser_label
from core.client import client_ip
from core.locks import cache_lock
from twofactor import explain, factors, notify, selectors, session, throttles, trust
from twofactor.conf import app_settings
from twofactor.models import Factor, Kind, TrustedBrowser, mask_number
from twofactor.outcomes import Failure, Outcome, failed
from twofactor.typing import SignedInRequest

logger = logging.getLogger("twofactor")

# How a session passed the gate without a code (the log and security events say "by ...").
TRUSTED_BROWSER = "trusted browser"

# What the security activity log calls each change (accounts/security.py).
SECURITY_KIND_OF = {
    notify.Event.ENABLED: security.Kind.FACTOR_ADDED,
    notify.Event.PHONE_ADDED: security.Kind.FACTOR_ADDED,
    notify.Event.APP_ADDED: security.Kind.FACTOR_ADDED,
    notify.Event.RECOVERY_CODES_NEW: security.Kind.FACTOR_ADDED,
    notify.Event.NUMBER_CHANGED: security.Kind.FACTOR_CHANGED,
    notify.Event.PHONE_REMOVED: security.Kind.FACTOR_REMOVED,
    notify.Event.APP_REMOVED: security.Kind.FACTOR_REMOVED,
    notify.Event.PASSKEY_ADDED: security.Kind.FACTOR_ADDED,
    notify.Event.PASSKEY_REMOVED: security.Kind.FACTOR_REMOVED,
}


@contextmanager
def account_lock(user) -> Iterator[bool]:
    """Code checks and factor changes of one account take turns, across
    processes, without holding a database transaction while a provider answers."""
    hold = app_settings.TWILIO_TIMEOUT * 2 + 2
    with cache_lock(f"twofactor:account:{user.pk}", hold=hold, wait=hold) as held:
        yield held


def refused_by_lock(user) -> Outcome | None:
    """The per-account lock on guessing, before any code reaches a factor."""
    decision = throttles.may_check(user_id=user.pk)
    if decision.allowed:
        return None
    return failed(
        Failure.LOCKED, explain.too_many_tries(decision.retry_at), retry_at=decision.retry_at
    )


def wrong_code_counted(
    request: SignedInRequest, *, factor: str, tries_left: int | None = None
) -> Outcome:
    """A wrong code for any factor counts towards the account's lock."""
    user = request.user
    lock = throttles.record_wrong_code(user_id=user.pk)
    warned = _warn_owner_if_password_known(request, factor=factor)
    security.record(
        request=request,
        user=user,
        kind=security.Kind.TWOFACTOR_CODE_FAILED,
        factor=str(factor),
        tries_left=tries_left,
        **({"owner_warned": True, "wrong_tries": warned} if warned else {}),
    )
    if not lock.allowed:
        logger.warning(
            "twofactor too many wrong codes for user %s; locked until %s", user.pk, lock.retry_at
        )
        security.record(
            request=request,
            user=user,
            kind=security.Kind.TWOFACTOR_LOCKED,
            until=lock.retry_at.isoformat() if lock.retry_at else None,
        )
        return failed(
            Failure.LOCKED,
            explain.too_many_tries(lock.retry_at),
            retry_at=lock.retry_at,
            clear_code=True,
        )
    logger.info("twofactor wrong code for user %s", user.pk)
    return failed(Failure.WRONG_CODE, explain.wrong_code(tries_left), clear_code=True)


# Typed codes: what a wrong one after the right password says (a passkey
# refused is the browser's answer, not a guess).
CODE_FACTORS = {Kind.SMS, Kind.TOTP, Kind.RECOVERY}


def _warn_owner_if_password_known(request: SignedInRequest, *, factor: str) -> int | None:
    """A wrong sign-in code after a right password: at the threshold, once
    per window, email the owner (in the background: a mail outage never
    holds up or fails this answer). Returns the count when it emailed."""
    user = request.user
    # Sign-in only: a wrong code while adding a factor is the signed-in owner's.
    if factor not in CODE_FACTORS or not session.needs_code(request):
        return None
    count = throttles.password_known_alert_due(user_id=user.pk)
    if count is None:
        return None
    logger.warning(
        "twofactor %s wrong codes after a right password for user %s; owner emailed",
        count,
        user.pk,
    )
    # Plain values: the job runs after this request may be gone.
    at = timezone.now()
    ip = client_ip(request) or ""
    browser = browser_label(request.META.get("HTTP_USER_AGENT", ""))
    reset_url = request.build_absolute_uri(resolve_url("password_reset"))
    background.run_in_background(
        lambda: notify.password_known(
            user=user, at=at, ip=ip, browser=browser, wrong_codes=count, reset_url=reset_url
        ),
        name="twofactor-password-known",
    )
    return count


# Signing in


def sign_in_factors(user) -> list[Factor]:
    return selectors.confirmed_factors(user)


def begin_challenge(*, request: SignedInRequest, kind: str) -> Outcome | None:
    """The code page opened for `kind`: let the factor do what it needs (SMS
    sends its first code, once per sign-in)."""
    factor = selectors.confirmed_factor(request.user, kind)
    if factor is None:
        return None
    return factors.get(kind).challenge(request=request, factor=factor)


def check_sign_in(*, request: SignedInRequest, kind: str, code: str) -> Outcome:
    """Check a sign-in code for one of the user's factors; on the right code
    the session passes the gate."""
    user = request.user
    factor = selectors.confirmed_factor(user, kind)
    if factor is None:
        return failed(Failure.OFF, explain.setup_changed(), clear_code=True)
    if refused := refused_by_lock(user):
        return refused
    with account_lock(user) as held:
        if not held:
            return failed(Failure.BUSY, explain.busy())
        outcome = factors.get(kind).check(request=request, factor=factor, code=code)
        if outcome.ok:
            # SECURITY: the setup the code was checked against must still be
            # the user's; a change made meanwhile needs a code for the new one.
            session.forget_factors(request)
            if selectors.confirmed_factor(user, kind) is None:
                return failed(Failure.SETUP_CHANGED, explain.setup_changed(), clear_code=True)
            finish_sign_in(request=request, factor=factor)
    return outcome


def finish_sign_in(*, request: SignedInRequest, factor: Factor) -> None:
    """What every factor does after a right code, once."""
    user = request.user
    Factor.objects.filter(pk=factor.pk).update(last_used_at=timezone.now())
    pass_gate(request=request, by=factor.kind)
    throttles.clear_for_user(user_id=user.pk)
    factors.get(factor.kind).after_sign_in(request=request, factor=factor)


def pass_gate(*, request: SignedInRequest, by: str) -> None:
    """The session is now fully signed in: every way of passing ends here."""
    # A text sent for this code page and never answered is canceled at Verify
    # (one fewer live code for a thief of the phone), whichever way passed.
    for factor_type in factors.all_types():
        if factor_type.kind != by:
            factor_type.abandon_challenge(request=request, why=f"passed by {by}")
    # SECURITY: a new session key for the now fully signed-in session.
    request.session.cycle_key()
    session.mark_passed(request, with_code=by != TRUSTED_BROWSER)
    request.session.pop(trust.FRESH, None)  # trust is asked right after the password only
    logger.info("twofactor sign-in approved for user %s by %s", request.user.pk, by)
    security.record(
        request=request, user=request.user, kind=security.Kind.TWOFACTOR_PASSED, factor=by
    )


def finish_trusted_sign_in(*, request: SignedInRequest, browser: TrustedBrowser) -> None:
    """A half-signed-in session on a browser the user trusted (twofactor/trust.py)
    passes without a code. The wrong-code limits stay as they were: no code
    was checked."""
    trust.used(browser)
    pass_gate(request=request, by=TRUSTED_BROWSER)


# Adding, changing, removing


def factor_changed(*, request: SignedInRequest, event: notify.Event, number: str = "") -> None:
    """After this session added, changed or removed a factor: it keeps its
    mark (it just proved the change), every other session must pass a code
    for the new setup, and the owner hears of it."""
    user = request.user
    session.forget_factors(request)
    if session.current_fingerprint(request) is None:
        # Nothing left that turns two-factor on: nothing to pass.
        request.session.pop(session.PASSED, None)
    else:
        session.mark_passed(request)
    throttles.clear_for_user(user_id=user.pk)
    logger.info("twofactor %s for user %s", event, user.pk)
    security.record(
        request=request,
        user=user,
        kind=SECURITY_KIND_OF[event],
        change=str(event),
        number=mask_number(number) if number else None,
    )
    notify.account_changed(user=user, event=event, number=number)


def set_default(*, request: SignedInRequest, kind: str) -> bool:
    """The factor the code page asks for first."""
    user = request.user
    with transaction.atomic():
        factor = selectors.confirmed_factor(user, kind)
        if factor is None or not factor.is_second_factor:
            return False
        Factor.objects.of(user).exclude(pk=factor.pk).update(preferred=False)
        Factor.objects.filter(pk=factor.pk).update(preferred=True)
    session.forget_factors(request)  # the rows this request read say otherwise now
    logger.info("twofactor default for user %s is now %s", user.pk, kind)
    return True


def ensure_default(user) -> None:
    """After a change: the user's default is one of their second factors."""
    with transaction.atomic():
        mine = Factor.objects.select_for_update().confirmed().of(user)
        second = [f for f in mine if f.is_second_factor]
        if not second or any(f.preferred for f in second):
            return
        mine.update(preferred=False)
        # A phone first, as before there were several factors.
        second.sort(key=lambda f: (f.kind != Kind.SMS, f.confirmed_at))
        Factor.objects.filter(pk=second[0].pk).update(preferred=True)


def remove_factor(*, request: SignedInRequest, factor: Factor, event: notify.Event) -> None:
    """One factor goes (the view checked the password and that another
    second factor stays)."""
    Factor.objects.filter(pk=factor.pk, user=request.user).delete()
    ensure_default(request.user)
    factor_changed(request=request, event=event)


def disable(*, request: SignedInRequest) -> None:
    """The user turns 2FA off (the view has checked their password): every
    factor goes, recovery codes and trusted browsers too."""
    user = request.user
    _remove_everything(user)
    # SECURITY: other sessions of this user end; this one stays signed in.
    user.end_all_sessions()
    update_session_auth_hash(request, user)
    session.clear(request)
    logger.info("twofactor disabled by user %s", user.pk)
    security.record(
        request=request, user=user, kind=security.Kind.FACTOR_REMOVED, change="disabled"
    )
    notify.account_changed(user=user, event=notify.Event.DISABLED)


def reset(*, user, actor: str, request: HttpRequest | None = None, staff=None) -> bool:
    """Staff or an operator removes every factor of a user (lost phone) and
    ends all of the user's sessions. Returns whether there was anything."""
    deleted = _remove_everything(user)
    user.end_all_sessions()
    throttles.clear_for_user(user_id=user.pk)
    logger.warning("twofactor reset for user %s by %s", user.pk, actor)
    security.record(
        request=request,
        user=user,
        actor=staff,
        kind=security.Kind.TWOFACTOR_RESET_BY_STAFF,
        by=actor,
        removed=deleted,
    )
    if deleted:
        notify.account_changed(user=user, event=notify.Event.RESET)
    return bool(deleted)


def _remove_everything(user) -> int:
    """Every factor and every trusted browser; returns how many factors went."""
    deleted, _details = Factor.objects.of(user).delete()
    trust.forget_all(user)
    return deleted


def off_message() -> str:
    return _("Two-factor authentication is off for this account.")
