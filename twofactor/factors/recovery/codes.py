"""Recovery codes: made from the OS CSPRNG, easy to type, stored only as keyed hashes.

A code is 16 characters from an alphabet without look-alikes (no 0/o, 1/l/i),
shown in four groups: `k7pm-4xq2-9fth-3wcz`. That is 16 × log2(31) ≈ 79 bits,
above NIST SP 800-63B-4's 64 bits for saved recovery codes, so a keyed fast
hash (HMAC-SHA256 with SECRET_KEY) is enough: there is nothing to brute-force.
"""

import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 16
GROUP = 4
COUNT = 10
_SALT = "twofactor.factors.recovery"


def generate(count: int = COUNT) -> list[str]:
    return [_format("".join(secrets.choice(ALPHABET) for _ in range(LENGTH))) for _ in range(count)]


def _format(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise(code: str) -> str:
    """What was typed, as it was made: any case, spaces and dashes dropped."""
    return "".join(ch for ch in code.casefold() if ch not in " -\t")


def looks_like_a_code(code: str) -> bool:
    raw = normalise(code)
    return len(raw) == LENGTH and all(ch in ALPHABET for ch in raw)


def digest(code: str, *, secret: str | None = None) -> str:
    return salted_hmac(
        _SALT, normalise(code), secret=secret or settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()


def matches(code: str, stored: str) -> bool:
    """`code` hashes to `stored` under SECRET_KEY or one of its fallbacks (so
    rotating the key doesn't lose anyone's codes), in constant time."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(constant_time_compare(digest(code, secret=key), stored) for key in keys)
