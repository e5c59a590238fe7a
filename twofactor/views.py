"""Thin views: parse the request, call a step in `flows`, render.

Every page works without JavaScript (full page loads); with htmx the same
views answer with the fragment (a partial of the same template) so it is
swapped in place. Fragments come from one source: `template.html#partial`.
"""

import math

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from core.client import client_ip
from core.decorators import second_factor_exempt, signed_in_required
from core.responses import redirect_to
from twofactor import flows, session, throttles
from twofactor.backends import Channel
from twofactor.forms import CodeForm, DisableForm, PhoneForm
from twofactor.models import PhoneDevice, mask_number


class HtmxHttpRequest(HttpRequest):
    """What django-htmx's middleware adds, for the type checker."""

    htmx: HtmxDetails


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url("index")


def _channel(request: HtmxHttpRequest) -> Channel:
    return Channel.CALL if request.POST.get("channel") == Channel.CALL else Channel.SMS


def _resend_wait(request: HtmxHttpRequest) -> int:
    # Rounded up, like the server's own messages: the countdown must never
    # reach 0 before resending is allowed.
    return math.ceil(throttles.cooldown_remaining(user_id=request.user.pk).total_seconds())


# The code page of a half-signed-in session


def _tie_outcome_to_field(form, field_name: str, outcome, status_id: str) -> None:
    """A failed step's message (shown above the form) describes the field, for
    screen readers, like a form error does."""
    if outcome is None or outcome.ok or not outcome.message or field_name not in form.fields:
        return
    form.fields[field_name].widget.attrs.update(
        {"aria-invalid": "true", "aria-describedby": status_id}
    )


def _verify_context(request: HtmxHttpRequest, *, form: CodeForm, outcome=None) -> dict:
    device = flows.login_device(request.user)
    _tie_outcome_to_field(form, "code", outcome, "code-status")
    return {
        "form": form,
        "outcome": outcome,
        "next": _safe_next(request),
        "masked_number": device.masked_number if device else "",
        "resend_wait": _resend_wait(request),
    }


