"""Changing an account's email address: asked for with the password, confirmed
from the new address, told to the old one.

1. `request_change`: the new address gets a link (accounts/email_links.py);
   the old one is told a change was asked for. Nothing changes yet. If the new
   address already has an account, its owner is told instead and the page
   says the same as ever (it must not tell who has an account).
2. `confirm_change`: the link was followed. The address changes (if no other
   account took it meanwhile), it counts as confirmed, the security log gets
   the change and the old address is told.
"""

import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts import address_mail, security
from accounts.email_links import Link
from accounts.models import User

logger = logging.getLogger("accounts")


def request_change(*, request: HttpRequest, user: User, new_email: str) -> None:
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        logger.info("email change for user %s: the new address has an account", user.pk)
        address_mail.address_taken(new_email=new_email)
    else:
        address_mail.confirm_new_address(request=request, user=user, new_email=new_email)
    address_mail.change_requested(user=user, new_email=new_email)


def confirm_change(*, request: HttpRequest, link: Link) -> bool:
    """Make the change the link asks for; False if another account has the
    address by now."""
    user, old_email = link.user, link.user.email
    try:
        with transaction.atomic():
            # SECURITY: the database's unique constraint on lower(email) decides
            # a race between two accounts confirming the same address.
            updated = User.objects.filter(pk=user.pk, email=old_email).update(
                email=link.email, email_confirmed=True
            )
    except IntegrityError:
        return False
    if not updated:
        return False
    user.refresh_from_db(fields=["email", "email_confirmed"])
    security.record(request=request, user=user, kind=security.Kind.EMAIL_CHANGED)
    address_mail.changed(user=user, old_email=old_email)
    return True
