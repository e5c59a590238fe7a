"""Signed links that prove someone reads an email address: the one sent at
registration (to confirm the account's address) and the one sent to a new
address (to confirm a change of address).

No table: the link carries the account, the address it confirms and the
account's address when it was made, signed with SECRET_KEY and timestamped
(`ACCOUNTS_EMAIL_LINK_TIMEOUT`). It only works while the account still has that
address and, for registration, while it is unconfirmed: so each works once.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core import signing

from accounts.conf import app_settings
from accounts.models import User


class Purpose(StrEnum):
    CONFIRM = "confirm"  # the address given at registration
    CHANGE = "change"  # a new address for an existing account


@dataclass(frozen=True, slots=True)
class Link:
    user: User
    email: str


def _salt(purpose: Purpose) -> str:
    # SECURITY: one salt per purpose: a registration link can't be replayed as a
    # change-of-address link, or the reverse.
    return f"accounts.email_links.{purpose}"


def make(*, purpose: Purpose, user: User, email: str) -> str:
    payload = {"u": user.pk, "e": email, "c": user.email.casefold()}
    return signing.dumps(payload, salt=_salt(purpose), compress=True)


def read(token: str, *, purpose: Purpose) -> Link | None:
    """The link's account and address, or None if it is forged, expired or used."""
    try:
        payload = signing.loads(
            token,
            salt=_salt(purpose),
            max_age=app_settings.EMAIL_LINK_TIMEOUT,
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or not {"u", "e", "c"} <= payload.keys():
        return None
    user = User.objects.filter(pk=payload["u"], is_active=True).first()
    if user is None or user.email.casefold() != payload["c"]:
        return None  # the address changed since: the link is spent
    if purpose is Purpose.CONFIRM and user.email_confirmed:
        return None
    return Link(user=user, email=payload["e"])
