from collections.abc import Callable


def twofactor_exempt(view_func: Callable) -> Callable:
    """Let a half-signed-in session reach this view (the code page, resend,
    cancel, sign out). Like Django's `login_not_required`, it only sets an
    attribute that the middleware reads."""
    view_func.twofactor_exempt = True
    return view_func
