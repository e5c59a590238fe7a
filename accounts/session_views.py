"""Signing out another of your sessions, or all the others, from the profile's
list (accounts/active_sessions.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import active_sessions
from accounts.typing import SignedInRequest


def _to_profile(request: HttpRequest) -> HttpResponse:
    return redirect("profile", username=request.user.username)


@login_required
@require_POST
def sign_out_session(request: SignedInRequest, pk: int) -> HttpResponse:
    if not active_sessions.sign_out(request=request, pk=pk):
        raise Http404  # not one of your other sessions
    messages.success(request, _("That session is signed out."))
    return _to_profile(request)


@login_required
@require_POST
def sign_out_others(request: SignedInRequest) -> HttpResponse:
    count = active_sessions.sign_out_others(request=request)
    messages.success(
        request,
        ngettext(
            "You are signed out everywhere else (%(count)d other session).",
            "You are signed out everywhere else (%(count)d other sessions).",
            count,
        )
        % {"count": count},
    )
    return _to_profile(request)
