"""The steps of two-factor authentication, each a keyword-only function.

Views parse the request and render; these functions do the step: the send,
the check (in a transaction, on a locked row), the session marks, the limits,
the log line. Each returns an `Outcome` whose `message` the view shows as is.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.client import client_ip
from twofactor import explain, notify, session, throttles
from twofactor.backends import Channel, CheckStatus, SendStatus, get_backend
from twofactor.models import PhoneDevice, mask_number

logger = logging.getLogger("twofactor")

# Twilio Verify's own rules, which the local backends copy: a verification
# lives 10 minutes and allows 5 checks.
VERIFICATION_LIFETIME = timedelta(minutes=10)
CHECKS_PER_VERIFICATION = 5


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    message: str = ""
    # A new code went out as part of this step.
    code_sent: bool = False
    # When the user may try again, where that is known.
    retry_at: datetime | None = None
    # The entered code was wrong/expired: the view clears the field.
    clear_code: bool = False
    # The provider's id of the verification a sent code belongs to.
    verification: str = ""
    # How the view should answer: 422 a wrong or expired code or a number we
    # can't send to, 429 a limit, 503 the provider down. (Not 400: in DEBUG,
    # django-htmx shows a 400 fragment as a whole error page.)
    http_status: int = 200


# Sending


def _send(
    *,
    request: HttpRequest,
    user,
    number: str,
    channel: Channel,
    resend: bool,
    purpose: throttles.Purpose,
) -> Outcome:
    """Send a code to `number` within the limits; the one place that calls start()."""
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
        return Outcome(
            ok=False,
            message=explain.throttled(decision),
            retry_at=decision.retry_at,
            http_status=429,
        )
    result = get_backend().start(to=number, channel=channel, locale=_verify_locale())
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
        return Outcome(
            ok=False,
            message=explain.send_failed(result, channel=channel),
            retry_at=retry_at,
            http_status={
                SendStatus.UNAVAILABLE: 503,
                SendStatus.TOO_MANY_SENDS: 429,
            }.get(result.status, 422),
        )
    logger.info(
        "twofactor code sent for user %s to %s by %s (%s)",
        user.pk,
        mask_number(number),
        channel,
        result.sid or "-",
    )
    return Outcome(
        ok=True,
        message=explain.sent(channel=channel, masked_number=mask_number(number)),
        code_sent=True,
        verification=result.sid,
    )


def _verify_locale() -> str | None:
    """The language of the text or call: Verify knows primary languages ("en",
    "es") for every channel, not every regional variant Django may use."""
    language = get_language()
    return language.split("-")[0] if language else None


def _attempt_after_send(
    *, previous: dict | None, outcome: Outcome, number: str, channel: Channel, token: str = ""
) -> dict:
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


# Signing in


def login_device(user) -> PhoneDevice | None:
    return PhoneDevice.objects.confirmed().filter(user_id=user.pk).first()


def begin_login_challenge(*, request: HttpRequest) -> Outcome | None:
    """Send the first code of a half-signed-in session, once.

    Called by the code page, so it works whichever way the session signed in.
    Returns None when a code was already sent for this session.
    """
    device = login_device(request.user)
    if device is None:
        return None
    challenge = request.session.get(session.CHALLENGE)
    if challenge and challenge.get("token") == str(device.token):
        return None
    return send_login_code(
        request=request, channel=Channel(device.channel), resend=False, device=device
    )


def send_login_code(
    *,
    request: HttpRequest,
    channel: Channel,
    resend: bool = True,
    device: PhoneDevice | None = None,
) -> Outcome:
    """(Re)send the sign-in code; "Resend code" and "Call me instead"."""
    device = device or login_device(request.user)
    if device is None:
        return Outcome(
            ok=False,
            message=_("Two-factor authentication is off for this account."),
            http_status=422,
        )
    number = str(device.number)
    outcome = _send(
        request=request,
        user=request.user,
        number=number,
        channel=channel,
        resend=resend,
        purpose=throttles.Purpose.SIGN_IN,
    )
    previous = request.session.get(session.CHALLENGE)
    if outcome.ok:
        request.session[session.CHALLENGE] = _attempt_after_send(
            previous=previous,
            outcome=outcome,
            number=number,
            channel=channel,
            token=str(device.token),
        )
    elif previous is None:
        # A failed first send is still recorded (with no code out), so that
        # reloading the code page doesn't send again; "Resend" retries.
        attempt = _attempt_after_send(
            previous=None,
            outcome=outcome,
            number=number,
            channel=channel,
            token=str(device.token),
        )
        attempt["sent_at"] = None
        request.session[session.CHALLENGE] = attempt
    return outcome


def check_login_code(*, request: HttpRequest, code: str) -> Outcome:
    """Check a sign-in code. On the right code the session passes the gate."""
    user = request.user
    challenge = request.session.get(session.CHALLENGE)
    if not challenge or not challenge.get("sent_at"):
        return Outcome(
            ok=False,
            message=_("We haven't sent you a code yet. Ask for one below."),
            http_status=422,
        )
    if refused := _check_refused(user):
        return refused
    with transaction.atomic():
        # SECURITY: lock the user's own device row: concurrent guesses for one
        # account are checked one at a time, and only against this user's phone.
        device = PhoneDevice.objects.select_for_update().confirmed().filter(user_id=user.pk).first()
        if device is None or str(device.token) != challenge.get("token"):
            request.session.pop(session.CHALLENGE, None)
            return Outcome(
                ok=False,
                message=_("Your two-factor settings changed. Ask for a new code."),
                clear_code=True,
                http_status=422,
            )
        result = get_backend().check(to=str(device.number), code=code)
        if result.ok:
            device.last_used_at = timezone.now()
            device.save(update_fields=["last_used_at"])
    if result.ok:
        # SECURITY: a new session key for the now fully signed-in session.
        request.session.cycle_key()
        session.mark_passed(request, str(device.token))
        throttles.clear_for_user(user_id=user.pk)
        logger.info("twofactor sign-in code approved for user %s", user.pk)
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


def _check_refused(user) -> Outcome | None:
    """The per-account lock on guessing, before any code reaches the backend."""
    decision = throttles.may_check(user_id=user.pk)
    if decision.allowed:
        return None
    return Outcome(
        ok=False,
        message=explain.too_many_tries(decision.retry_at),
        retry_at=decision.retry_at,
        http_status=429,
    )


def _explain_failed_check(
    *, request: HttpRequest, key: str, attempt: dict, status, attempts_left, resend
) -> Outcome:
    user = request.user
    number = mask_number(attempt.get("number", ""))
    if status is CheckStatus.UNAVAILABLE:
        logger.error("twofactor check unavailable for user %s (%s)", user.pk, number)
        return Outcome(ok=False, message=explain.unavailable(), http_status=503)
    if status is CheckStatus.EXPIRED:
        logger.info("twofactor code expired for user %s (%s)", user.pk, number)
        outcome = resend()
        if outcome.ok:
            return Outcome(
                ok=False,
                message=_("That code has expired. We've sent a new one."),
                code_sent=True,
                clear_code=True,
                http_status=422,
            )
        return Outcome(
            ok=False,
            message=_("That code has expired.") + " " + outcome.message,
            retry_at=outcome.retry_at,
            clear_code=True,
            http_status=outcome.http_status,
        )
    # A wrong code, or the end of this verification's tries.
    attempt["wrong"] = attempt.get("wrong", 0) + 1
    request.session[key] = attempt
    lock = throttles.record_wrong_code(user_id=user.pk)
    if attempts_left is None:
        attempts_left = max(CHECKS_PER_VERIFICATION - attempt["wrong"], 0)
    if status is CheckStatus.TOO_MANY_ATTEMPTS or attempts_left <= 0 or not lock.allowed:
        sent_at = parse_datetime(attempt["sent_at"]) if attempt.get("sent_at") else None
        until = (sent_at or timezone.now()) + VERIFICATION_LIFETIME
        if not lock.allowed and lock.retry_at and lock.retry_at > until:
            until = lock.retry_at
        throttles.lock(user_id=user.pk, until=until)
        logger.warning(
            "twofactor too many wrong codes for user %s; locked until %s", user.pk, until
        )
        return Outcome(
            ok=False,
            message=explain.too_many_tries(until),
            retry_at=until,
            clear_code=True,
            http_status=429,
        )
    logger.info("twofactor wrong code for user %s (%d left)", user.pk, attempts_left)
    return Outcome(
        ok=False, message=explain.wrong_code(attempts_left), clear_code=True, http_status=422
    )


# Turning it on or changing the number


def start_enrolment(
    *, request: HttpRequest, number: str, channel: Channel, resend: bool = False
) -> Outcome:
    """Send a code to a new number. Nothing is saved until the code comes back."""
    user = request.user
    taken = PhoneDevice.objects.confirmed().filter(number=number).exclude(user_id=user.pk)
    if taken.exists():
        # SECURITY: a number confirmed by another account can't be enrolled: it
        # would let a stranger spend that account's sends and code checks
        # (Verify keys them by number) and lock its owner out.
        logger.warning("twofactor enrolment refused for user %s: number in use", user.pk)
        return Outcome(
            ok=False,
            message=explain.number_in_use(),
            http_status=422,
        )
    outcome = _send(
        request=request,
        user=user,
        number=number,
        channel=channel,
        resend=resend,
        purpose=throttles.Purpose.ENROL,
    )
    if outcome.ok:
        request.session[session.ENROLMENT] = _attempt_after_send(
            previous=request.session.get(session.ENROLMENT),
            outcome=outcome,
            number=number,
            channel=channel,
        )
    return outcome


def pending_enrolment(request: HttpRequest) -> dict | None:
    return request.session.get(session.ENROLMENT)


def resend_enrolment(*, request: HttpRequest, channel: Channel) -> Outcome:
    attempt = pending_enrolment(request)
    if attempt is None:
        return Outcome(
            ok=False, message=_("Start again by entering your phone number."), http_status=422
        )
    return start_enrolment(request=request, number=attempt["number"], channel=channel, resend=True)


def cancel_enrolment(*, request: HttpRequest) -> None:
    request.session.pop(session.ENROLMENT, None)


def confirm_enrolment(*, request: HttpRequest, code: str) -> Outcome:
    """Check the code sent to the new number; if right, it becomes the device."""
    user = request.user
    attempt = pending_enrolment(request)
    if attempt is None:
        return Outcome(
            ok=False, message=_("Start again by entering your phone number."), http_status=422
        )
    if refused := _check_refused(user):
        return refused
    number_taken = False
    with transaction.atomic():
        # SECURITY: lock the user's row, which always exists, so two sessions
        # confirming at once take turns (there may be no device row to lock
        # yet); the code is checked for, and the device saved to, request.user.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        result = get_backend().check(to=attempt["number"], code=code)
        if result.ok:
            device = PhoneDevice.objects.select_for_update().filter(user_id=user.pk).first()
            changed = device is not None
            device = device or PhoneDevice(user=user)
            device.number = attempt["number"]
            device.channel = attempt["channel"]
            device.confirmed_at = timezone.now()
            device.last_used_at = device.confirmed_at
            device.token = uuid.uuid4()
            try:
                # The database refuses a number another account confirmed
                # meanwhile (a partial unique constraint).
                with transaction.atomic():
                    device.save()
            except IntegrityError:
                number_taken = True
    if number_taken:
        request.session.pop(session.ENROLMENT, None)
        logger.warning("twofactor enrolment refused for user %s: number in use", user.pk)
        return Outcome(ok=False, message=explain.number_in_use(), http_status=422)
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
    request.session.pop(session.ENROLMENT, None)
    # This session proved the new phone; every other session must pass a code.
    session.mark_passed(request, str(device.token))
    throttles.clear_for_user(user_id=user.pk)
    logger.info(
        "twofactor %s for user %s: %s",
        "number changed" if changed else "enabled",
        user.pk,
        device.masked_number,
    )
    notify.account_changed(
        user=user,
        event=notify.Event.NUMBER_CHANGED if changed else notify.Event.ENABLED,
        number=str(device.number),
    )
    if changed:
        message = _("Your codes now go to %(number)s.") % {"number": device.masked_number}
    else:
        message = _("Two-factor authentication is on. Codes go to %(number)s.") % {
            "number": device.masked_number
        }
    return Outcome(ok=True, message=message)


# Turning it off


def disable(*, request: HttpRequest) -> None:
    """The user turns 2FA off (the view has checked their password)."""
    user = request.user
    PhoneDevice.objects.filter(user_id=user.pk).delete()
    # SECURITY: other sessions of this user end; this one stays signed in.
    user.end_all_sessions()
    update_session_auth_hash(request, user)
    for key in (session.PASSED, session.CHALLENGE, session.ENROLMENT, session.PENDING_SINCE):
        request.session.pop(key, None)
    session.forget_device(request)
    logger.info("twofactor disabled by user %s", user.pk)
    notify.account_changed(user=user, event=notify.Event.DISABLED)


def reset(*, user, actor: str) -> bool:
    """Staff or an operator removes a user's device (lost phone) and ends all
    of the user's sessions. Returns whether there was a device."""
    deleted, _details = PhoneDevice.objects.filter(user_id=user.pk).delete()
    user.end_all_sessions()
    throttles.clear_for_user(user_id=user.pk)
    logger.warning("twofactor reset for user %s by %s", user.pk, actor)
    if deleted:
        notify.account_changed(user=user, event=notify.Event.RESET)
    return bool(deleted)
