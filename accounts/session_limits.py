"""Session lifetimes enforced on the server, whatever the cookie says.

A session that was not remembered ends after `ACCOUNTS_SESSION_IDLE_TIMEOUT`
without a request and `ACCOUNTS_SESSION_MAX_AGE` after its sign-in (NIST
800-63B-4 AAL2: one hour idle, 24 hours in all). "Remember me" keeps the
password step for `SESSION_COOKIE_AGE`; that the *code* is asked again after
24 hours belongs to two-factor's session mark (`idle_before_request` below
is what it can read for the idle part).

The times live in the session itself, set on every sign-in by any path (the
`user_logged_in` receiver), so they hold for the admin's sign-in and tests'
`force_login` too. The last activity is written at most once a minute, not
on every request: the idle limit is that precise.
"""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.conf import app_settings
from core.responses import redirect_to

SIGNED_IN_AT = "accounts_signed_in_at"
ACTIVE_AT = "accounts_active_at"
REMEMBERED = "accounts_remembered"

# What signing out asks the browser to forget (also accounts.views.LogoutView).
CLEAR_SITE_DATA = '"cache", "storage"'

# The last activity is saved at most this often (a session write each time).
ACTIVITY_RESOLUTION = timedelta(minutes=1)


def start(request: HttpRequest) -> None:
    """A fresh sign-in: not remembered (the cookie ends with the browser)
    until `remember` says otherwise."""
    now = timezone.now().isoformat()
    request.session[SIGNED_IN_AT] = now
    request.session[ACTIVE_AT] = now
    request.session[REMEMBERED] = False
    request.session.set_expiry(0)


def remember(request: HttpRequest) -> None:
    """ "Remember me": the password step lasts SESSION_COOKIE_AGE, across browser restarts."""
    request.session[REMEMBERED] = True
    request.session.set_expiry(int(app_settings.REMEMBERED_MAX_AGE.total_seconds()))


@receiver(user_logged_in, dispatch_uid="accounts.session_limits.start")
def _start_on_login(sender, request, user, **kwargs):
    # SECURITY: every sign-in, by any path, starts its clocks.
    if request is not None and hasattr(request, "session"):
        start(request)


def _read(request: HttpRequest, key: str) -> datetime | None:
    value = request.session.get(key)
    return parse_datetime(value) if isinstance(value, str) else None


def signed_in_at(request: HttpRequest) -> datetime | None:
    return _read(request, SIGNED_IN_AT)


def idle_before_request(request: HttpRequest) -> timedelta:
    """How long the session had been idle when this request came (zero
    outside a signed-in request). Read by two-factor's session mark."""
    return getattr(request, "_accounts_idle", timedelta(0))


def second_factor_due_again(request: HttpRequest, *, passed_at: datetime | None) -> bool:
    """Whether a session's second factor, passed at `passed_at`, must be asked
    again (NIST 800-63B-4 AAL2): ACCOUNTS_SESSION_MAX_AGE after it passed, or
    after ACCOUNTS_SESSION_IDLE_TIMEOUT without a request, whether or not the
    password step is remembered. An unknown time is due.

    For two-factor's session mark (`twofactor/session.py`) to call; the
    password step's own limits are enforced by the middleware below.
    """
    if passed_at is None:
        return True
    # SECURITY: the code's step has its own clock, shorter than "Remember me".
    if timezone.now() - passed_at > app_settings.SESSION_MAX_AGE:
        return True
    return idle_before_request(request) > app_settings.SESSION_IDLE_TIMEOUT


def expired_reason(request: HttpRequest, now: datetime) -> str | None:
    """Why this signed-in session must end now, or None."""
    started = signed_in_at(request)
    active = _read(request, ACTIVE_AT) or started
    if started is None or active is None:
        return None
    if request.session.get(REMEMBERED):
        if now - started > app_settings.REMEMBERED_MAX_AGE:
            return _("Your remembered sign-in has ended. Please sign in again.")
        return None
    if now - active > app_settings.SESSION_IDLE_TIMEOUT:
        return _("You were signed out after a while without activity. Please sign in again.")
    if now - started > app_settings.SESSION_MAX_AGE:
        return _("Your session has ended. Please sign in again.")
    return None


class SessionLimitsMiddleware:
    """Ends a signed-in session past its limits before any view sees it, and
    records its activity. After AuthenticationMiddleware, MessageMiddleware and
    HtmxMiddleware; before the two-factor gate."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = self._check(request)
            if ended is not None:
                return ended
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        now = timezone.now()
        if signed_in_at(request) is None:
            # Signed in before these limits existed: the clocks start now.
            start(request)
            return None
        reason = expired_reason(request, now)
        if reason is not None:
            # SECURITY: the server ends the session whatever the cookie's own
            # lifetime says (a browser may keep a "session" cookie for weeks).
            logout(request)
            messages.info(request, reason)
            response: HttpResponse
            if request.method == "GET" and not getattr(request, "htmx", False):
                response = redirect_to_login(request.get_full_path())
            else:
                response = redirect_to(request, resolve_url("login"))
            # As at sign-out: the browser drops what it kept of the session's pages.
            response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
            return response
        active = _read(request, ACTIVE_AT) or now
        setattr(request, "_accounts_idle", max(now - active, timedelta(0)))  # noqa: B010
        if now - active >= ACTIVITY_RESOLUTION:
            request.session[ACTIVE_AT] = now.isoformat()
        return None
