"""The sentences every factor shares when a step doesn't go through.

Each factor's own sentences live beside it (e.g. twofactor/factors/sms/messages.py).
"""

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.phrases import until_phrase


def too_many_tries(retry_at: datetime | None) -> str:
    return _("Too many tries. You can try again %(when)s.") % {"when": until_phrase(retry_at)}


def wrong_code(tries_left: int | None = None) -> str:
    if tries_left is None:
        return _("That code isn't right. Check it and try again.")
    return ngettext(
        "That code isn't right — %(n)d try left.",
        "That code isn't right — %(n)d tries left.",
        tries_left,
    ) % {"n": tries_left}


def setup_changed() -> str:
    return _("Your two-factor settings changed. Start again.")


def busy() -> str:
    return _("We're still checking your last code. Try again in a moment.")
