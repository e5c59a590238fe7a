"""What the pages of every factor share: the HTTP status of a failed step, the
profile's two-factor panel (one card per factor), and rendering it in place.

Every panel step answers with the whole panel (`settings.html#panel`) for htmx,
or the whole page otherwise, so a fragment has exactly one source.
"""

import math
from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _

from core.responses import redirect_to
from twofactor import factors, flows, selectors, throttles, trust
from twofactor.forms import PasswordForm, password_kwargs
from twofactor.models import Factor
from twofactor.outcomes import Failure, Outcome
from twofactor.typing import SignedInRequest

# The views' request: signed in, with what django-htmx adds.
HtmxHttpRequest = SignedInRequest


# How a failed step answers. Not 400: in DEBUG, django-htmx shows a 400
# fragment as a whole error page; the htmx config swaps 422/429/503 in place.
STATUS_FOR: dict[Failure, int] = {
    Failure.WRONG_CODE: 422,
    Failure.EXPIRED: 422,
    Failure.UNREACHABLE: 422,
    Failure.NUMBER_IN_USE: 422,
    Failure.NOT_SENT: 422,
    Failure.SETUP_CHANGED: 422,
    Failure.START_AGAIN: 422,
    Failure.OFF: 422,
    Failure.PASSKEY_REFUSED: 422,
    Failure.LOCKED: 429,
    Failure.THROTTLED: 429,
    Failure.PROVIDER_LIMIT: 429,
    Failure.BUSY: 429,
    Failure.UNAVAILABLE: 503,
}


def status_for(outcome: Outcome | None) -> int:
    if outcome is None or outcome.ok or outcome.failure is None:
        return 200
    return STATUS_FOR[outcome.failure]


def resend_wait(request: SignedInRequest) -> int:
    # Rounded up, like the server's own messages: the countdown must never
    # reach 0 before resending is allowed.
    return math.ceil(throttles.cooldown_remaining(user_id=request.user.pk).total_seconds())


def tie_outcome_to_field(form, field_name: str, outcome, status_id: str) -> None:
    """A failed step's message (shown above the form) describes the field, for
    screen readers, like a form error does."""
    if outcome is None or outcome.ok or not outcome.message or field_name not in form.fields:
        return
    form.fields[field_name].widget.attrs.update(
        {"aria-invalid": "true", "aria-describedby": status_id}
    )


def panel_context(request: SignedInRequest, *, mine: list[Factor] | None = None, **extra) -> dict:
    """The panel: on or off, a card per factor, and the one card in a step
    (`active` names its kind, `step` the step), if any. `mine`: the user's
    confirmed factors when already read in this request (and unchanged since)."""
    if mine is None:
        mine = selectors.confirmed_factors(request.user)
    by_kind = {factor.kind: factor for factor in mine}
    context = {
        "factors": mine,
        "enabled": bool(selectors.second_factors(mine)),
        "default_factor": selectors.default_factor(mine),
        "second_factor_count": len(selectors.second_factors(mine)),
        "cards": [
            {"type": factor_type, "factor": by_kind.get(factor_type.kind)}
            for factor_type in factors.all_types()
        ],
        # Called by the template only in a card's code step (a cache lookup).
        "resend_wait": partial(resend_wait, request),
        # Browsers that skip the code (twofactor/trust.py); only with 2FA on.
        "trusted_browsers": trust.count(request) if selectors.second_factors(mine) else 0,
        "active": "",
        "step": "",
    }
    for factor_type in factors.all_types():
        context.update(factor_type.card_context(request=request, factors=by_kind))
    context.update(extra)
    form = context.get("form")
    if form is not None and context.get("field"):
        tie_outcome_to_field(form, str(context["field"]), context.get("outcome"), "panel-status")
    return context


def render_panel(request: HtmxHttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = "twofactor/settings.html#panel" if request.htmx else "twofactor/settings.html"
    return render(request, template, context, status=status)


def panel_step(
    request: HtmxHttpRequest,
    *,
    active: str,
    step: str,
    outcome: Outcome | None = None,
    status: int | None = None,
    **extra,
) -> HttpResponse:
    """One card in a step, answered with the outcome's status (or `status`)."""
    context = panel_context(request, active=active, step=step, outcome=outcome, **extra)
    return render_panel(request, context, status or status_for(outcome))


def recovery_offer() -> str:
    return _("Now make recovery codes, in case you lose your phone.")


def done(request: HtmxHttpRequest, message: str) -> HttpResponse:
    """A panel step finished: in place with htmx, else back to the profile."""
    if request.htmx:
        return render_panel(request, panel_context(request, notice=message))
    messages.success(request, message)
    return redirect("profile", username=request.user.username)


def remove_second_factor(
    request: HtmxHttpRequest, *, kind: str, event, removed: str, missing: str
) -> HttpResponse:
    """A card's "Remove" step: the password, then the factor goes while another
    second factor stays. The last one is removed by turning two-factor off."""
    mine = selectors.confirmed_factors(request.user)
    factor = next((f for f in mine if f.kind == kind), None)
    if factor is None:
        return done(request, missing)
    if len(selectors.second_factors(mine)) < 2:
        return redirect_to(request, resolve_url("twofactor:disable"))
    if request.method == "POST":
        form = PasswordForm(request.POST, **password_kwargs(request))
        if not form.is_valid():
            return panel_step(
                request, active=kind, step="remove", form=form, field="password", status=422
            )
        flows.remove_factor(request=request, factor=factor, event=event)
        return done(request, removed)
    return panel_step(
        request, active=kind, step="remove", form=PasswordForm(**password_kwargs(request))
    )
