"""Pages for an account's email address: "check your email" after
registration, the registration link, changing the address and its link.
The rules are in accounts/registration.py and accounts/email_change.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import email_change, email_links, reauth, registration
from accounts.forms import EmailChangeForm
from accounts.reauth import confirm_required
from accounts.typing import SignedInRequest
from core.client import client_ip


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the registration email. A GET shows a button and changes
    nothing (mail scanners open links); the POST confirms."""
    link = email_links.read(token, purpose=email_links.Purpose.CONFIRM)
    if link is None:
        return render(request, "accounts/email_link_invalid.html", status=400)
    if request.method == "POST":
        registration.confirm(user=link.user)
        messages.success(request, _("Your email address is confirmed. You can sign in now."))
        return redirect("login")
    return render(request, "accounts/confirm_email.html", {"link_email": link.email})


@login_required
@confirm_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def email_change_view(request: SignedInRequest) -> HttpResponse:
    form = EmailChangeForm(
        request.POST or None,
        user=request.user,
        ip=client_ip(request),
        password_confirmed=reauth.password_recent(request),
    )
    if request.method == "POST":
        if form.is_valid():
            new_email = form.cleaned_data["email"]
            email_change.request_change(request=request, user=request.user, new_email=new_email)
            # The same words whether the address is free or has an account.
            messages.info(
                request,
                _(
                    "We've sent a link to %(email)s. Your address changes when you open it; "
                    "until then it stays %(current)s."
                )
                % {"email": new_email, "current": request.user.email},
            )
            return redirect("profile", username=request.user.username)
        return render(request, "accounts/email_change.html", {"form": form}, status=422)
    return render(request, "accounts/email_change.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to the new address: a button (GET), the change (POST)."""
    link = email_links.read(token, purpose=email_links.Purpose.CHANGE)
    if link is None:
        return render(request, "accounts/email_link_invalid.html", status=400)
    if request.method == "POST":
        if email_change.confirm_change(request=request, link=link):
            messages.success(
                request, _("Your email address is now %(email)s.") % {"email": link.email}
            )
        else:
            messages.error(request, _("That address can't be used any more. Nothing changed."))
        if request.user.is_authenticated:
            return redirect("profile", username=request.user.username)
        return redirect("login")
    return render(request, "accounts/email_change_confirm.html", {"link_email": link.email})
