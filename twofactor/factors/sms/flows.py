"""The phone's steps: sending codes through Verify within the limits, checking
a sign-in code, adding or changing the number, and cancelling a code the
user walked away from.

Verify makes, sends and checks the codes; this module never sees a code it
sent. No step holds a database transaction while Verify answers: checks of one
account take turns on `flows.account_lock` instead (on SQLite a write
transaction would lock the whole database meanwhile).
"""

import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import security
from core.client import client_address, client_ip
from twofactor import explain, flows, notify, selectors, session, throttles
from twofactor.factors.sms import attempts, messages, policy
from twofactor.factors.sms.backends import (
    CancelStatus,
    Channel,
    CheckStatus,
    SendStatus,
    get_backend,
)
from twofactor.factors.sms.backends.base import SendContext
from twofactor.models import Factor, Kind, mask_number
from twofactor.outcomes import Failure, Outcome, failed
from twofactor.typing import SignedInRequest

logger = logging.getLogger("twofactor")


def _rules():
    """Twilio Verify's own rules, which the local backends copy (10 minutes,
    5 checks): the backend's attributes."""
    return get_backend()


# Sending


def _send(
    *,
    request: SignedInRequest,
    user,
    number: str,
    channel: Channel,
    resend: bool,
    purpose: throttles.Purpose,
) -> Outcome:
    """Send a code to `number` within the limits; the one place that calls start()."""
    refused = policy.refusal(number)
    if refused is not None:
        # SECURITY: checked before a send slot is taken and before Twilio is
        # asked: these numbers never get a code (SMS pumping).
        logger.warning(
            "twofactor send refused for user %s to %s: %s", user.pk, mask_number(number), refused
        )
        security.record(
            request=request,
            user=user,
            kind=security.Kind.TWOFACTOR_SEND_REFUSED,
            reason=str(refused),
            number=mask_number(number),
        )
        return failed(Failure.UNREACHABLE, messages.refused_number(refused))
    reservation = throttles.reserve_send(
        user_id=user.pk, number=number, ip=client_ip(request), purpose=purpose, resend=resend
    )
    decision = reservation.decision
    if not decision.allowed:
        logger.warning(
            "twofactor send refused for user %s to %s: %s until %s",
            user.pk,
            mask_number(number),
            decision.reason,
            decision.retry_at,
        )
        security.record(
            request=request,
            user=user,
            kind=security.Kind.TWOFACTOR_SEND_REFUSED,
            reason=str(decision.reason),
            purpose=str(purpose),
        )
        if decision.reason is throttles.Reason.GLOBAL_SENDS:
            throttles.tell_staff_once(decision)
            return failed(Failure.UNAVAILABLE, messages.global_limit(), retry_at=decision.retry_at)
        return failed(
            Failure.LOCKED if decision.reason is throttles.Reason.LOCKED else Failure.THROTTLED,
            messages.throttled(decision),
            retry_at=decision.retry_at,
        )
    result = get_backend().start(
        to=number,
        channel=channel,
        locale=_verify_locale(),
        context=SendContext(device_ip=client_address(request), user_id=str(user.pk)),
    )
    if not result.ok:
        # Nothing went out: the slots taken for it are given back.
        reservation.release()
        logger.warning(
            "twofactor send failed for user %s to %s by %s: %s",
            user.pk,
            mask_number(number),
            channel,
            result.status,
        )
        retry_at = timezone.now() + result.retry_after if result.retry_after else None
        return failed(
            {
                SendStatus.UNAVAILABLE: Failure.UNAVAILABLE,
                SendStatus.TOO_MANY_SENDS: Failure.PROVIDER_LIMIT,
            }.get(result.status, Failure.UNREACHABLE),
            messages.send_failed(result, channel=channel),
            retry_at=retry_at,
        )
    # Which countries codes go to, for the staff's "Text message attempts".
    attempts.note_sent(number)
    logger.info(
        "twofactor code sent for user %s to %s by %s (%s)",
        user.pk,
        mask_number(number),
        channel,
        result.sid or "-",
    )
    return Outcome(
        ok=True,
        message=messages.sent(channel=channel, masked_number=mask_number(number)),
        code_sent=True,
        verification=result.sid,
    )


