"""Trusted browsers: "Trust this browser" on the code page skips the code on
that browser for `TWOFACTOR_TRUST_DAYS`.

The browser gets a cookie (HttpOnly, SameSite=Lax, Secure whenever the session
cookie is, so whenever DEBUG is off unless HTTPS was turned off) signed with
Django's signing, holding:

- a random id, whose hash is a `TrustedBrowser` row: the server can count the
  user's trusted browsers and forget them all;
- the user's id and a *binding*, a keyed hash of the user, the fingerprint of
  their factors (`session.required_fingerprint`) and their password hash, so
  the trust dies when the password or any factor changes.

The gate (twofactor/middleware.py) asks `trusted_browser(request)` for a
half-signed-in session, right after the password step, and
`flows.finish_trusted_sign_in` lets it through without a code. Turning
two-factor off, a reset and a password change forget every trusted browser of
the user (`forget_all`).
"""

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twofactor import session
from twofactor.conf import app_settings
from twofactor.models import TrustedBrowser
from twofactor.typing import SignedInRequest

logger = logging.getLogger("twofactor")

FIELD = "trust_browser"  # the checkbox on the code page
# Set at every sign-in, taken by the gate's first look: trust is asked once,
# right after the password step.
FRESH = "twofactor_trust_fresh"
SALT = "twofactor.trust.cookie"
BINDING_SALT = "twofactor.trust.binding"


# The cookie


def is_offered() -> bool:
    return app_settings.TRUST_DAYS > 0


def lifetime() -> timedelta:
    return timedelta(days=app_settings.TRUST_DAYS)


def cookie_secure() -> bool:
    # Secure exactly when the session cookie is (on when DEBUG is off): a trust
    # cookie the browser keeps over a plain-HTTP site it signs in to would never
    # come back, and one sent over plain HTTP could be copied.
    return bool(settings.SESSION_COOKIE_SECURE)


def cookie_name() -> str:
    # SECURITY: with Secure, the __Host- prefix: only this host, the whole
    # site, over HTTPS; no subdomain can set or shadow it.
    return "__Host-twofactor_trust" if cookie_secure() else "twofactor_trust"


def binding(user, fingerprint: str) -> str:
    """What a trust is bound to: this user, these factors, this password."""
    value = f"{user.pk}|{fingerprint}|{user.password}"
    # SECURITY: keyed with SECRET_KEY, so the cookie and the row reveal nothing
    # of the password hash and can't be made for another setup.
    return salted_hmac(BINDING_SALT, value, algorithm="sha256").hexdigest()


def hash_id(raw_id: str) -> str:
    return hashlib.sha256(raw_id.encode()).hexdigest()


def _payload(request: HttpRequest) -> dict | None:
    """The cookie's signed content, or None if missing, tampered with or too old."""
    value = request.COOKIES.get(cookie_name())
    if not value:
        return None
    try:
        payload = signing.loads(value, salt=SALT, max_age=lifetime())
    except signing.BadSignature:  # SignatureExpired is one too
        logger.info("twofactor trust cookie refused: bad signature or expired")
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
        return None
    return payload


# Trusting, checking, forgetting


def requested(request: HttpRequest) -> bool:
    """The box was ticked on the code page."""
    return is_offered() and request.POST.get(FIELD) == "on"


def checkbox_context(request: HttpRequest) -> dict:
    """For the code page's checkbox (twofactor/trust_checkbox.html)."""
    return {
        "trust_days": app_settings.TRUST_DAYS if is_offered() else 0,
        "trust_checked": request.method == "POST" and request.POST.get(FIELD) == "on",
        "trust_field": FIELD,
    }


def remember(request: SignedInRequest, response: HttpResponse) -> TrustedBrowser | None:
    """After a right code with the box ticked: trust this browser. Call once
    the session has passed (the binding names the setup it passed)."""
    user = request.user
    fingerprint = session.current_fingerprint(request)
    if not is_offered() or fingerprint is None:
        return None
    now = timezone.now()
    bound = binding(user, fingerprint)
    # Tidy up: this browser's earlier trust, and the user's dead rows.
    if payload := _payload(request):
        TrustedBrowser.objects.of(user).filter(id_hash=hash_id(payload["id"])).delete()
    TrustedBrowser.objects.of(user).exclude(binding=bound).delete()
    TrustedBrowser.objects.of(user).filter(expires_at__lte=now).delete()
    # SECURITY: a fresh random id per trust; only its hash is stored.
    raw_id = secrets.token_urlsafe(32)
    browser = TrustedBrowser.objects.create(
        user=user,
        id_hash=hash_id(raw_id),
        binding=bound,
        label=browser_label(request.headers.get("User-Agent", "")),
        created_at=now,
        last_used_at=now,
        expires_at=now + lifetime(),
    )
    value = signing.dumps({"u": user.pk, "id": raw_id, "b": bound}, salt=SALT)
    response.set_cookie(
        cookie_name(),
        value,
        max_age=int(lifetime().total_seconds()),
        path="/",
        secure=cookie_secure(),
        httponly=True,  # SECURITY: no script reads it
        samesite="Lax",
    )
    logger.info("twofactor browser %s trusted by user %s", browser.pk, user.pk)
    return browser


