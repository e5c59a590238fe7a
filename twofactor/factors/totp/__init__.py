"""An authenticator app as the second factor (RFC 6238 TOTP): safer than texts,
since nothing travels over the phone network.

    codes.py    making and checking codes (pyotp), no step used twice
    secrets.py  the shared secret, encrypted at rest
    flows.py    setting the app up, the sign-in check, removing it
    views.py    the profile card's steps (QR code as SVG, made on the server)
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
