"""RFC 6238 codes: 30-second steps, 6 digits, SHA-1 (what every authenticator
app does), one step either side for clock drift, and no step used twice."""

import time

import pyotp
from django.utils.crypto import constant_time_compare

STEP_SECONDS = 30
DIGITS = 6
# Steps accepted on either side of now, for a phone clock that is off a little.
DRIFT_STEPS = 1


def new_secret() -> str:
    """160 random bits, base32 (RFC 4226's recommended length), from the OS CSPRNG."""
    return pyotp.random_base32(length=32)


def provisioning_uri(*, secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(
    *, secret: str, code: str, after: int = -1, now: float | None = None
) -> int | None:
    """The step (within the drift) whose code is `code` and that comes after
    `after` (the last step used), or None. Checks every candidate, in constant
    time each, so timing says nothing about which one matched."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    step = current_step(now)
    found = None
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        expected = totp.generate_otp(candidate)
        if constant_time_compare(expected, code) and candidate > after and found is None:
            found = candidate
    return found
