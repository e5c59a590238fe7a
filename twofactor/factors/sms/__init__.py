"""A phone as the second factor: codes by text message or voice call, sent and
checked by Twilio Verify (or a local backend in development and tests).

    backends/  who sends and checks the codes (pluggable like EMAIL_BACKEND)
    flows.py   sending within the limits, the sign-in check, adding the number
    forms.py   the phone form
    messages.py what the user reads about texts and calls
    views.py   the profile card's steps
    testing/   a stateful Verify fake for tests and `make fake-verify`
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

    def card_context(self, *, request: SignedInRequest, factors: dict) -> dict:
        from twofactor import session

        attempt = request.session.get(session.ENROLMENT)
        return {"enrolment_number": mask_number(attempt["number"]) if attempt else ""}
