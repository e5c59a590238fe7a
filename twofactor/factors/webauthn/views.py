"""The passkey card's steps on the profile (add: the name and password, then
the browser makes the passkey; rename; remove: the password), and the JSON
endpoints `static/js/passkeys.js` fetches options from and posts answers to,
for adding a passkey, for signing in with one on the code page, and for
signing in without a password from the sign-in page.

The JSON endpoints answer a failed step with `{"message": ...}` and the
failure's status (422 for a refused answer), never a 500.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.reauth import confirm_required
from core.decorators import second_factor_exempt, signed_in_required
from core.responses import redirect_to
from twofactor import selectors, session
from twofactor.factors.webauthn import credentials, flows
from twofactor.factors.webauthn.forms import AddPasskeyForm, PasskeyNameForm
from twofactor.forms import PasswordForm, password_kwargs
from twofactor.models import Kind
from twofactor.outcomes import Outcome
from twofactor.panel import (
    HtmxHttpRequest,
    done,
    panel_context,
    panel_step,
    render_panel,
    status_for,
)
from twofactor.views import safe_next

CARD = Kind.WEBAUTHN


def _json_failure(outcome: Outcome) -> JsonResponse:
    return JsonResponse({"message": outcome.message}, status=status_for(outcome))


def _bad_answer() -> JsonResponse:
    return JsonResponse({"message": _("That wasn't a passkey's answer. Try again.")}, status=422)


def _answered(request: HtmxHttpRequest, check: Callable[..., Outcome]) -> JsonResponse:
    """A sign-in answer (the second factor, or without a password) checked by
    `check`: the next page on success, else the failure's message and status."""
    answer = flows.parse_answer(request.body)
    if answer is None:
        return _bad_answer()
    outcome = check(request=request, answer=answer)
    if not outcome.ok:
        return _json_failure(outcome)
    return JsonResponse({"message": outcome.message, "redirect": safe_next(request)})


def _options(options_json: str | None, missing: str, *, status: int = 422) -> HttpResponse:
    if options_json is None:
        return JsonResponse({"message": missing}, status=status)
    # Already JSON (py_webauthn's options_to_json, binary fields base64url).
    return HttpResponse(options_json, content_type="application/json")


# The profile card


@signed_in_required
@confirm_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("password")
def add(request: HtmxHttpRequest) -> HttpResponse:
    """GET: the name and the password. POST (right): the button that makes the passkey."""
    if request.method == "POST":
        form = AddPasskeyForm(request.POST, **password_kwargs(request))
        if not form.is_valid():
            return panel_step(
                request, active=CARD, step="add", form=form, field="password", status=422
            )
        flows.start_adding(request=request, name=form.cleaned_data["name"])
        return panel_step(
            request, active=CARD, step="register", passkey_name=form.cleaned_data["name"]
        )
    return panel_step(
        request, active=CARD, step="add", form=AddPasskeyForm(**password_kwargs(request))
    )


@signed_in_required
@vary_on_headers("HX-Request")
@require_POST
def cancel(request: HtmxHttpRequest) -> HttpResponse:
    flows.cancel_adding(request=request)
    if request.htmx:
        return render_panel(request, panel_context(request))
    return redirect("profile", username=request.user.username)


@signed_in_required
@require_POST
@never_cache
def register_options(request: HtmxHttpRequest) -> HttpResponse:
    return _options(
        flows.registration_options(request=request),
        _("Adding the passkey took too long. Enter your password again."),
    )


@signed_in_required
@require_POST
@never_cache
def register(request: HtmxHttpRequest) -> JsonResponse:
    answer = flows.parse_answer(request.body)
    if answer is None:
        return _bad_answer()
    outcome = flows.finish_adding(request=request, answer=answer)
    if not outcome.ok:
        return _json_failure(outcome)
    messages.success(request, outcome.message)
    return JsonResponse(
        {"message": outcome.message, "redirect": resolve_url("profile", request.user.username)}
    )


@signed_in_required
@confirm_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@sensitive_post_parameters("password")
def remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Remove one passkey (the password first) while another second factor stays."""
    factor = next((row for row in credentials.passkey_rows(request.user) if row.pk == pk), None)
    if factor is None:
        return done(request, _("There is no such passkey to remove."))
    if len(selectors.second_factors(selectors.confirmed_factors(request.user))) < 2:
        return redirect_to(request, resolve_url("twofactor:disable"))
    name = factor.data.get("name", "")
    if request.method == "POST":
        form = PasswordForm(request.POST, **password_kwargs(request))
        if not form.is_valid():
            return panel_step(
                request,
                active=CARD,
                step="remove",
                form=form,
                field="password",
                removing=factor,
                status=422,
            )
        flows.remove(request=request, factor=factor)
        return done(request, _("Your passkey “%(name)s” is removed.") % {"name": name})
    return panel_step(
        request,
        active=CARD,
        step="remove",
        form=PasswordForm(**password_kwargs(request)),
        removing=factor,
    )


@signed_in_required
@require_http_methods(["GET", "POST"])
@never_cache
@vary_on_headers("HX-Request")
def rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A new name for one passkey (no password: a name changes nothing it can do)."""
    factor = next((row for row in credentials.passkey_rows(request.user) if row.pk == pk), None)
    if factor is None:
        return done(request, _("There is no such passkey to rename."))
    if request.method == "POST":
        form = PasskeyNameForm(request.POST)
        if not form.is_valid():
            return panel_step(
                request,
                active=CARD,
                step="rename",
                form=form,
                field="name",
                renaming=factor,
                status=422,
            )
        name = form.cleaned_data["name"]
        if not flows.rename(request=request, factor=factor, name=name):
            return done(request, _("There is no such passkey to rename."))
        return done(request, _("Your passkey is now called “%(name)s”.") % {"name": name})
    form = PasskeyNameForm(initial={"name": factor.data.get("name", "")})
    return panel_step(request, active=CARD, step="rename", form=form, renaming=factor)


# The code page of a half-signed-in session


def _half_signed_in(request: HtmxHttpRequest) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return JsonResponse({"message": _("Sign in again.")}, status=403)
    if not session.awaiting_code(request):
        return _signed_in_already(request)
    return None


def _signed_in_already(request: HtmxHttpRequest) -> JsonResponse:
    return JsonResponse({"message": _("You're already signed in."), "redirect": safe_next(request)})


@second_factor_exempt
@require_POST
@never_cache
def verify_options(request: HtmxHttpRequest) -> HttpResponse:
    if stop := _half_signed_in(request):
        return stop
    return _options(
        flows.authentication_options(request=request),
        _("There is no passkey on your account. Use another way to sign in."),
    )


@second_factor_exempt
@require_POST
@never_cache
def verify(request: HtmxHttpRequest) -> JsonResponse:
    if stop := _half_signed_in(request):
        return stop
    return _answered(request, flows.check_sign_in)


# Signing in without a password, from the sign-in page


def _already_signed_in(request: HtmxHttpRequest) -> JsonResponse | None:
    return _signed_in_already(request) if request.user.is_authenticated else None


@second_factor_exempt
@require_POST
@never_cache
def sign_in_options(request: HtmxHttpRequest) -> HttpResponse:
    if stop := _already_signed_in(request):
        return stop
    return _options(
        flows.passwordless_options(request=request),
        _("Signing in with a passkey is turned off on this site."),
        status=404,
    )


@second_factor_exempt
@require_POST
@never_cache
def sign_in(request: HtmxHttpRequest) -> JsonResponse:
    if stop := _already_signed_in(request):
        return stop
    return _answered(request, flows.sign_in_without_password)
