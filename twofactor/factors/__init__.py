"""The second factors, one package each, behind `base.FactorType`.

    sms/       a phone: codes by text message or call through Twilio Verify
    totp/      an authenticator app (RFC 6238)
    webauthn/  passkeys (several per user)
    recovery/  single-use recovery codes (never turn two-factor on by themselves)

`get(kind)` returns a factor's type; the shared steps and pages use nothing else.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when used: this package's scripts run without Django set up
    from twofactor.factors.base import FactorType


@cache
def _registry() -> dict[str, FactorType]:
    from twofactor.factors.recovery.factor import RecoveryFactor
    from twofactor.factors.sms.factor import SmsFactor
    from twofactor.factors.totp.factor import TotpFactor
    from twofactor.factors.webauthn import WebauthnFactor

    # The order of the cards on the profile: the safer factor first.
    types = (WebauthnFactor(), TotpFactor(), SmsFactor(), RecoveryFactor())
    return {factor_type.kind: factor_type for factor_type in types}


def get(kind: str) -> FactorType:
    return _registry()[str(kind)]


def all_types() -> list[FactorType]:
    return list(_registry().values())
