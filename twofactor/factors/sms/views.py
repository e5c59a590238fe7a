"""The phone's pages: "Resend code" / "Call me instead" on the code page, and
the profile card's steps (add or change the number, confirm it, remove it)."""

from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.reauth import confirm_required
from core.decorators import second_factor_exempt, signed_in_required
from core.responses import redirect_to
from twofactor import notify, selectors, session
from twofactor.factors.sms import flows as sms_flows
from twofactor.factors.sms.backends import Channel
from twofactor.factors.sms.forms import PhoneForm
from twofactor.forms import CodeForm, password_kwargs
from twofactor.models import Kind
from twofactor.panel import (
    HtmxHttpRequest,
    done,
    panel_context,
    panel_step,
    recovery_offer,
    remove_second_factor,
    render_panel,
    status_for,
)
from twofactor.views import render_verify, safe_next, verify_context

CARD = Kind.SMS


def _channel(request: HtmxHttpRequest) -> Channel:
    return Channel.CALL if request.POST.get("channel") == Channel.CALL else Channel.SMS


@second_factor_exempt
@never_cache
@vary_on_headers("HX-Request")
@require_POST
def verify_resend(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to(request, resolve_url("login"))
    if not session.awaiting_code(request):
        return redirect_to(request, safe_next(request))
    factor = selectors.phone(request.user)
    if factor is None:
        return redirect_to(request, resolve_url("twofactor:verify"))
    outcome = sms_flows.send_login_code(request=request, channel=_channel(request), factor=factor)
    return render_verify(
        request, verify_context(request, factor=factor, outcome=outcome), status_for(outcome)
    )


def _phone_form(request: HtmxHttpRequest, data=None) -> PhoneForm:
    """With two-factor already on (a phone, an app or a passkey), adding or
    changing a number also asks for the password."""
    # SECURITY: else a stolen session could add its own phone beside the
    # owner's app and keep passing the code with it.
    if not selectors.is_enabled(request.user):
        return PhoneForm(data)
    return PhoneForm(data, **password_kwargs(request))


def _step(request: HtmxHttpRequest, step: str, **extra) -> HttpResponse:
    field = "number" if step == "phone" else "code" if step == "code" else "password"
    return panel_step(request, active=CARD, step=step, field=field, **extra)


@signed_in_required
@confirm_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("password")
def enable(request: HtmxHttpRequest) -> HttpResponse:
    """Step 1: the phone form; a valid number gets a code."""
    if request.method == "POST":
        form = _phone_form(request, request.POST)
        if not form.is_valid():
            return _step(request, "phone", form=form, status=422)
        outcome = sms_flows.start_enrolment(
            request=request,
            number=form.cleaned_data["e164"],
            channel=form.cleaned_data["channel"],
        )
        if outcome.ok:
            return _step(request, "code", form=CodeForm(), outcome=outcome)
        # Not sent: the number stays in the form with the reason.
        return _step(request, "phone", form=form, outcome=outcome)
    sms_flows.cancel_enrolment(request=request)
    return _step(request, "phone", form=_phone_form(request))


@signed_in_required
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("code")
@require_POST
def enable_confirm(request: HtmxHttpRequest) -> HttpResponse:
    """Step 2: the code sent to the new number."""
    if sms_flows.pending_enrolment(request) is None:
        return _step(request, "phone", form=_phone_form(request))
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _step(request, "code", form=form, status=422)
    outcome = sms_flows.confirm_enrolment(request=request, code=form.cleaned_data["code"])
    if outcome.ok:
        if selectors.confirmed_factor(request.user, Kind.RECOVERY) is None:
            # Offered as soon as two-factor is on (the recovery card's button).
            return done(request, f"{outcome.message} {recovery_offer()}")
        return done(request, outcome.message)
    if outcome.clear_code:
        form = CodeForm()
    return _step(request, "code", form=form, outcome=outcome)


@signed_in_required
@never_cache
@vary_on_headers("HX-Request")
@require_POST
def enable_resend(request: HtmxHttpRequest) -> HttpResponse:
    outcome = sms_flows.resend_enrolment(request=request, channel=_channel(request))
    if sms_flows.pending_enrolment(request):
        return _step(request, "code", form=CodeForm(), outcome=outcome)
    return _step(request, "phone", form=_phone_form(request), outcome=outcome)


@signed_in_required
@vary_on_headers("HX-Request")
@require_POST
def enable_cancel(request: HtmxHttpRequest) -> HttpResponse:
    sms_flows.cancel_enrolment(request=request)
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
    """Remove the phone while another second factor stays (else: turn off)."""
    return remove_second_factor(
        request,
        kind=CARD,
        event=notify.Event.PHONE_REMOVED,
        removed=_("Your phone is removed. Codes now come from your app."),
        missing=_("There is no phone to remove."),
    )
