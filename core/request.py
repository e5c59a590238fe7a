"""What a request says about its sign-in, for code that must not import the
two-factor app (the last-seen middleware in `accounts`).

The two-factor middleware sets `request.second_factor_pending` (a callable,
so the lookup is made only when asked); without it, no second factor is due.
"""

from django.http import HttpRequest


def is_half_signed_in(request: HttpRequest) -> bool:
    """Signed in with the password but not (yet) with the second factor."""
    pending = getattr(request, "second_factor_pending", None)
    return bool(pending and pending())
