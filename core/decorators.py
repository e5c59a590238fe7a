"""View decorators both apps use.

`second_factor_exempt` only sets an attribute, like Django's
`login_not_required`; the two-factor gate (twofactor/middleware.py) reads it.
Keeping it here lets `accounts` mark its sign-out view without importing
`twofactor`.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import resolve_url

from core.responses import redirect_to

EXEMPT_ATTRIBUTE = "second_factor_exempt"


def second_factor_exempt(view_func: Callable) -> Callable:
    """Let a half-signed-in session reach this view (the code page, resend,
    cancel, sign out)."""
    setattr(view_func, EXEMPT_ATTRIBUTE, True)
    return view_func


def is_second_factor_exempt(view_func: Callable) -> bool:
    return getattr(view_func, EXEMPT_ATTRIBUTE, False)


def signed_in_required(view_func: Callable) -> Callable:
    """`login_required` that answers an htmx request with HX-Redirect: a session
    that ended meanwhile (signed out elsewhere, reset by staff) must not get the
    sign-in page swapped into a panel as a fragment."""
    plain = login_required(view_func)

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and getattr(request, "htmx", False):
            return redirect_to(request, resolve_url("login"))
        return plain(request, *args, **kwargs)

    return wrapper
