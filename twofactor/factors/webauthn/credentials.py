"""What a passkey keeps in `Factor.data`: its name, the credential id, the
public key (COSE), the sign count, the transports and the user handle, all as
strings. The private key never leaves the authenticator.

Why `Factor.data` and not a model of its own: a passkey then is a factor like
the others, so the session fingerprint, "turn off", the staff reset, the admin
and the security log need nothing new.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

from twofactor.models import Factor, Kind

KNOWN_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}
# WebAuthn credential ids are at most 1023 bytes: 1364 characters in base64url.
MAX_CREDENTIAL_ID_LENGTH = 1364


@dataclass(frozen=True)
class Passkey:
    """One passkey as the profile lists it (never its key)."""

    pk: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


def passkey_rows(user):
    return Factor.objects.confirmed().of(user).filter(kind=Kind.WEBAUTHN).order_by("created_at")


def passkeys_of(user) -> list[Passkey]:
    return [
        Passkey(
            pk=row.pk,
            name=row.data.get("name", ""),
            created_at=row.created_at,
            last_used_at=row.last_used_at,
        )
        for row in passkey_rows(user)
    ]


def descriptors(user) -> list[PublicKeyCredentialDescriptor]:
    """The user's credentials, for `allowCredentials` / `excludeCredentials`."""
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(row.data["credential_id"]),
            transports=[AuthenticatorTransport(t) for t in row.data.get("transports", [])],
        )
        for row in passkey_rows(user)
    ]


def user_handle(user) -> bytes:
    """The id authenticators keep for this user: random (never the database id
    or the username), the same for all of their passkeys."""
    for row in passkey_rows(user):
        if row.data.get("user_handle"):
            return base64url_to_bytes(row.data["user_handle"])
    return secrets.token_bytes(32)


def find(user, credential_id: str) -> Factor | None:
    """The user's passkey with this credential id (base64url), or None."""
    for row in passkey_rows(user):
        if secrets.compare_digest(row.data.get("credential_id", ""), credential_id):
            return row
    return None


def find_any(credential_id: str) -> Factor | None:
    """The confirmed passkey with this credential id (base64url), whoever's it
    is: passwordless sign-in knows no user yet. One account at most has it (a
    database constraint; on PostgreSQL its index serves this lookup)."""
    if not credential_id or len(credential_id) > MAX_CREDENTIAL_ID_LENGTH:
        return None
    return (
        Factor.objects.confirmed()
        .filter(kind=Kind.WEBAUTHN, data__credential_id=credential_id)
        .select_related("user")
        .first()
    )


def data_for(
    *,
    name: str,
    credential_id: bytes,
    public_key: bytes,
    sign_count: int,
    transports: list[str],
    handle: bytes,
) -> dict:
    return {
        "name": name,
        "credential_id": bytes_to_base64url(credential_id),
        "public_key": bytes_to_base64url(public_key),
        "sign_count": sign_count,
        "transports": [t for t in transports if t in KNOWN_TRANSPORTS],
        "user_handle": bytes_to_base64url(handle),
    }
