"""The user's signed-in sessions, as they see them on their profile: which
browser, from which address, when last used; "Sign out" for each and for all
the others.

A row (`ActiveSession`) per signed-in session, made at sign-in (any path) and
touched by `ActiveSessionMiddleware` at most every `TOUCH_EVERY` after, which
also follows the session key when it is rotated (the two-factor step does).
The session itself stays in Django's session store; a row whose session is
gone or no longer valid (password changed, signed out elsewhere) is dropped
when the list is read.

No place name: turning an address into a city needs a geolocation database
(GeoLite2 and the like are licensed downloads), and this site makes no network
calls and bundles none; the address is shown instead.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, update_session_auth_hash
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import ActiveSession, User
from accounts.typing import SignedInRequest
from core.client import client_ip

ROW = "accounts_active_session"
KEY_SEEN = "accounts_active_session_key"
TOUCHED_AT = "accounts_active_session_touched"
TOUCH_EVERY = timedelta(minutes=5)
USER_AGENT_LENGTH = 300


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def _describe_request(request: HttpRequest) -> dict:
    return {
        "ip": client_ip(request) or "",
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
    }


def _start(request: HttpRequest, user: User) -> None:
    session = request.session
    if session.session_key is None:
        session.save()  # a key to find it by
    row = ActiveSession.objects.create(
        user=user, session_key=session.session_key or "", **_describe_request(request)
    )
    session[ROW] = row.pk
    session[KEY_SEEN] = session.session_key
    session[TOUCHED_AT] = timezone.now().isoformat()


@receiver(user_logged_in, dispatch_uid="accounts.active_sessions.start")
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        _start(request, user)


@receiver(user_logged_out, dispatch_uid="accounts.active_sessions.end")
def _signed_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and request.session.get(ROW):
        ActiveSession.objects.filter(pk=request.session[ROW]).delete()


class ActiveSessionMiddleware:
    """Keeps the signed-in session's row current: its key after a rotation, its
    last use (at most every TOUCH_EVERY: a write each time). After
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None or not user.is_authenticated:
            return response
        if not session.get(ROW):
            # Signed in before this list existed (or the row was lost): start one.
            _start(request, user)
            return response
        now = timezone.now()
        touched = parse_datetime(session.get(TOUCHED_AT) or "") or now - TOUCH_EVERY
        rotated = session.session_key != session.get(KEY_SEEN)
        if rotated or now - touched >= TOUCH_EVERY:
            fields = {"last_used_at": now, **_describe_request(request)}
            if rotated and session.session_key:
                fields["session_key"] = session.session_key
                session[KEY_SEEN] = session.session_key
            updated = ActiveSession.objects.filter(pk=session[ROW], user=user).update(**fields)
            if not updated:
                _start(request, user)
            session[TOUCHED_AT] = now.isoformat()
        return response


# Reading the list


@dataclass(frozen=True, slots=True)
class Listed:
    pk: int
    browser: str
    ip: str
    created_at: datetime
    last_used_at: datetime
    current: bool


_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS|HeadlessChrome|Chromium)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iOS", re.compile(r"\b(?:iPhone|iPad|iPod)\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def browser_label(user_agent: str) -> str:
    """ "Firefox on Linux", from a User-Agent header (a rough reading, no database)."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")


# Engines that keep every session in the django_session table (cached_db
# writes it through): their sessions can be read in one query.
TABLE_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


def _signs_in(data: dict, user: User) -> bool:
    return (
        data.get(SESSION_KEY) == str(user.pk)
        and data.get(HASH_SESSION_KEY) == user.get_session_auth_hash()
    )


def _still_valid(rows: list[ActiveSession], user: User) -> set[str]:
    """The session keys of `rows` that still sign `user` in: not ended,
    expired, or signed in as someone else since, nor from before a password
    change. One query with the database engines, not one per session."""
    keys = [row.session_key for row in rows]
    if not keys:
        return set()
    if settings.SESSION_ENGINE not in TABLE_ENGINES:
        return {key for key in keys if _signs_in(_store(key).load(), user)}
    from django.contrib.sessions.models import Session

    decoder = _store()
    live = Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
    return {
        session.session_key
        for session in live
        if _signs_in(decoder.decode(session.session_data), user)
    }


def for_user(request: SignedInRequest) -> list[Listed]:
    """The signed-in user's sessions, this one first; rows of ended ones are dropped."""
    user = request.user
    current = request.session.get(ROW)
    rows = list(ActiveSession.objects.filter(user=user))
    valid = _still_valid([row for row in rows if row.pk != current], user)
    listed, gone = [], []
    for row in rows:
        if row.pk != current and row.session_key not in valid:
            gone.append(row.pk)
            continue
        listed.append(
            Listed(
                pk=row.pk,
                browser=browser_label(row.user_agent),
                ip=row.ip,
                created_at=row.created_at,
                last_used_at=row.last_used_at,
                current=row.pk == current,
            )
        )
    if gone:
        ActiveSession.objects.filter(pk__in=gone).delete()
    return sorted(listed, key=lambda item: not item.current)


# Signing out


def sign_out(*, request: SignedInRequest, pk: int) -> bool:
    """End one of the user's other sessions; False if there is none such."""
    # SECURITY: only a row of the signed-in user, and never this session (the
    # navbar's "Sign out" does that, with its messages and Clear-Site-Data).
    row = ActiveSession.objects.filter(pk=pk, user=request.user).first()
    if row is None or row.pk == request.session.get(ROW):
        return False
    _store(row.session_key).delete()
    row.delete()
    return True


def sign_out_others(*, request: SignedInRequest) -> int:
    """End every other session of the user; returns how many were listed."""
    user = request.user
    others = ActiveSession.objects.filter(user=user).exclude(pk=request.session.get(ROW, 0))
    count = 0
    for row in others:
        _store(row.session_key).delete()
        count += 1
    others.delete()
    # SECURITY: sessions without a row too (made before the list existed): a
    # new session hash ends them all at their next request; this one is kept.
    user.end_all_sessions()
    update_session_auth_hash(request, user)
    return count
