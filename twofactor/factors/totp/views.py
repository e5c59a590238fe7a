"""The authenticator-app card's steps on the profile: scan a QR code (or type
the secret), confirm with the app's first code; remove the app."""

import segno
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.reauth import confirm_required
from core.decorators import signed_in_required
from twofactor import notify, selectors
from twofactor.factors.totp import flows
from twofactor.forms import CodeAndPasswordForm, password_kwargs
from twofactor.models import Kind
from twofactor.panel import (
    HtmxHttpRequest,
    done,
    panel_context,
    panel_step,
    recovery_offer,
    remove_second_factor,
    render_panel,
)

CARD = Kind.TOTP


def _qr_svg(uri: str) -> str:
    # Made here, as SVG markup with no style attribute (the CSP forbids inline
    # style) and a white background, so it scans in dark mode too.
    return segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=_("QR code for your authenticator app")
    )


def _grouped(secret: str) -> str:
    """ "ABCD EFGH …": easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _setup_step(request: HtmxHttpRequest, *, secret: str, **extra) -> HttpResponse:
    uri = flows.provisioning_uri(request=request, secret=secret)
    return panel_step(
        request,
        active=CARD,
        step="setup",
        field="code",
        # SECURITY: the QR code and the secret appear on this page only, while
        # the app is being set up; never again afterwards.
        totp_qr=mark_safe(_qr_svg(uri)),  # noqa: S308 - segno's own SVG, no user input
        totp_secret=_grouped(secret),
        **extra,
    )


def _form(request: HtmxHttpRequest, data=None) -> CodeAndPasswordForm:
    # SECURITY: with two-factor already on, adding or replacing the app needs
    # the password too, like changing the number.
    if selectors.is_enabled(request.user):
        return CodeAndPasswordForm(data, **password_kwargs(request))
    return CodeAndPasswordForm(data)


@signed_in_required
@confirm_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("code", "password")
def setup(request: HtmxHttpRequest) -> HttpResponse:
    """GET: a new secret and its QR code. POST: the app's first code."""
    if request.method == "POST":
        secret = flows.pending_secret(request)
        if secret is None:
            secret = flows.start_setup(request=request)
            return _setup_step(request, secret=secret, form=_form(request), status=422)
        form = _form(request, request.POST)
        if not form.is_valid():
            return _setup_step(request, secret=secret, form=form, status=422)
        outcome = flows.confirm_setup(request=request, code=form.cleaned_data["code"])
        if outcome.ok:
            if selectors.confirmed_factor(request.user, Kind.RECOVERY) is None:
                # Offered as soon as two-factor is on (the recovery card's button).
                return done(request, f"{outcome.message} {recovery_offer()}")
            return done(request, outcome.message)
        return _setup_step(request, secret=secret, form=_form(request), outcome=outcome)
    secret = flows.start_setup(request=request)
    return _setup_step(request, secret=secret, form=_form(request))


@signed_in_required
@vary_on_headers("HX-Request")
@require_POST
def cancel(request: HtmxHttpRequest) -> HttpResponse:
    flows.cancel_setup(request=request)
    if request.htmx:
        return render_panel(request, panel_context(request))
    return redirect("profile", username=request.user.username)


@signed_in_required
@confirm_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("password")
def remove(request: HtmxHttpRequest) -> HttpResponse:
    """Remove the app while another second factor stays (else: turn off)."""
    return remove_second_factor(
        request,
        kind=CARD,
        event=notify.Event.APP_REMOVED,
        removed=_("Your authenticator app is removed. Codes now go to your phone."),
        missing=_("There is no authenticator app to remove."),
    )
