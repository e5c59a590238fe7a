"""The app's shared secret, encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key derived
from SECRET_KEY; SECRET_KEY_FALLBACKS still decrypt, so rotating the key
doesn't lose anyone's app. The secret is never logged, never shown again
after setup, and not readable in the admin (the data field isn't editable).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(f"twofactor.factors.totp:{key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str | None:
    """The secret, or None when no key we have made `token`."""
    try:
        return _keys().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