def _verify_locale() -> str | None:
    """The language of the text or call: Verify knows primary languages ("en",
    "es") for every channel, not every regional variant Django may use."""
    language = get_language()
    return language.split("-")[0] if language else None


def _sent_code(
    *,
    previous: session.SentCode | None,
    outcome: Outcome,
    number: str,
    channel: Channel,
    token: str = "",
) -> session.SentCode:
    """What the session remembers of a code just sent.

    Verify re-sends the *same* code within its 10 minutes, under the same id,
    and its 5 checks run across those sends; so a re-send keeps the wrong
    count and the start time, and "tries left" stays true.
    """
    if (
        previous
        and outcome.verification
        and previous.get("verification") == outcome.verification
        and previous.get("number") == number
    ):
        return {**previous, "channel": str(channel), "token": token}
    return {
        "number": number,
        "channel": str(channel),
        "token": token,
        "verification": outcome.verification,
        "sent_at": timezone.now().isoformat(),
        "wrong": 0,
    }


# Cancelling


def _cancel(*, user_id, attempt: session.SentCode | None, why: str) -> None:
    """Cancel the verification of `attempt` at Verify, best effort.

    An abandoned code that stays valid for its 10 minutes is one more code a
    thief of the phone (or of the message preview) could use, and it still
    counts toward Verify's sends to the number. Never raises (sign-out and
    sign-in go on whatever happens here); an outage waits at most the
    backend's timeout and is only logged (never with a code).
    """
    if not attempt or not attempt.get("sent_at"):
        return  # no code went out: nothing pending at Verify
    number = attempt.get("number", "")
    try:
        result = get_backend().cancel(to=number, sid=attempt.get("verification") or "")
    except Exception as exc:  # noqa: BLE001 - a backend's bug must not block a sign-out
        logger.error(
            "twofactor verification not canceled for user %s (%s, %s): %s",
            user_id,
            mask_number(number),
            why,
            type(exc).__name__,
        )
        return
    if result.status is CancelStatus.UNAVAILABLE:
        logger.warning(
            "twofactor verification not canceled for user %s (%s, %s): the service is unavailable",
            user_id,
            mask_number(number),
            why,
        )
        return
    logger.info(
        "twofactor verification %s for user %s (%s, %s)",
        "canceled" if result.status is CancelStatus.CANCELED else "already over",
        user_id,
        mask_number(number),
        why,
    )


def cancel_pending_codes(*, request: SignedInRequest, why: str) -> None:
    """Cancel every code this session has pending (sign-in and enrolment) and
    forget them; the user signs out."""
    for key in (session.CHALLENGE, session.ENROLMENT):
        _cancel(user_id=request.user.pk, attempt=request.session.pop(key, None), why=why)


def cancel_sign_in_code(*, request: SignedInRequest, why: str) -> None:
    """The code page's text was never answered (another factor passed, or the
    confirmation was cancelled): cancel it at Verify and forget it."""
    _cancel(user_id=request.user.pk, attempt=request.session.pop(session.CHALLENGE, None), why=why)


# Signing in


def begin_login_challenge(*, request: SignedInRequest, factor: Factor) -> Outcome | None:
    """Send the first code of a half-signed-in session, once.

    Called by the code page, so it works whichever way the session signed in.
    Returns None when a code was already sent for this session and setup.
    """
    challenge = request.session.get(session.CHALLENGE)
    if challenge and challenge.get("token") == session.current_fingerprint(request):
        return None
    return send_login_code(
        request=request, channel=Channel(factor.channel), resend=False, factor=factor
    )


def send_login_code(
    *,
    request: SignedInRequest,
    channel: Channel,
    resend: bool = True,
    factor: Factor | None = None,
) -> Outcome:
    """(Re)send the sign-in code; "Resend code" and "Call me instead"."""
    factor = factor or Factor.objects.confirmed().of(request.user).phones().first()
    if factor is None:
        return failed(Failure.OFF, flows.off_message())
    number = str(factor.number)
    outcome = _send(
        request=request,
        user=request.user,
        number=number,
        channel=channel,
        resend=resend,
        purpose=throttles.Purpose.SIGN_IN,
    )
    previous = request.session.get(session.CHALLENGE)
    token = session.current_fingerprint(request) or ""
    if outcome.ok:
        request.session[session.CHALLENGE] = _sent_code(
            previous=previous, outcome=outcome, number=number, channel=channel, token=token
        )
    elif previous is None:
        # A failed first send is still recorded (with no code out), so that
        # reloading the code page doesn't send again; "Resend" retries.
        attempt = _sent_code(
            previous=None, outcome=outcome, number=number, channel=channel, token=token
        )
        attempt["sent_at"] = None
        request.session[session.CHALLENGE] = attempt
    return outcome


