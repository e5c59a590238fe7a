"""The recovery factor's `FactorType`: what the shared steps and pages ask of it.

Kept out of the package's `__init__` so that importing anything in the
package (the Verify fake, run as a script) needs no Django setup.
"""

from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from twofactor.factors.base import FactorType
from twofactor.models import Factor, Kind
from twofactor.outcomes import Outcome
from twofactor.typing import SignedInRequest


class RecoveryFactor(FactorType):
    kind = Kind.RECOVERY
    prompt = _("Enter one of your recovery codes. Each code works once.")
    switch_label = _("Use a recovery code")
    default_label = _("a recovery code")
    inputmode = "text"
    autocomplete = "off"
    card_template = "twofactor/factors/recovery.html"

    @property
    def form_class(self):
        from twofactor.factors.recovery.forms import RecoveryCodeForm

        return RecoveryCodeForm

    def describe(self, factor: Factor) -> str:
        from twofactor.factors.recovery.flows import remaining

        left = remaining(factor)
        return ngettext("recovery codes: %(n)d left", "recovery codes: %(n)d left", left) % {
            "n": left
        }

    def check(self, *, request: SignedInRequest, factor: Factor, code: str) -> Outcome:
        from twofactor.factors.recovery import flows

        return flows.check(request=request, factor=factor, code=code)

    def after_sign_in(self, *, request: SignedInRequest, factor: Factor) -> None:
        from twofactor.factors.recovery import flows

        messages.warning(request, flows.after_sign_in(request=request, factor=factor))

    def card_context(self, *, request: SignedInRequest, factors: dict) -> dict:
        from twofactor.factors.recovery.flows import LOW, remaining

        left = remaining(factors.get(Kind.RECOVERY))
        return {"recovery_left": left, "recovery_low": left <= LOW}
