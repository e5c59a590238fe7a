"""The sms factor's `FactorType`: what the shared steps and pages ask of it.

Kept out of the package's `__init__` so that importing anything in the
package (the Verify fake, run as a script) needs no Django setup.
"""

from django.utils.translation import gettext_lazy as _

from twofactor.factors.base import FactorType
from twofactor.models import Factor, Kind, mask_number
from twofactor.outcomes import Outcome
from twofactor.typing import SignedInRequest


class SmsFactor(FactorType):
    kind = Kind.SMS
    prompt = _("Enter the code we sent to your phone.")
    switch_label = _("Text me a code instead")
    default_label = _("your phone")
    card_template = "twofactor/factors/sms.html"

    def describe(self, factor: Factor) -> str:
        return factor.masked_number

    def challenge(self, *, request: SignedInRequest, factor: Factor) -> Outcome | None:
        from twofactor.factors.sms import flows

        return flows.begin_login_challenge(request=request, factor=factor)

    def check(self, *, request: SignedInRequest, factor: Factor, code: str) -> Outcome:
        from twofactor.factors.sms import flows

        return flows.check_login_code(request=request, factor=factor, code=code)

    def abandon_challenge(self, *, request: SignedInRequest, why: str) -> None:
        from twofactor.factors.sms import flows

        flows.cancel_sign_in_code(request=request, why=why)

    def card_context(self, *, request: SignedInRequest, factors: dict) -> dict:
        from twofactor import session

        attempt = request.session.get(session.ENROLMENT)
        return {"enrolment_number": mask_number(attempt["number"]) if attempt else ""}
