"""The recovery-code card's steps on the profile: make a set (the password
first when one exists, since the old set stops working), then show it once."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.reauth import confirm_required
from core.decorators import signed_in_required
from twofactor import selectors
from twofactor.factors.recovery import flows
from twofactor.forms import PasswordForm, password_kwargs
from twofactor.models import Kind
from twofactor.panel import HtmxHttpRequest, panel_step

CARD = Kind.RECOVERY


@signed_in_required
@confirm_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("password")
def make(request: HtmxHttpRequest) -> HttpResponse:
    if not selectors.is_enabled(request.user):
        # Alone they'd guard nothing: codes come with a phone or an app.
        return panel_step(
            request,
            active="",
            step="",
            notice_error=_("Turn two-factor authentication on first."),
            status=422,
        )
    # SECURITY: codes sign in on their own, so making them needs the password
    # (a stolen session can't mint a way back in); a new set also ends the old.
    if request.method == "POST":
        form = PasswordForm(request.POST, **password_kwargs(request))
        if not form.is_valid():
            return panel_step(
                request, active=CARD, step="make", form=form, field="password", status=422
            )
        plain = flows.make_new_set(request=request)
        return panel_step(request, active=CARD, step="show", recovery_codes=plain)
    return panel_step(
        request, active=CARD, step="make", form=PasswordForm(**password_kwargs(request))
    )
