"""The totp factor's `FactorType`: what the shared steps and pages ask of it.

Kept out of the package's `__init__` so that importing anything in the
package (the Verify fake, run as a script) needs no Django setup.
"""

from django.utils.translation import gettext_lazy as _

from twofactor.factors.base import FactorType
from twofactor.models import Factor, Kind
from twofactor.outcomes import Outcome
from twofactor.typing import SignedInRequest


class TotpFactor(FactorType):
    kind = Kind.TOTP
    prompt = _("Enter the 6-digit code from your authenticator app.")
    switch_label = _("Use my authenticator app")
    default_label = _("your authenticator app")
    card_template = "twofactor/factors/totp.html"

    def describe(self, factor: Factor) -> str:
        return str(_("app"))

    def check(self, *, request: SignedInRequest, factor: Factor, code: str) -> Outcome:
        from twofactor.factors.totp import flows

        return flows.check(request=request, factor=factor, code=code)