def check_login_code(*, request: SignedInRequest, factor: Factor, code: str) -> Outcome:
    """Check a sign-in code (the shared step holds the account lock)."""
    challenge = request.session.get(session.CHALLENGE)
    if not challenge or not challenge.get("sent_at"):
        return failed(Failure.NOT_SENT, _("We haven't sent you a code yet. Ask for one below."))
    if challenge.get("token") != session.current_fingerprint(request) or challenge.get(
        "number"
    ) != str(factor.number):
        request.session.pop(session.CHALLENGE, None)
        return failed(
            Failure.SETUP_CHANGED,
            _("Your two-factor settings changed. Ask for a new code."),
            clear_code=True,
        )
    result = get_backend().check(to=str(factor.number), code=code)
    if result.ok:
        return Outcome(ok=True, message=_("You're signed in."))
    return _explain_failed_check(
        request=request,
        key=session.CHALLENGE,
        attempt=challenge,
        status=result.status,
        attempts_left=result.attempts_left,
        # An expired code is replaced at once: the cooldown is long past.
        resend=lambda: send_login_code(
            request=request, channel=Channel(challenge["channel"]), resend=False
        ),
    )


def _explain_failed_check(
    *, request: SignedInRequest, key: str, attempt: session.SentCode, status, attempts_left, resend
) -> Outcome:
    user = request.user
    number = mask_number(attempt.get("number", ""))
    if status is CheckStatus.UNAVAILABLE:
        logger.error("twofactor check unavailable for user %s (%s)", user.pk, number)
        return failed(Failure.UNAVAILABLE, messages.unavailable())
    if status is CheckStatus.EXPIRED:
        logger.info("twofactor code expired for user %s (%s)", user.pk, number)
        outcome = resend()
        if outcome.ok:
            return failed(
                Failure.EXPIRED,
                _("That code has expired. We've sent a new one."),
                code_sent=True,
                clear_code=True,
            )
        return failed(
            outcome.failure or Failure.EXPIRED,
            _("That code has expired.") + " " + outcome.message,
            retry_at=outcome.retry_at,
            clear_code=True,
        )
    # A wrong code, or the end of this verification's tries.
    attempt["wrong"] = attempt.get("wrong", 0) + 1
    request.session[key] = attempt
    if attempts_left is None:
        attempts_left = max(_rules().checks_per_verification - attempt["wrong"], 0)
    counted = flows.wrong_code_counted(request, factor=Kind.SMS, tries_left=attempts_left)
    if (
        status is CheckStatus.TOO_MANY_ATTEMPTS
        or attempts_left <= 0
        or not counted.ok
        and (counted.failure is Failure.LOCKED)
    ):
        sent = attempt.get("sent_at")
        sent_at = parse_datetime(sent) if sent else None
        until = (sent_at or timezone.now()) + _rules().verification_lifetime
        if counted.failure is Failure.LOCKED and counted.retry_at and counted.retry_at > until:
            until = counted.retry_at
        throttles.lock(user_id=user.pk, until=until)
        logger.warning(
            "twofactor too many wrong codes for user %s; locked until %s", user.pk, until
        )
        return failed(
            Failure.LOCKED, explain.too_many_tries(until), retry_at=until, clear_code=True
        )
    return counted


# Adding the phone or changing its number


