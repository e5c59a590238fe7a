import logging
import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.exceptions import SessionInterrupted
from django.core.mail import mailers
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import CreateView, UpdateView

from accounts import (
    active_sessions,
    background,
    notify,
    registration,
    security,
    session_limits,
    throttles,
)
from accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    RegistrationForm,
    SetPasswordForm,
)
from accounts.models import User
from accounts.typing import SignedInRequest
from core.decorators import second_factor_exempt
from core.phrases import until_phrase

logger = logging.getLogger("accounts")


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "index.html")


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class RegisterView(CreateView):
    form_class = RegistrationForm
    template_name = "accounts/register.html"
    success_url = reverse_lazy("register_done")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("index")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        decision = registration.take_slot(self.request)
        if not decision.allowed:
            form.add_error(
                None,
                _("Too many registrations from your network. Try again %(when)s.")
                % {"when": until_phrase(decision.retry_at)},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # A new address gets its account and a link; a taken one, a note to its
        # owner. The next page is the same for both (accounts/registration.py).
        self.object = registration.register(request=self.request, form=form)
        return HttpResponseRedirect(self.success_url)


class ProjectSiteNameMixin:
    """Django's LoginView and LogoutView put the request's host ("127.0.0.1:8000")
    in `site_name` when contrib.sites is not installed, over the context
    processor's SITE_NAME: put the project's name back."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["site_name"] = settings.SITE_NAME
        return context


class LoginView(ProjectSiteNameMixin, auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # Unchecked: the cookie ends when the browser closes and the server ends
        # the session after ACCOUNTS_SESSION_IDLE_TIMEOUT / _MAX_AGE (the sign-in
        # receiver set that up). Checked: the password step lasts SESSION_COOKIE_AGE.
        if form.cleaned_data.get("remember_me"):
            session_limits.remember(self.request)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refused is not None:
            response.status_code = 429  # too many failed sign-ins; the form says until when
        return response


# Signing out must work for a session that is still on the code page.
@method_decorator(second_factor_exempt, name="dispatch")
class LogoutView(ProjectSiteNameMixin, auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, _("You have been signed out."))
            # SECURITY: the browser drops what it cached or stored for the site
            # while signed in (the session cookie is already gone).
            response.headers["Clear-Site-Data"] = session_limits.CLEAR_SITE_DATA
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        security.record(request=self.request, user=form.user, kind=security.Kind.PASSWORD_CHANGED)
        notify.password_changed(user=form.user, change=notify.Change.PASSWORD_CHANGED)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    # A property, so it is read when the email is sent.
    @property
    def extra_email_context(self) -> dict:  # type: ignore[override]
        # Read when the email is sent, not at import: Django would otherwise name
        # the site after the request's host (there is no contrib.sites).
        return {"site_name": settings.SITE_NAME}

    def form_valid(self, form):
        # Django logs a failed send and shows "check your email" anyway. Probe the
        # mail server first, for every address (known or not), so an outage gets a
        # clear answer without telling who has an account.
        try:
            with mailers.default:
                pass
        except (OSError, smtplib.SMTPException) as exc:
            logger.error("password reset: the mail server is unavailable (%s)", type(exc).__name__)
            form.add_error(
                None,
                _("We can't send email right now. Please try again in a few minutes."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=503)
        # SECURITY: the lookup of the address, the token and the send all happen
        # after the response, so a known address is answered exactly as fast as
        # an unknown one (ASVS 6.3.8 / NIST 800-63B-4 enumeration).
        options = {
            "domain_override": self.request.get_host(),
            "use_https": self.request.is_secure(),
            "token_generator": self.token_generator,
            "from_email": self.from_email,
            "email_template_name": self.email_template_name,
            "subject_template_name": self.subject_template_name,
            "html_email_template_name": self.html_email_template_name,
            "extra_email_context": self.extra_email_context,
        }
        request = self.request

        def send() -> None:
            for user in form.get_users(form.cleaned_data["email"]):
                security.record(
                    request=request, user=user, kind=security.Kind.PASSWORD_RESET_REQUESTED
                )
            form.save(**options)

        # FormView's redirect, not Django's PasswordResetView (which sends inline).
        return background.run_after_response(
            HttpResponseRedirect(self.get_success_url()), send, name="password-reset-email"
        )


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        # SECURITY: whoever holds the emailed link is the owner: the failed
        # sign-in lockout no longer stands between them and their account.
        throttles.lift_for_account(form.user)
        # The emailed link proves the address is theirs, as the registration link does.
        if not form.user.email_confirmed:
            registration.confirm(user=form.user)
        security.record(request=self.request, user=form.user, kind=security.Kind.PASSWORD_RESET)
        notify.password_changed(user=form.user, change=notify.Change.PASSWORD_RESET)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def profile(request: SignedInRequest, username: str) -> HttpResponse:
    # Your own page: the user this request already loaded, not the same row again.
    if username == request.user.username:
        profile_user = request.user
    else:
        profile_user = get_object_or_404(User, username=username)
    is_own = profile_user.pk == request.user.pk
    # Your own page carries the two-factor panel ({% twofactor_panel %}) and
    # your recent security activity.
    context = {"profile_user": profile_user, "is_own": is_own}
    if is_own:
        context["security_events"] = security.recent_for(profile_user)
        context["active_sessions"] = active_sessions.for_user(request)
    return render(request, "accounts/profile.html", context)


@method_decorator(login_required, name="dispatch")
class EditProfileView(UpdateView):
    form_class = ProfileForm
    template_name = "accounts/edit_profile.html"
    # Not "user" (UpdateView's default for this model): that would hide the
    # signed-in user from the templates.
    context_object_name = "profile_user"

    def get_object(self, queryset=None):
        # Only ever your own profile: there is no user id in the URL to change.
        # A separate copy, because the form writes its values into the instance
        # even when it is invalid: request.user must keep the saved username for
        # the navbar and the Cancel link.
        return User.objects.get(pk=self.request.user.pk)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your changes have been saved."))
        return response

    def get_success_url(self) -> str:
        return reverse("profile", kwargs={"username": self.object.username})


# Error pages in the site's look.


@requires_csrf_token
def bad_request(request, exception=None):
    if isinstance(exception, SessionInterrupted):
        # The session was ended by another request while this one ran (signed
        # out in another tab, a password change elsewhere): say so, not "bad request",
        # and show the navbar of someone signed out, which they now are.
        request.user = AnonymousUser()
        return render(request, "errors/session_ended.html", status=400)
    return render(request, "errors/400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No context processors, no database: the 500 page must render whatever broke.
    template = loader.get_template("errors/500.html")
    return HttpResponse(template.render({"site_name": settings.SITE_NAME}), status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)
