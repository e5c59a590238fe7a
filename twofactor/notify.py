"""Security emails: the account owner hears of every change to their second
factors (and of each recovery code used), so a change they didn't make
doesn't go unnoticed; and of repeated wrong codes after a right password
(`password_known`): someone else has their password."""

import logging
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

from twofactor.models import mask_number

logger = logging.getLogger("twofactor")


class Event(StrEnum):
    ENABLED = "enabled"  # the first phone: two-factor is on
    PHONE_ADDED = "phone_added"  # a phone beside an app
    NUMBER_CHANGED = "number_changed"
    PHONE_REMOVED = "phone_removed"
    APP_ADDED = "app_added"
    APP_REMOVED = "app_removed"
    PASSKEY_ADDED = "passkey_added"
    PASSKEY_REMOVED = "passkey_removed"
    PASSKEY_CLONED = "passkey_cloned"  # a sign count went backwards: a copied key?
    RECOVERY_CODES_NEW = "recovery_codes_new"
    RECOVERY_CODE_USED = "recovery_code_used"
    DISABLED = "disabled"
    RESET = "reset"


def _subject(event: Event) -> str:
    return {
        Event.ENABLED: _("Two-factor authentication is on"),
        Event.PHONE_ADDED: _("A phone was added to your two-factor authentication"),
        Event.NUMBER_CHANGED: _("Your two-factor phone number changed"),
        Event.PHONE_REMOVED: _("Your two-factor phone was removed"),
        Event.APP_ADDED: _("An authenticator app was added to your account"),
        Event.APP_REMOVED: _("Your authenticator app was removed"),
        Event.PASSKEY_ADDED: _("A passkey was added to your account"),
        Event.PASSKEY_REMOVED: _("A passkey was removed from your account"),
        Event.PASSKEY_CLONED: _("One of your passkeys may have been copied"),
        Event.RECOVERY_CODES_NEW: _("You have new recovery codes"),
        Event.RECOVERY_CODE_USED: _("A recovery code was used to sign in"),
        Event.DISABLED: _("Two-factor authentication is off"),
        Event.RESET: _("Two-factor authentication was reset"),
    }[event]


def _sentence(event: Event, *, masked_number: str, remaining: int | None) -> str:
    site = settings.SITE_NAME
    values = {"site_name": site, "masked_number": masked_number, "remaining": remaining}
    return {
        Event.ENABLED: _(
            "Two-factor authentication is now on for your account on %(site_name)s. From now "
            "on, signing in asks for a code sent to %(masked_number)s."
        ),
        Event.PHONE_ADDED: _(
            "Your account on %(site_name)s can now also get sign-in codes at %(masked_number)s."
        ),
        Event.NUMBER_CHANGED: _("Your sign-in codes on %(site_name)s now go to %(masked_number)s."),
        Event.PHONE_REMOVED: _(
            "Your phone was removed from two-factor authentication on %(site_name)s. Signing "
            "in now asks for a code from your authenticator app."
        ),
        Event.APP_ADDED: _(
            "An authenticator app now gives the sign-in codes for your account on %(site_name)s."
        ),
        Event.APP_REMOVED: _(
            "The authenticator app was removed from your account on %(site_name)s."
        ),
        Event.PASSKEY_ADDED: _(
            "A passkey can now be used to sign in to your account on %(site_name)s."
        ),
        Event.PASSKEY_REMOVED: _("A passkey was removed from your account on %(site_name)s."),
        Event.PASSKEY_CLONED: _(
            "Someone signed in to your account on %(site_name)s with a passkey whose counter "
            "went backwards, which happens when a passkey was copied. We refused it. If you "
            "didn't just sign in, remove that passkey from your profile and change your "
            "password."
        ),
        Event.RECOVERY_CODES_NEW: _(
            "New recovery codes were made for your account on %(site_name)s; the old ones no "
            "longer work."
        ),
        Event.RECOVERY_CODE_USED: _(
            "A recovery code was used to sign in to your account on %(site_name)s. "
            "%(remaining)s recovery codes are left."
        ),
        Event.DISABLED: _(
            "Two-factor authentication is now off for your account on %(site_name)s. Your "
            "other sessions were signed out."
        ),
        Event.RESET: _(
            "Our staff reset two-factor authentication for your account on %(site_name)s "
            "(usually because a phone was lost). You were signed out everywhere; you can sign "
            "in with your password and turn it on again from your profile."
        ),
    }[event] % values


def account_changed(*, user, event: Event, number: str = "", remaining: int | None = None) -> None:
    """Email the user about a change to their second factors.

    The change is already made; a mail outage is logged, never raised, so it
    can't undo or hide the change from the person making it.
    """
    if not user.email:
        return
    context = {
        "user": user,
        "event": str(event),
        "sentence": _sentence(
            event, masked_number=mask_number(number) if number else "", remaining=remaining
        ),
        "site_name": settings.SITE_NAME,
    }
    _send(user, subject=_subject(event), template="changed", context=context, what=str(event))


def _send(user, *, subject: str, template: str, context: dict, what: str) -> None:
    """Text and HTML from templates/twofactor/email/<template>.*; a mail
    failure is logged (never the content), not raised."""
    message = EmailMultiAlternatives(
        f"{subject} · {settings.SITE_NAME}",
        loader.render_to_string(f"twofactor/email/{template}.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        loader.render_to_string(f"twofactor/email/{template}.html", context), "text/html"
    )
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any mail failure is logged, not raised
        logger.error(
            "twofactor %s email to user %s not sent: %s", what, user.pk, type(exc).__name__
        )


def password_known(
    *, user, at: datetime, ip: str, browser: str, wrong_codes: int, reset_url: str
) -> None:
    """Email the owner: someone typed the right password, then wrong codes.

    Says when, from where (the address as the limits count it) and which
    browser, and advises a new password; never a code. A mail outage is
    logged, never raised.
    """
    if not user.email:
        return
    context = {
        "user": user,
        "site_name": settings.SITE_NAME,
        "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M %Z"),
        "ip": ip or _("unknown"),
        "browser": browser,
        "wrong_codes": wrong_codes,
        "reset_url": reset_url,
    }
    _send(
        user,
        subject=_("Someone who knows your password is trying to sign in"),
        template="password_known",
        context=context,
        what="password-known",
    )
