"""What a session knows about its second factor, in one place.

The gate trusts only a positive mark: `PASSED` holds the *fingerprint* of the
user's factor setup at the moment this session passed a code: a keyed hash of
the kinds and tokens of every confirmed factor. Adding, changing or removing
any factor changes the fingerprint, so the mark stops matching and the session
must pass a code again.
"""

from datetime import datetime
from typing import NotRequired, TypedDict

from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_datetime

from accounts import reauth, session_limits
from accounts.conf import app_settings as accounts_settings
from twofactor import selectors
from twofactor.conf import app_settings
from twofactor.models import SECOND_FACTOR_KINDS, Factor

PASSED = "twofactor_passed"
PASSED_AT = "twofactor_passed_at"  # when: the code is asked again after a while
PENDING_SINCE = "twofactor_pending_since"
CHALLENGE = "twofactor_challenge"  # the code sent for signing in (SMS)
ENROLMENT = "twofactor_enrolment"  # a number being confirmed from the profile
TOTP_SETUP = "twofactor_totp_setup"  # an app being set up: its secret, encrypted
# A passkey ceremony's challenge (single use, 5 minutes) and a passkey being added.
WEBAUTHN_CHALLENGE = "twofactor_webauthn_challenge"
WEBAUTHN_ADD = "twofactor_webauthn_add"
# The code page asked again for a sensitive change (accounts/reauth.py), in a
# session that had already passed: where to go back to.
RECONFIRM = "twofactor_reconfirm"
# Passed without a code (a trusted browser): not "a code within the window".
WITHOUT_CODE = "twofactor_passed_without_code"
KEYS = (
    PASSED,
    PASSED_AT,
    PENDING_SINCE,
    CHALLENGE,
    ENROLMENT,
    TOTP_SETUP,
    WEBAUTHN_CHALLENGE,
    WEBAUTHN_ADD,
    RECONFIRM,
    WITHOUT_CODE,
)


class SentCode(TypedDict):
    """A code Verify sent, as the session remembers it (`CHALLENGE`, `ENROLMENT`)."""

    number: str
    channel: str
    # The fingerprint (sign-in) the code was sent under; "" for an enrolment.
    token: str
    # Verify's id for the verification: a resend of the same code keeps it.
    verification: str
    # When the code went out (ISO 8601); None when the first send failed.
    sent_at: str | None
    # Wrong codes entered for this verification.
    wrong: int


class TotpSetup(TypedDict):
    secret: str  # encrypted (twofactor/factors/totp/secrets.py)
    started_at: NotRequired[str]


def fingerprint_of(rows) -> str | None:
    """The mark for `(kind, token)` rows of confirmed factors, or None when
    none of them turns two-factor on (recovery codes alone don't)."""
    rows = sorted((str(kind), str(token)) for kind, token in rows)
    if not any(kind in SECOND_FACTOR_KINDS for kind, _token in rows):
        return None
    value = "|".join(f"{kind}:{token}" for kind, token in rows)
    # SECURITY: keyed, so a session's mark can't be made from guessed tokens.
    return salted_hmac("twofactor.session.fingerprint", value, algorithm="sha256").hexdigest()


def required_fingerprint(user) -> str | None:
    """The fingerprint of the user's factor setup, or None when 2FA is off,
    for code without the request's rows at hand (`current_fingerprint` is the
    gate's)."""
    if not user.is_authenticated:
        return None
    return fingerprint_of(Factor.objects.confirmed().of(user).values_list("kind", "token"))


def has_passed(request: HttpRequest, fingerprint: str) -> bool:
    """The session passed a code for this setup, recently enough: NIST
    800-63B-4 AAL2 asks for the second factor again after
    ACCOUNTS_SESSION_MAX_AGE, or an idle ACCOUNTS_SESSION_IDLE_TIMEOUT, even
    when "Remember me" keeps the password step (accounts/session_limits.py)."""
    if request.session.get(PASSED) != fingerprint:
        return False
    value = request.session.get(PASSED_AT)
    passed_at = parse_datetime(value) if value else None
    # SECURITY: an unknown time (a mark from before this rule) is due too.
    return not session_limits.second_factor_due_again(request, passed_at=passed_at)


