"""Passkey challenges: random, single use, bound to this session and to one
purpose (adding a passkey, the second factor, or signing in without a
password), and valid for 5 minutes.

`take` removes the challenge whatever happens next, so a recorded answer can
never be played back, not even after a failed check.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.generate_challenge import generate_challenge

from twofactor import session
from twofactor.conf import app_settings

REGISTER = "register"
SIGN_IN = "sign_in"  # the second factor, after the password
PASSWORDLESS = "passwordless"  # the whole sign-in, from the sign-in page


def issue(request: HttpRequest, *, purpose: str) -> bytes:
    """A new challenge for `purpose`, replacing any earlier one of this session."""
    challenge = generate_challenge()  # 64 random bytes (secrets.token_bytes)
    request.session[session.WEBAUTHN_CHALLENGE] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
        "issued_at": timezone.now().isoformat(),
    }
    return challenge


def take(request: HttpRequest, *, purpose: str) -> bytes | None:
    """This session's challenge for `purpose`, removed from the session; None
    when there is none, it is for another purpose, or it is older than 5 minutes."""
    # SECURITY: popped before any check, so each challenge is answered once.
    stored = request.session.pop(session.WEBAUTHN_CHALLENGE, None)
    if not isinstance(stored, dict) or stored.get("purpose") != purpose:
        return None
    issued_at = datetime.fromisoformat(stored["issued_at"])
    if timezone.now() - issued_at > app_settings.WEBAUTHN_CHALLENGE_TIMEOUT:
        return None
    return base64url_to_bytes(stored["challenge"])
