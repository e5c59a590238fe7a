"""Re-authentication before a sensitive change (ASVS 5.0 V7.5, NIST 800-63B-4
§2.2.3): turning two-factor off, adding, changing or removing a factor, and
changing the email address need the password entered within
ACCOUNTS_REAUTH_WINDOW (5 minutes) and, with two-factor on, a code passed
within it too.

- The code: `confirm_required` sends a user with two-factor on whose last code
  is older than the window to the confirmation page (ACCOUNTS_REAUTH_URL,
  provided by the two-factor app: the password, then a code) and back to where
  they were. It learns whether a code is due from `request.second_factor_recent`,
  set by the two-factor middleware, so this app imports nothing of that one.
- The password: each change's form asks for it, unless it was entered on the
  confirmation page within the window (`password_recent`), so nobody types it
  twice in a row. With two-factor off (the first factor is being added, or the
  email changed), the session must have signed in or confirmed the password
  within the window (`identity_recent`), else the confirmation page asks for it.
"""

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import session_limits
from accounts.conf import app_settings
from core.responses import redirect_to

PASSWORD_AT = "accounts_reauth_password_at"


def mark_password(request: HttpRequest) -> None:
    """The password was just entered on the confirmation page."""
    request.session[PASSWORD_AT] = timezone.now().isoformat()


def password_recent(request: HttpRequest) -> bool:
    value = request.session.get(PASSWORD_AT)
    if not value:
        return False
    try:
        at = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return timezone.now() - at <= app_settings.REAUTH_WINDOW


def identity_recent(request: HttpRequest) -> bool:
    """The user proved who they are within the window: signed in (with the
    password or a passkey) or confirmed the password on the confirmation page."""
    if password_recent(request):
        return True
    signed_in = session_limits.signed_in_at(request)
    return signed_in is not None and timezone.now() - signed_in <= app_settings.REAUTH_WINDOW


def second_factor_recent(request: HttpRequest) -> bool:
    """A code passed within the window, or no second factor to pass."""
    recent = getattr(request, "second_factor_recent", None)
    return bool(recent()) if recent is not None else True


def _safe(request: HttpRequest, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def return_to(request: HttpRequest) -> str:
    """Where the user was: the page an htmx request came from, a page asked for
    with GET, else the page a form was posted from (a POST can't be replayed)."""
    if getattr(request, "htmx", False):
        came_from = _safe(request, request.headers.get("HX-Current-URL"))
        if came_from:
            return came_from
    if request.method == "GET":
        return request.get_full_path()
    return _safe(request, request.headers.get("Referer")) or resolve_url("index")


def confirmation_url(request: HttpRequest) -> str:
    return f"{resolve_url(app_settings.REAUTH_URL)}?{urlencode({'next': return_to(request)})}"


def confirm_required(view_func: Callable) -> Callable:
    """A sensitive change: with two-factor on, a code within the window first;
    with it off, a sign-in or the password within the window."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        # SECURITY: a session signed in long ago (or stolen) can't make the change
        # without passing a code again, or (two-factor off: the first factor is
        # being added) without the password again.
        if request.user.is_authenticated and not (
            second_factor_recent(request) and (two_factor_on(request) or identity_recent(request))
        ):
            return redirect_to(request, confirmation_url(request))
        return view_func(request, *args, **kwargs)

    return wrapper


def two_factor_on(request: HttpRequest) -> bool:
    """From the two-factor middleware, like `second_factor_recent`."""
    on = getattr(request, "second_factor_on", None)
    return bool(on()) if on is not None else False
