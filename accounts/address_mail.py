"""The emails about an account's address: the link that confirms it at
registration, the note to an address's owner when someone registers with it,
the link that confirms a new address, and the notes to the old address.

Plain text, one template each under templates/accounts/email/. A mail outage
is logged, never raised: the person sees the same page either way (the
page must not tell a taken address from a new one), and can ask again.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import email_links
from accounts.models import User

logger = logging.getLogger("accounts")


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    context = {"site_name": settings.SITE_NAME, **context}
    body = loader.render_to_string(f"accounts/email/{template}.txt", context)
    message = EmailMessage(f"{subject} · {settings.SITE_NAME}", body, to=[to])
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any mail failure is logged, not raised
        logger.error("%s email not sent: %s", template, type(exc).__name__)


def _link(request: HttpRequest, name: str, token: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"token": token}))


def confirm_registration(*, request: HttpRequest, user: User) -> None:
    token = email_links.make(purpose=email_links.Purpose.CONFIRM, user=user, email=user.email)
    _send(
        to=user.email,
        subject=_("Confirm your email address"),
        template="confirm_registration",
        context={"user": user, "link": _link(request, "confirm_email", token)},
    )


def registration_with_your_address(*, request: HttpRequest, owner: User) -> None:
    _send(
        to=owner.email,
        subject=_("Someone tried to register with your address"),
        template="registration_taken",
        context={
            "user": owner,
            "login_url": request.build_absolute_uri(reverse("login")),
            "reset_url": request.build_absolute_uri(reverse("password_reset")),
        },
    )


def confirm_new_address(*, request: HttpRequest, user: User, new_email: str) -> None:
    token = email_links.make(purpose=email_links.Purpose.CHANGE, user=user, email=new_email)
    _send(
        to=new_email,
        subject=_("Confirm your new email address"),
        template="email_change_confirm",
        context={"user": user, "link": _link(request, "email_change_confirm", token)},
    )


def address_taken(*, new_email: str) -> None:
    """To the owner of an address someone asked to move their account to."""
    _send(
        to=new_email,
        subject=_("Your address was entered for another account"),
        template="email_change_taken",
        context={},
    )


def change_requested(*, user: User, new_email: str) -> None:
    """To the old address, when a change is asked for (nothing changed yet)."""
    _send(
        to=user.email,
        subject=_("A change of your email address was asked for"),
        template="email_change_requested",
        context={"user": user, "new_email": new_email},
    )


def changed(*, user: User, old_email: str) -> None:
    """To the old address, once the new one is confirmed."""
    _send(
        to=old_email,
        subject=_("Your email address was changed"),
        template="email_changed",
        context={"user": user, "old_email": old_email},
    )
