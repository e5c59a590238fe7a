"""What a user reads about texts and calls: specific, and saying what to do
next. (The sentences every factor shares are in twofactor/explain.py.)"""

from datetime import timedelta

from django.utils.translation import gettext as _

from core.phrases import until_phrase, wait_phrase
from twofactor.explain import too_many_tries
from twofactor.factors.sms.backends.base import Channel, SendResult, SendStatus
from twofactor.throttles import Decision, Reason


def unavailable() -> str:
    return _("The text message service isn't answering right now. Please try again in a minute.")


def throttled(decision: Decision) -> str:
    when = until_phrase(decision.retry_at)
    if decision.reason is Reason.COOLDOWN:
        return _("We've just sent a code. You can ask for another one %(when)s.") % {"when": when}
    if decision.reason is Reason.LOCKED:
        return too_many_tries(decision.retry_at)
    return _("We've sent too many codes. You can ask for a new one %(when)s.") % {"when": when}


def sent(*, channel: Channel, masked_number: str) -> str:
    if channel is Channel.CALL:
        return _("We're calling %(number)s with your code.") % {"number": masked_number}
    return _("We've sent a code to %(number)s.") % {"number": masked_number}


def send_failed(result: SendResult, *, channel: Channel) -> str:
    status = result.status
    if status is SendStatus.INVALID_NUMBER:
        return _("That doesn't look like a phone number we can reach. Check it and try again.")
    if status is SendStatus.CHANNEL_UNSUPPORTED:
        if channel is Channel.CALL:
            return _("We couldn't call this number. Try a text message or another number.")
        return _("We couldn't send a text to this number. Try a voice call or another number.")
    if status is SendStatus.BLOCKED:
        return _("We can't send codes to this number's region. Try another number.")
    if status is SendStatus.TOO_MANY_SENDS:
        when = wait_phrase(result.retry_after or timedelta(minutes=10))
        return _(
            "We've sent too many codes to this number. You can ask for a new one %(when)s."
        ) % {"when": when}
    return unavailable()


def refused_number(refusal) -> str:
    from twofactor.factors.sms.policy import Refusal

    if refusal is Refusal.COUNTRY:
        return _("We can't send codes to numbers in that country. Try another number.")
    return _(
        "We can't send codes to this kind of number (premium-rate, toll-free, shared-cost or "
        "satellite). Use a mobile number."
    )


def global_limit() -> str:
    return _(
        "Sending codes is temporarily unavailable. Please try again later, or use another "
        "way to sign in."
    )


def number_in_use() -> str:
    return _("This number can't be used for two-factor authentication. Try another.")
