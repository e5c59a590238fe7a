"""Security emails from the accounts side: the owner hears of every change to
their password, so a change they didn't make doesn't go unnoticed."""

import logging
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("accounts")


class Change(StrEnum):
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"


def _subject(change: Change) -> str:
    return {
        Change.PASSWORD_CHANGED: _("Your password was changed"),
        Change.PASSWORD_RESET: _("Your password was reset"),
    }[change]


def password_changed(*, user, change: Change) -> None:
    """Email the user that their password changed.

    The change is already made; a mail outage is logged, never raised, so it
    can't undo or hide the change from the person making it.
    """
    if not user.email:
        return
    context = {"user": user, "change": str(change), "site_name": settings.SITE_NAME}
    subject = f"{_subject(change)} · {settings.SITE_NAME}"
    body = loader.render_to_string("accounts/email/password_changed.txt", context)
    html = loader.render_to_string("accounts/email/password_changed.html", context)
    message = EmailMultiAlternatives(subject, body, to=[user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any mail failure is logged, not raised
        logger.error("%s email to user %s not sent: %s", change, user.pk, type(exc).__name__)
