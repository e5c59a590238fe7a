"""What every factor offers the shared steps and pages.

A factor is a small package under `twofactor/factors/` with one `FactorType`
subclass: what opening the code page does for it (SMS sends a code; an app or
a recovery code needs nothing), how an entered code is checked, and how it
reads on the code page and the profile. `twofactor/flows.py` does what all
factors share around that: the per-account guessing limit before a check, and
finishing the sign-in after one.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from twofactor.models import Factor, Kind
from twofactor.outcomes import Outcome
from twofactor.typing import SignedInRequest

StrOrPromise = str | Promise


class FactorType:
    kind: Kind
    # The code page: its heading, what to enter, and the link that picks it.
    heading: StrOrPromise = _("Enter your code")
    prompt: StrOrPromise = ""
    switch_label: StrOrPromise = ""
    # "We'll ask for <default_label> first."
    default_label: StrOrPromise = ""
    # "numeric" for digit codes, "text" for recovery codes.
    inputmode: str = "numeric"
    autocomplete: str = "one-time-code"
    # The profile: the card partial (a template under templates/twofactor/factors/).
    card_template: str = ""

    def describe(self, factor: Factor) -> StrOrPromise:
        """One line for the profile, the admin and the commands (never a secret)."""
        return str(factor.get_kind_display())

    def challenge(self, *, request: SignedInRequest, factor: Factor) -> Outcome | None:
        """Called when the code page opens for this factor. None: nothing to do."""
        return None

    def check(self, *, request: SignedInRequest, factor: Factor, code: str) -> Outcome:
        """Check `code` for `factor` (request.user's, confirmed). Never raises for
        an expected failure; the shared step has checked the guessing limit and
        finishes the sign-in when the outcome is ok."""
        raise NotImplementedError

    def abandon_challenge(self, *, request: SignedInRequest, why: str) -> None:
        """The code page is left without this factor's challenge being
        answered (another factor passed, or the user cancelled): tidy what the
        challenge left pending (SMS cancels its code at Verify)."""

    def after_sign_in(self, *, request: SignedInRequest, factor: Factor) -> None:
        """Called once the sign-in is finished with this factor (a recovery code
        tells the owner and how many remain)."""

    def card_context(self, *, request: SignedInRequest, factors: dict) -> dict:
        """Extra context for this factor's card on the panel (`factors`: the
        user's confirmed factors by kind)."""
        return {}
