"""Which numbers may get codes at all: checked from the parsed number before
any send (and before a send slot is taken), at enrolment and sign-in.

SMS pumping sends texts to numbers whose operators pay the attacker per
message: premium-rate, shared-cost and satellite ranges, often in countries
the site doesn't serve. So: an allow-list of countries (empty: all, with a
system-check warning in production), blocked prefixes, and number types that
never get codes.
"""

from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberType

from twofactor.conf import app_settings

# Types that never receive a code (phonenumbers' classification).
REFUSED_TYPES = {
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.UAN,
    PhoneNumberType.PAGER,
}


class Refusal(StrEnum):
    COUNTRY = "country"
    PREFIX = "prefix"
    NUMBER_TYPE = "number_type"


def refusal(number: str) -> Refusal | None:
    """Why `number` (E.164) may not get codes, or None when it may."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return Refusal.NUMBER_TYPE
    if any(number.startswith(prefix) for prefix in app_settings.BLOCKED_PREFIXES):
        return Refusal.PREFIX
    allowed = app_settings.ALLOWED_COUNTRIES
    if allowed and phonenumbers.region_code_for_number(parsed) not in allowed:
        return Refusal.COUNTRY
    if phonenumbers.number_type(parsed) in REFUSED_TYPES:
        return Refusal.NUMBER_TYPE
    return None


def country_of(number: str) -> str:
    """The ISO country of an E.164 number ("GB"), "" when unknown."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or ""
    except phonenumbers.NumberParseException:
        return ""


def allowed_country(region: str) -> bool:
    allowed = app_settings.ALLOWED_COUNTRIES
    return not allowed or region.upper() in allowed
