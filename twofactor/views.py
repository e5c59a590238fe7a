"""The pages every factor shares: the code page of a half-signed-in session
(also asked again, "confirm it's you", before a sensitive change), the
confirmation page that leads there, the profile's two-factor panel, turning
two-factor off and choosing the default factor. Each factor's own steps are
in its package's `views.py`.

Thin views: parse the request, call a step in `flows`, render. Every page works
without JavaScript (full page loads); with htmx the same views answer with the
fragment (a partial of the same template) so it is swapped in place.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts import reauth as account_reauth
from accounts.reauth import confirm_required
from core.client import client_ip
from core.decorators import second_factor_exempt, signed_in_required
from core.responses import redirect_to
from twofactor import factors, flows, selectors, session, trust
from twofactor.factors.base import FactorType
from twofactor.forms import CodeForm, PasswordForm, password_kwargs
from twofactor.models import Factor, Kind
from twofactor.outcomes import Failure, Outcome
from twofactor.panel import (
    HtmxHttpRequest,
    done,
    panel_context,
    panel_step,
    render_panel,
    resend_wait,
    status_for,
    tie_outcome_to_field,
)


def safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url("index")


# The code page of a half-signed-in session


def chosen_factor(request: HttpRequest) -> Factor | None:
    """The factor this code page asks for: the one picked ("Use my
    authenticator app"), if the user has it, else a passkey when they have one
    (it can't be phished), else their default."""
    mine = session.request_factors(request)
    picked = request.POST.get("factor") or request.GET.get("factor") or ""
    for factor in mine:
        if factor.kind == picked:
            return factor
    passkey = next((f for f in mine if f.kind == Kind.WEBAUTHN), None)
    return passkey or selectors.default_factor(mine)


def code_form(factor_type: FactorType | None, data=None) -> CodeForm:
    form_class = getattr(factor_type, "form_class", None) or CodeForm
    return form_class(data)


def verify_context(request: HtmxHttpRequest, *, factor: Factor, form=None, outcome=None) -> dict:
    factor_type = factors.get(factor.kind)
    form = form or code_form(factor_type)
    tie_outcome_to_field(form, "code", outcome, "code-status")
    # The rows the gate read: a step that fails changes no factor, and one
    # that succeeds leaves the page.
    mine = session.request_factors(request)
    # One link per kind (a user may have several passkeys).
    other_kinds = dict.fromkeys(other.kind for other in mine if other.kind != factor.kind)
    others = [{"kind": kind, "label": factors.get(kind).switch_label} for kind in other_kinds]
    reconfirm = not session.needs_code(request)
    return {
        "form": form,
        "outcome": outcome,
        "reconfirm": reconfirm,
        "next": safe_next(request),
        "factor": factor,
        "factor_type": factor_type,
        "others": others,
        "has_recovery": any(f.kind == Kind.RECOVERY for f in mine),
        "masked_number": factor.masked_number if factor.number else "",
        "resend_wait": resend_wait(request),
        # Trust is offered when signing in, not when confirming a change.
        **({} if reconfirm else trust.checkbox_context(request)),
    }


def render_verify(request: HtmxHttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = "twofactor/verify.html#code-form" if request.htmx else "twofactor/verify.html"
    return render(request, template, context, status=status)


@second_factor_exempt
@require_http_methods(["GET", "POST"])  # not HEAD: showing the page may send a code
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("code")
def verify(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to(request, resolve_url("login"))
    if not session.awaiting_code(request):
        return redirect_to(request, safe_next(request))
    signing_in = session.needs_code(request)
    factor = chosen_factor(request)
    if factor is None:  # 2FA turned off meanwhile: needs_code() said no above
        return redirect_to(request, safe_next(request))
    factor_type = factors.get(factor.kind)
    if request.method == "POST":
        form = code_form(factor_type, request.POST)
        if not form.is_valid():
            context = verify_context(request, factor=factor, form=form)
            return render_verify(request, context, status=422)
        outcome = flows.check_sign_in(
            request=request, kind=factor.kind, code=form.cleaned_data["code"]
        )
        if outcome.ok:
            response = redirect_to(request, safe_next(request))
            if signing_in and trust.requested(request):
                trust.remember(request, response)
            return response
        if outcome.clear_code:
            form = code_form(factor_type)
        context = verify_context(request, factor=factor, form=form, outcome=outcome)
        return render_verify(request, context, status_for(outcome))
    started: Outcome | None = flows.begin_challenge(request=request, kind=factor.kind)
    # The page still works (another factor, a resend later), but a first code
    # that couldn't go out (Twilio down, the site-wide cap) says so: 503.
    unavailable = started is not None and started.failure == Failure.UNAVAILABLE
    status = status_for(started) if unavailable else 200
    return render_verify(request, verify_context(request, factor=factor, outcome=started), status)


@second_factor_exempt
@require_POST
def verify_cancel(request: HtmxHttpRequest) -> HttpResponse:
    if request.user.is_authenticated and not session.needs_code(request):
        # Confirming a change, not signing in: nothing changes, the user stays.
        request.session.pop(session.RECONFIRM, None)
        for factor_type in factors.all_types():
            factor_type.abandon_challenge(request=request, why="confirmation cancelled")
        return redirect_to(request, safe_next(request))
    logout(request)
    messages.info(request, _("Signing in was cancelled."))
    return redirect_to(request, resolve_url("login"))


# Confirming it's the user before a sensitive change (accounts/reauth.py)


@signed_in_required
@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("password")
def reauth(request: HtmxHttpRequest) -> HttpResponse:
    """The password, then (two-factor on) a code on the code page; then back
    to where the user was. One small page, whatever the change."""
    next_url = safe_next(request)
    if request.method == "POST":
        form = PasswordForm(request.POST, user=request.user, ip=client_ip(request))
        if form.is_valid():
            account_reauth.mark_password(request)
            return _after_password(request, next_url)
        status = 429 if form.has_error("password", "too_many_failures") else 422
        context = {"form": form, "next": next_url}
        return render(request, "twofactor/reauth.html", context, status=status)
    if account_reauth.password_recent(request):
        return _after_password(request, next_url)
    context = {"form": PasswordForm(user=request.user), "next": next_url}
    return render(request, "twofactor/reauth.html", context)


def _after_password(request: HtmxHttpRequest, next_url: str) -> HttpResponse:
    if session.code_recent(request):
        return redirect_to(request, next_url)
    session.start_reconfirm(request)
    return redirect_to(
        request, f"{resolve_url('twofactor:verify')}?{urlencode({'next': next_url})}"
    )


# The profile's two-factor panel


@signed_in_required
@require_safe
@never_cache
@vary_on_headers("HX-Request")
def settings_page(request: HtmxHttpRequest) -> HttpResponse:
    return render_panel(request, panel_context(request))


@signed_in_required
@confirm_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("password")
def disable(request: HtmxHttpRequest) -> HttpResponse:
    """Turn two-factor off: every factor, the recovery codes and trusted browsers."""
    if not Factor.objects.of(request.user).exists():
        return done(request, _("Two-factor authentication is already off."))
    if request.method == "POST":
        form = PasswordForm(request.POST, **password_kwargs(request))
        if form.is_valid():
            flows.disable(request=request)
            return done(request, _("Two-factor authentication is off."))
        return panel_step(
            request, active="all", step="disable", form=form, field="password", status=422
        )
    form = PasswordForm(**password_kwargs(request))
    return panel_step(request, active="all", step="disable", form=form)


@signed_in_required
@never_cache
@vary_on_headers("HX-Request")
@require_POST
def set_default(request: HtmxHttpRequest) -> HttpResponse:
    kind = request.POST.get("factor", "")
    if not flows.set_default(request=request, kind=kind):
        return panel_step(request, active="", step="", status=422)
    label = factors.get(kind).default_label
    return done(request, _("We'll ask for %(factor)s first.") % {"factor": label})


# Trusted browsers (twofactor/trust.py)


@signed_in_required
@never_cache
@vary_on_headers("HX-Request")
@require_POST
def forget_trusted_browsers(request: HtmxHttpRequest) -> HttpResponse:
    """Every trusted browser of the user asks for a code again, this one too."""
    forgotten = trust.forget_all(request.user)
    response = done(request, trust.forgotten_message(forgotten))
    trust.forget_cookie(response)
    return response