def mark_passed(request: HttpRequest, *, with_code: bool = True) -> None:
    """This session passed a code for the user's current setup (or, not
    `with_code`, a trusted browser let it through). After a change in this
    request, call `forget_factors` first so the new setup is read."""
    fingerprint = current_fingerprint(request)
    request.session[PASSED] = fingerprint
    request.session[PASSED_AT] = timezone.now().isoformat()
    if with_code:
        request.session.pop(WITHOUT_CODE, None)
    else:
        request.session[WITHOUT_CODE] = True
    request.session.pop(PENDING_SINCE, None)
    request.session.pop(CHALLENGE, None)
    request.session.pop(RECONFIRM, None)


def start_pending(request: HttpRequest, user) -> None:
    """A fresh sign-in: forget any earlier mark; start the clock if a code is due."""
    for key in KEYS:
        request.session.pop(key, None)
    forget_factors(request)
    if required_fingerprint(user) is not None:
        request.session[PENDING_SINCE] = timezone.now().isoformat()


def clear(request: HttpRequest) -> None:
    """Forget everything two-factor in this session (2FA turned off)."""
    for key in KEYS:
        request.session.pop(key, None)
    forget_factors(request)


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

    The factor lookup is kept on the request for its user, so the navbar and
    the last-seen middleware cost one query between them; the session mark is
    read afresh each time, so a code passed during the request counts at once.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    fingerprint = current_fingerprint(request)
    return fingerprint is not None and not has_passed(request, fingerprint)


def is_on(request: HttpRequest) -> bool:
    """The request's user has two-factor on (the lookup the gate made already)."""
    return request.user.is_authenticated and current_fingerprint(request) is not None


def code_recent(request: HttpRequest) -> bool:
    """For a sensitive change (accounts/reauth.py): a code passed within
    ACCOUNTS_REAUTH_WINDOW for the current setup, or two-factor off."""
    fingerprint = current_fingerprint(request)
    if fingerprint is None:
        return True
    # SECURITY: a trusted browser's pass had no code in it.
    if request.session.get(PASSED) != fingerprint or request.session.get(WITHOUT_CODE):
        return False
    value = request.session.get(PASSED_AT)
    passed_at = parse_datetime(value) if value else None
    return passed_at is not None and timezone.now() - passed_at <= accounts_settings.REAUTH_WINDOW


def start_reconfirm(request: HttpRequest) -> None:
    """Ask a signed-in session for a code again (the code page, in its
    "confirm it's you" form); passing it ends this."""
    request.session[RECONFIRM] = True


def reconfirming(request: HttpRequest) -> bool:
    """Confirming before a change: only while the password just entered on the
    confirmation page counts (a session left there is not a code page forever)."""
    return (
        bool(request.session.get(RECONFIRM))
        and current_fingerprint(request) is not None
        and reauth.password_recent(request)
    )


def awaiting_code(request: HttpRequest) -> bool:
    """The code page has something to do: a half-signed-in session, or a
    signed-in one confirming it's the user before a sensitive change."""
    return needs_code(request) or (
        getattr(request, "user", None) is not None
        and request.user.is_authenticated
        and reconfirming(request)
    )


def request_factors(request: HttpRequest) -> list[Factor]:
    """The request user's confirmed factors (as `selectors.confirmed_factors`),
    looked up once per request: the gate's fingerprint and the profile's
    two-factor panel read the same rows, in one query. Never kept across
    requests, so a factor changed elsewhere (another device, staff) is seen
    at once."""
    user = request.user
    cached = getattr(request, "_twofactor_factors", None)
    if cached is None or cached[0] != user.pk:
        cached = (user.pk, selectors.confirmed_factors(user))
        setattr(request, "_twofactor_factors", cached)  # noqa: B010
    return cached[1]


def current_fingerprint(request: HttpRequest) -> str | None:
    """`required_fingerprint` for the request's user, looked up once per request."""
    if not request.user.is_authenticated:
        return None
    return fingerprint_of((factor.kind, factor.token) for factor in request_factors(request))


def forget_factors(request: HttpRequest) -> None:
    """After any change to the user's factor rows in this request (added,
    removed, a new token, the default): look them up again."""
    request.__dict__.pop("_twofactor_factors", None)