def _render_verify(request: HtmxHttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = "twofactor/verify.html#code-form" if request.htmx else "twofactor/verify.html"
    return render(request, template, context, status=status)


@second_factor_exempt
@require_http_methods(["GET", "POST"])  # not HEAD: showing the page sends a code
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("code")
def verify(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to(request, resolve_url("login"))
    if not session.needs_code(request):
        return redirect_to(request, _safe_next(request))
    if request.method == "POST":
        form = CodeForm(request.POST)
        if not form.is_valid():
            return _render_verify(request, _verify_context(request, form=form), status=422)
        outcome = flows.check_login_code(request=request, code=form.cleaned_data["code"])
        if outcome.ok:
            return redirect_to(request, _safe_next(request))
        if outcome.clear_code:
            form = CodeForm()
        return _render_verify(
            request, _verify_context(request, form=form, outcome=outcome), outcome.http_status
        )
    outcome = flows.begin_login_challenge(request=request)
    return _render_verify(request, _verify_context(request, form=CodeForm(), outcome=outcome))


@second_factor_exempt
@never_cache
@vary_on_headers("HX-Request")
@require_POST
def verify_resend(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to(request, resolve_url("login"))
    if not session.needs_code(request):
        return redirect_to(request, _safe_next(request))
    outcome = flows.send_login_code(request=request, channel=_channel(request))
    return _render_verify(
        request, _verify_context(request, form=CodeForm(), outcome=outcome), outcome.http_status
    )


@second_factor_exempt
@require_POST
def verify_cancel(request: HtmxHttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("Signing in was cancelled."))
    return redirect_to(request, resolve_url("login"))


# The profile's two-factor panel


def panel_context(request: HtmxHttpRequest, **extra) -> dict:
    device = PhoneDevice.objects.confirmed().filter(user_id=request.user.pk).first()
    attempt = flows.pending_enrolment(request)
    context = {
        "device": device,
        "enrolment_number": mask_number(attempt["number"]) if attempt else "",
        "resend_wait": _resend_wait(request),
        "step": "on" if device else "off",
    }
    context.update(extra)
    form = context.get("form")
    if form is not None:
        field_name = "number" if context["step"] == "phone" else "code"
        _tie_outcome_to_field(form, field_name, context.get("outcome"), "panel-status")
    return context


def _render_panel(request: HtmxHttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = "twofactor/settings.html#panel" if request.htmx else "twofactor/settings.html"
    return render(request, template, context, status=status)


def _done(request: HtmxHttpRequest, message: str) -> HttpResponse:
    """A panel step finished: in place with htmx, else back to the profile."""
    if request.htmx:
        return _render_panel(request, panel_context(request, notice=message))
    messages.success(request, message)
    return redirect("profile", username=request.user.username)


@signed_in_required
@require_safe
@never_cache
@vary_on_headers("HX-Request")
def settings_page(request: HtmxHttpRequest) -> HttpResponse:
    return _render_panel(request, panel_context(request))


def _phone_form(request: HtmxHttpRequest, data=None) -> PhoneForm:
    """Changing an existing number also asks for the password."""
    has_device = PhoneDevice.objects.confirmed().filter(user_id=request.user.pk).exists()
    if not has_device:
        return PhoneForm(data)
    return PhoneForm(data, user=request.user, ip=client_ip(request))


@signed_in_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("password")
def enable(request: HtmxHttpRequest) -> HttpResponse:
    """Step 1: the phone form; a valid number gets a code."""
    if request.method == "POST":
        form = _phone_form(request, request.POST)
        if form.is_valid():
            outcome = flows.start_enrolment(
                request=request,
                number=form.cleaned_data["e164"],
                channel=form.cleaned_data["channel"],
            )
            if outcome.ok:
                return _render_panel(
                    request,
                    panel_context(request, step="code", form=CodeForm(), outcome=outcome),
                )
            # Not sent: the number stays in the form with the reason.
            return _render_panel(
                request,
                panel_context(request, step="phone", form=form, outcome=outcome),
                outcome.http_status,
            )
        return _render_panel(request, panel_context(request, step="phone", form=form), status=422)
    flows.cancel_enrolment(request=request)
    return _render_panel(request, panel_context(request, step="phone", form=_phone_form(request)))


@signed_in_required
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("code")
@require_POST
def enable_confirm(request: HtmxHttpRequest) -> HttpResponse:
    """Step 2: the code sent to the new number."""
    if flows.pending_enrolment(request) is None:
        return _render_panel(
            request, panel_context(request, step="phone", form=_phone_form(request))
        )
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _render_panel(request, panel_context(request, step="code", form=form), status=422)
    outcome = flows.confirm_enrolment(request=request, code=form.cleaned_data["code"])
    if outcome.ok:
        return _done(request, outcome.message)
    if outcome.clear_code:
        form = CodeForm()
    return _render_panel(
        request,
        panel_context(request, step="code", form=form, outcome=outcome),
        outcome.http_status,
    )


@signed_in_required
@never_cache
@vary_on_headers("HX-Request")
@require_POST
def enable_resend(request: HtmxHttpRequest) -> HttpResponse:
    outcome = flows.resend_enrolment(request=request, channel=_channel(request))
    step, form = (
        ("code", CodeForm())
        if flows.pending_enrolment(request)
        else ("phone", _phone_form(request))
    )
    return _render_panel(
        request,
        panel_context(request, step=step, form=form, outcome=outcome),
        outcome.http_status,
    )


@signed_in_required
@vary_on_headers("HX-Request")
@require_POST
def enable_cancel(request: HtmxHttpRequest) -> HttpResponse:
    flows.cancel_enrolment(request=request)
    if request.htmx:
        return _render_panel(request, panel_context(request))
    return redirect("profile", username=request.user.username)


@signed_in_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("password")
def disable(request: HtmxHttpRequest) -> HttpResponse:
    if not PhoneDevice.objects.filter(user_id=request.user.pk).exists():
        return _done(request, _("Two-factor authentication is already off."))
    if request.method == "POST":
        form = DisableForm(request.POST, user=request.user, ip=client_ip(request))
        if form.is_valid():
            flows.disable(request=request)
            return _done(request, _("Two-factor authentication is off."))
        return _render_panel(request, panel_context(request, step="disable", form=form), status=422)
    return _render_panel(
        request, panel_context(request, step="disable", form=DisableForm(user=request.user))
    )