def start_enrolment(
    *, request: SignedInRequest, number: str, channel: Channel, resend: bool = False
) -> Outcome:
    """Send a code to a new number. Nothing is saved until the code comes back."""
    user = request.user
    pending = pending_enrolment(request)
    if pending is not None and pending.get("number") != number:
        # A new number while a code to another one is pending: that one is
        # abandoned, so it stops working now, whatever happens to this send.
        request.session.pop(session.ENROLMENT, None)
        _cancel(user_id=user.pk, attempt=pending, why="number changed")
    taken = Factor.objects.confirmed().phones().filter(number=number).exclude(user_id=user.pk)
    if taken.exists():
        # SECURITY: a number confirmed by another account can't be enrolled: it
        # would let a stranger spend that account's sends and code checks
        # (Verify keys them by number) and lock its owner out.
        logger.warning("twofactor enrolment refused for user %s: number in use", user.pk)
        return failed(Failure.NUMBER_IN_USE, messages.number_in_use())
    outcome = _send(
        request=request,
        user=user,
        number=number,
        channel=channel,
        resend=resend,
        purpose=throttles.Purpose.ENROL,
    )
    if outcome.ok:
        request.session[session.ENROLMENT] = _sent_code(
            previous=request.session.get(session.ENROLMENT),
            outcome=outcome,
            number=number,
            channel=channel,
        )
    return outcome


def pending_enrolment(request: SignedInRequest) -> session.SentCode | None:
    return request.session.get(session.ENROLMENT)


def _start_again() -> Outcome:
    return failed(Failure.START_AGAIN, _("Start again by entering your phone number."))


def resend_enrolment(*, request: SignedInRequest, channel: Channel) -> Outcome:
    attempt = pending_enrolment(request)
    if attempt is None:
        return _start_again()
    return start_enrolment(request=request, number=attempt["number"], channel=channel, resend=True)


def cancel_enrolment(*, request: SignedInRequest) -> None:
    """The user left the enrolment ("Cancel", or the phone form opened again):
    its code, if one went out, is canceled at Verify."""
    _cancel(
        user_id=request.user.pk,
        attempt=request.session.pop(session.ENROLMENT, None),
        why="enrolment abandoned",
    )


def confirm_enrolment(*, request: SignedInRequest, code: str) -> Outcome:
    """Check the code sent to the new number; if right, it becomes the phone."""
    user = request.user
    attempt = pending_enrolment(request)
    if attempt is None:
        return _start_again()
    if refused := flows.refused_by_lock(user):
        return refused
    with flows.account_lock(user) as held:
        if not held:
            return failed(Failure.BUSY, explain.busy())
        # SECURITY: the code is checked for, and the phone saved to, request.user;
        # no transaction is open while Verify answers.
        result = get_backend().check(to=attempt["number"], code=code)
        if not result.ok:
            return _explain_failed_check(
                request=request,
                key=session.ENROLMENT,
                attempt=attempt,
                status=result.status,
                attempts_left=result.attempts_left,
                resend=lambda: start_enrolment(
                    request=request, number=attempt["number"], channel=Channel(attempt["channel"])
                ),
            )
        was_on = selectors.is_enabled(user)
        try:
            changed = _save_phone(user=user, number=attempt["number"], channel=attempt["channel"])
        except IntegrityError:
            # The database refuses a number another account confirmed meanwhile
            # (a partial unique constraint).
            request.session.pop(session.ENROLMENT, None)
            logger.warning("twofactor enrolment refused for user %s: number in use", user.pk)
            return failed(Failure.NUMBER_IN_USE, messages.number_in_use())
    request.session.pop(session.ENROLMENT, None)
    flows.ensure_default(user)
    flows.factor_changed(
        request=request,
        event=(
            notify.Event.NUMBER_CHANGED
            if changed
            else notify.Event.PHONE_ADDED
            if was_on
            else notify.Event.ENABLED
        ),
        number=attempt["number"],
    )
    masked = mask_number(attempt["number"])
    if changed:
        message = _("Your codes now go to %(number)s.") % {"number": masked}
    else:
        message = _("Two-factor authentication is on. Codes go to %(number)s.") % {"number": masked}
    return Outcome(ok=True, message=message)


def _save_phone(*, user, number: str, channel: str) -> bool:
    """Save the confirmed number as the user's phone; True if it replaced one."""
    now = timezone.now()
    with transaction.atomic():
        factor = Factor.objects.select_for_update().of(user).phones().first()
        changed = factor is not None and factor.is_confirmed
        factor = factor or Factor(user=user, kind=Kind.SMS)
        factor.number = number
        factor.channel = channel
        factor.confirmed_at = now
        factor.last_used_at = now
        factor.token = uuid.uuid4()
        factor.save()
    return changed
