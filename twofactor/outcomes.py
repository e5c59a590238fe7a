"""What a step tells its view: done, or why not.

Steps (twofactor/flows.py and each factor's flows) never choose an HTTP
status: they return an `Outcome` with a `Failure` reason, and the views map
each reason to its status in one table (`twofactor.views.STATUS_FOR`).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Failure(StrEnum):
    WRONG_CODE = "wrong_code"  # the code isn't right; the user may try again
    EXPIRED = "expired"  # the code's verification is over (a new one may be on its way)
    LOCKED = "locked"  # too many wrong codes for this account
    THROTTLED = "throttled"  # a send limit or the resend cooldown
    UNAVAILABLE = "unavailable"  # the provider (Twilio) isn't answering
    PROVIDER_LIMIT = "provider_limit"  # the provider refused: too many codes to this number
    UNREACHABLE = "unreachable"  # a number or channel we can't send to
    NUMBER_IN_USE = "number_in_use"  # confirmed by another account
    NOT_SENT = "not_sent"  # no code was sent for this step yet
    SETUP_CHANGED = "setup_changed"  # the factors changed meanwhile: start again
    START_AGAIN = "start_again"  # nothing in progress (an enrolment that ended)
    OFF = "off"  # this factor (or two-factor) isn't on
    BUSY = "busy"  # another check for this account is still running
    PASSKEY_REFUSED = "passkey_refused"  # a passkey's answer failed a check (origin, key, count)


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    message: str = ""
    failure: Failure | None = None
    # A new code went out as part of this step.
    code_sent: bool = False
    # When the user may try again, where that is known.
    retry_at: datetime | None = None
    # The entered code was wrong/expired: the view clears the field.
    clear_code: bool = False
    # The provider's id of the verification a sent code belongs to.
    verification: str = ""


def failed(failure: Failure, message: str, **fields) -> Outcome:
    return Outcome(ok=False, message=message, failure=failure, **fields)
