"""Security emails: the account owner hears of every change to their second
factor, so a change they didn't make doesn't go unnoticed."""

import logging
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.translation import gettext as _

from twofactor.models import mask_number

logger = logging.getLogger("twofactor")


class Event(StrEnum):
    ENABLED = "enabled"
    NUMBER_CHANGED = "number_changed"
    DISABLED = "disabled"
    RESET = "reset"


def _subject(event: Event) -> str:
    return {
        Event.ENABLED: _("Two-factor authentication is on"),
        Event.NUMBER_CHANGED: _("Your two-factor phone number changed"),
        Event.DISABLED: _("Two-factor authentication is off"),
        Event.RESET: _("Two-factor authentication was reset"),
    }[event]


def account_changed(*, user, event: Event, number: str = "") -> None:
    """Email the user about a change to their second factor.

    The change is already made; a mail outage is logged, never raised, so it
    can't undo or hide the change from the person making it.
    """
    if not user.email:
        return
    context = {
        "user": user,
        "event": str(event),
        "masked_number": mask_number(number) if number else "",
        "site_name": settings.SITE_NAME,
    }
    subject = f"{_subject(event)} · {settings.SITE_NAME}"
    body = loader.render_to_string("twofactor/email/changed.txt", context)
    html = loader.render_to_string("twofactor/email/changed.html", context)
    message = EmailMultiAlternatives(subject, body, to=[user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any mail failure is logged, not raised
        logger.error(
            "twofactor %s email to user %s not sent: %s", event, user.pk, type(exc).__name__
        )
