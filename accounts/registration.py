"""Registration that tells a stranger nothing about which addresses have
accounts, and confirms the address before the first sign-in.

The policy (README, "Accounts"): the registration form answers "check your
email" for a new address and for a taken one alike. A new address gets an
account whose address is unconfirmed and a link that confirms it; until then
a right password is answered "confirm your address first" (and the link is
sent again). A taken address gets no account: its owner is emailed that
someone tried. Usernames are public (profiles are at /user/<name>/), so a
taken username is still said to be taken.

Registrations are limited per client address (`ACCOUNTS_REGISTRATION_IP_LIMIT`
in `ACCOUNTS_REGISTRATION_WINDOW`): each one sends an email.
"""

import logging

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts import address_mail
from accounts.conf import app_settings
from accounts.models import User
from core.client import client_ip
from core.ratelimit import ALLOWED, Decision, Window

logger = logging.getLogger("accounts")

TOO_MANY_REGISTRATIONS = "too_many_registrations"
# A right password on an unconfirmed account sends the link again at most this often.
RESEND_EVERY_SECONDS = 300


def _window(ip: str) -> Window:
    return Window(
        f"accounts:registrations:ip:{ip}",
        app_settings.REGISTRATION_IP_LIMIT,
        app_settings.REGISTRATION_WINDOW,
        TOO_MANY_REGISTRATIONS,
    )


def take_slot(request: HttpRequest) -> Decision:
    """Count a registration from this client address; refused past the limit."""
    ip = client_ip(request)
    if ip is None:
        return ALLOWED
    window = _window(ip)
    if window.take() > window.limit:
        window.give_back()
        logger.warning("registration refused: too many from %s", ip)
        return window.full()
    return ALLOWED


def register(*, request: HttpRequest, form) -> User | None:
    """Make the account of a valid form and send its confirmation link, or, if
    the address is taken, email its owner instead. Returns the new user or None."""
    email = form.cleaned_data["email"]
    owner = User.objects.filter(email__iexact=email).first()
    if owner is not None:
        logger.info("registration with the address of user %s: owner told", owner.pk)
        address_mail.registration_with_your_address(request=request, owner=owner)
        return None
    user = form.save(commit=False)
    user.email_confirmed = False
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another registration took the username or address in the same instant:
        # the same page as ever; the person can register again.
        logger.warning("registration lost a race for its username or address")
        return None
    address_mail.confirm_registration(request=request, user=user)
    return user


def confirm(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(email_confirmed=True)
    user.email_confirmed = True


def resend_on_sign_in(*, request: HttpRequest, user: User) -> None:
    """A right password on an unconfirmed account: send the link again (at most
    every few minutes, so the sign-in page can't be used to flood a mailbox)."""
    if cache.add(f"accounts:confirm-resent:{user.pk}", 1, timeout=RESEND_EVERY_SECONDS):
        address_mail.confirm_registration(request=request, user=user)