def trusted_browser(request: SignedInRequest) -> TrustedBrowser | None:
    """This browser's trust for the signed-in user, if its cookie is valid:
    signed, not expired, this user's, made for their current password and
    factors, and still on record (not forgotten)."""
    if not is_offered() or cookie_name() not in request.COOKIES:
        return None  # (the session isn't touched: a plain redirect writes nothing)
    # SECURITY: only right after the password step. A session whose mark ran
    # out later (asked again after a while, session.has_passed) needs a code;
    # passing the gate any way clears the flag too (flows.pass_gate).
    if not request.session.pop(FRESH, False):
        return None
    payload = _payload(request)
    if payload is None:
        _dead(request)
        return None
    user = request.user
    if payload.get("u") != user.pk:
        # Kept: on a shared computer it may still be the other person's.
        logger.info("twofactor trust cookie refused: another user's (user %s)", user.pk)
        return None
    fingerprint = session.current_fingerprint(request)
    if fingerprint is None:
        return None
    bound = binding(user, fingerprint)
    # SECURITY: a password or factor change since the trust was made ends it.
    if not constant_time_compare(str(payload.get("b", "")), bound):
        logger.info("twofactor trust cookie refused: new password or factors (user %s)", user.pk)
        _dead(request)
        return None
    browser = (
        TrustedBrowser.objects.of(user).live(binding=bound).filter(id_hash=hash_id(payload["id"]))
    ).first()
    if browser is None:
        logger.info("twofactor trust cookie refused: forgotten or expired (user %s)", user.pk)
        _dead(request)
    return browser


# A refused cookie that can never be accepted again goes with this response.
DEAD = "_twofactor_trust_cookie_dead"


def _dead(request: HttpRequest) -> None:
    setattr(request, DEAD, True)


def drop_if_dead(request: HttpRequest, response: HttpResponse) -> None:
    """Called by the gate on every response: delete a dead trust cookie, so
    the browser stops sending it (and the checkbox's promise reads true)."""
    if getattr(request, DEAD, False):
        forget_cookie(response)


def sign_in_started(request: HttpRequest) -> None:
    """A password step just succeeded: the gate may look for a trust once."""
    request.session[FRESH] = True


def used(browser: TrustedBrowser) -> None:
    TrustedBrowser.objects.filter(pk=browser.pk).update(last_used_at=timezone.now())


def count(request: SignedInRequest) -> int:
    """The signed-in user's browsers that would skip the code now."""
    fingerprint = session.current_fingerprint(request)
    if fingerprint is None or not is_offered():
        return 0
    bound = binding(request.user, fingerprint)
    return TrustedBrowser.objects.of(request.user).live(binding=bound).count()


def forget_all(user) -> int:
    """Every browser of the user asks for a code again. Returns how many did not."""
    deleted, _details = TrustedBrowser.objects.of(user).delete()
    if deleted:
        logger.info("twofactor %s trusted browsers forgotten for user %s", deleted, user.pk)
    return deleted


def forget_cookie(response: HttpResponse) -> None:
    response.delete_cookie(cookie_name(), path="/", samesite="Lax")


def forgotten_message(forgotten: int) -> str:
    if not forgotten:
        return _("No browser was trusted; every sign-in asks for a code.")
    return ngettext(
        "We forgot %(count)d trusted browser: it asks for a code at the next sign-in.",
        "We forgot %(count)d trusted browsers: each asks for a code at the next sign-in.",
        forgotten,
    ) % {"count": forgotten}


# A short label for the browser, from its User-Agent (kept, never trusted).

_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
)


def browser_label(user_agent: str) -> str:
    """ "Firefox on Linux": enough to tell one's browsers apart, nothing more."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")
