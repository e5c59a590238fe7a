"""Passkeys (WebAuthn) as a second factor: phishing-resistant, since the
browser signs the site's own origin into every answer.

    relying_party.py  the RP id, name and the origins an answer may come from
    challenges.py     single-use challenges, bound to the session, 5 minutes
    credentials.py    what a passkey keeps in `Factor.data` (never the private key)
    flows.py          adding one (options, then the browser's answer), signing in, removing
    forms.py          the name and the password before adding or removing
    views.py          the profile card's steps and the JSON the script fetches

The browser side is `static/js/passkeys.js` (`navigator.credentials`); without
JavaScript the card and the code page say passkeys need it.

A user may have several passkeys (one per device); each is a `Factor` row of
kind `webauthn`, so the session fingerprint, the admin, "turn off" and the
staff reset treat them like any factor.
"""

from django.utils.translation import gettext_lazy as _

from twofactor.factors.base import FactorType
from twofactor.models import Factor, Kind
from twofactor.outcomes import Failure, Outcome, failed
from twofactor.typing import SignedInRequest


class WebauthnFactor(FactorType):
    kind = Kind.WEBAUTHN
    heading = _("Use your passkey")
    prompt = _("Use your passkey to finish signing in.")
    switch_label = _("Use a passkey")
    default_label = _("a passkey")
    card_template = "twofactor/factors/webauthn.html"

    def describe(self, factor: Factor) -> str:
        return str(_("passkey “%(name)s”") % {"name": factor.data.get("name", "")})

    def check(self, *, request: SignedInRequest, factor: Factor, code: str) -> Outcome:
        # A passkey answers through its own endpoint (flows.check_sign_in), never a typed code.
        return failed(Failure.PASSKEY_REFUSED, str(_("Use the passkey button to sign in.")))

    def card_context(self, *, request: SignedInRequest, factors: dict) -> dict:
        from twofactor.factors.webauthn import credentials

        # `factors` has one row per kind: the list of passkeys needs its own
        # query, asked only when there is at least one (the page's query budget).
        if Kind.WEBAUTHN not in factors:
            return {"passkeys": []}
        return {"passkeys": credentials.passkeys_of(request.user)}
