"""What a session knows about its second factor, in one place.

The gate trusts only a positive mark: `PASSED` holds the token of the device
whose code this session passed. A device that is changed gets a new token, so
the mark stops matching and the session must pass a code again.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from twofactor.conf import app_settings
from twofactor.models import PhoneDevice

PASSED = "twofactor_passed"
PENDING_SINCE = "twofactor_pending_since"
CHALLENGE = "twofactor_challenge"  # the code sent for signing in
ENROLMENT = "twofactor_enrolment"  # a number being confirmed from the profile


def required_token(user) -> str | None:
    """The token of the user's confirmed device, or None when 2FA is off."""
    if not user.is_authenticated:
        return None
    # One small query on every signed-in request (see `make bench`); no
    # caching, so a device changed elsewhere is seen at once.
    tokens = list(
        PhoneDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).values_list(
            "token", flat=True
        )[:1]
    )
    return str(tokens[0]) if tokens else None


def has_passed(request: HttpRequest, token: str) -> bool:
    return request.session.get(PASSED) == token


def mark_passed(request: HttpRequest, token: str) -> None:
    """`token` is the user's current device's (perhaps just changed)."""
    request._twofactor_required_token = (request.user.pk, token)
    request.session[PASSED] = token
    request.session.pop(PENDING_SINCE, None)
    request.session.pop(CHALLENGE, None)


def start_pending(request: HttpRequest, user) -> None:
    """A fresh sign-in: forget any earlier mark; start the clock if a code is due."""
    for key in (PASSED, CHALLENGE, ENROLMENT, PENDING_SINCE):
        request.session.pop(key, None)
    if required_token(user) is not None:
        request.session[PENDING_SINCE] = timezone.now().isoformat()


def pending_since(request: HttpRequest) -> datetime | None:
    value = request.session.get(PENDING_SINCE)
    return parse_datetime(value) if value else None


def ensure_pending(request: HttpRequest) -> datetime:
    """The start of the half-signed-in state, starting it now if it hadn't
    (a session that was signed in before its user turned 2FA on elsewhere)."""
    since = pending_since(request)
    if since is None:
        since = timezone.now()
        request.session[PENDING_SINCE] = since.isoformat()
    return since


def pending_expired(request: HttpRequest) -> bool:
    since = pending_since(request)
    return since is not None and timezone.now() - since > app_settings.PENDING_TIMEOUT


def needs_code(request: HttpRequest) -> bool:
    """Whether this session is half signed in: its user has 2FA on and it has
    not passed a code. Computed from the session, so it holds on pages the
    gate's `process_view` never saw (a 404, the CSRF failure page).

    The device lookup is kept on the request for its user, so the navbar and
    the last-seen middleware cost one query between them; the session mark is
    read afresh each time, so a code passed during the request counts at once.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    token = current_token(request)
    return token is not None and not has_passed(request, token)


def current_token(request: HttpRequest) -> str | None:
    """`required_token` for the request's user, looked up once per request."""
    user = request.user
    cached = getattr(request, "_twofactor_required_token", None)
    if cached is None or cached[0] != user.pk:
        cached = (user.pk, required_token(user))
        request._twofactor_required_token = cached
    return cached[1]


def forget_device(request: HttpRequest) -> None:
    """After the device changed in this request: look it up again."""
    request.__dict__.pop("_twofactor_required_token", None)
