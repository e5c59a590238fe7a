"""The gate: a session whose user has two-factor on reaches nothing but the
code page (and the few views marked `second_factor_exempt`) until it has passed a
code *in this session*.

It decides from a positive mark in the session (`session.PASSED`, naming the
fingerprint of the user's current factors), not from anything the login view
sets, so it holds however the session was signed in: the login page, the
admin's login, anything added later.

A browser the user trusted (twofactor/trust.py) passes at once, without a
code. A staff user with two-factor off gets no admin page while
`TWOFACTOR_REQUIRED_FOR_STAFF` is on (twofactor/staff.py).
"""

import logging
from functools import partial
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from core.decorators import is_second_factor_exempt
from core.responses import redirect_to
from twofactor import flows, session, staff, trust
from twofactor.typing import SignedInRequest

logger = logging.getLogger("twofactor")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        # For code that must not import this app (core/request.py): asked
        # lazily, so a request that never wants to know costs no query.
        setattr(request, "second_factor_pending", partial(session.needs_code, request))  # noqa: B010
        setattr(request, "second_factor_recent", partial(session.code_recent, request))  # noqa: B010
        setattr(request, "second_factor_on", partial(session.is_on, request))  # noqa: B010
        response = self.get_response(request)
        trust.drop_if_dead(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        fingerprint = session.current_fingerprint(request)
        if fingerprint is None:
            return staff.refuse_admin_without_factor(request)
        if session.has_passed(request, fingerprint):
            return None
        # SECURITY: from here on the session is half signed in.
        session.ensure_pending(request)
        if session.pending_expired(request):
            logger.info("twofactor pending sign-in expired for user %s", user.pk)
            logout(request)
            messages.warning(
                request, _("Signing in took too long, so we stopped it. Please sign in again.")
            )
            return redirect_to(request, resolve_url("login"))
        # Right after the password step: a browser the user trusted needs no code.
        signed_in = cast(SignedInRequest, request)  # the user is authenticated (above)
        if browser := trust.trusted_browser(signed_in):
            flows.finish_trusted_sign_in(request=signed_in, browser=browser)
            return None
        if is_second_factor_exempt(view_func):
            return None
        target = reverse("twofactor:verify")
        next_url = request.get_full_path()
        if request.method == "GET" and not getattr(request, "htmx", False):
            target = f"{target}?{urlencode({'next': next_url})}"
        return redirect_to(request, target)
