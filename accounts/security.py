"""The security activity log: the one function that writes it.

Every security event, from `accounts` and from `twofactor`, goes through
`record`, so each has the same fields and no secret reaches the table.
"""

import logging
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest

from accounts.models import SecurityEvent
from core.client import client_ip

logger = logging.getLogger("accounts")

Kind = SecurityEvent.Kind

# Detail keys refused whatever their value: what they'd hold is a secret.
SECRET_WORDS = ("password", "code", "token", "secret", "otp", "key", "credential")
USER_AGENT_LENGTH = 300

# `user` left out: the request's signed-in user.
_REQUEST_USER = object()


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _plain(value: Any) -> Any:
    """JSON-safe: numbers, strings, booleans and None as they are, the rest as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(
    *,
    kind: SecurityEvent.Kind,
    request: HttpRequest | None = None,
    user=_REQUEST_USER,
    actor=None,
    **details: Any,
) -> SecurityEvent | None:
    """Write one security event; never raises (the event is logged instead).

    - `kind`: a `SecurityEvent.Kind`. The two-factor app records its own with
      the kinds already here, e.g. from twofactor's flows::

          from accounts import security
          security.record(request=request, user=user,
                          kind=security.Kind.TWOFACTOR_CODE_FAILED,
                          factor="sms", tries_left=3)
          security.record(request=request, user=target, actor=request.user,
                          kind=security.Kind.TWOFACTOR_RESET_BY_STAFF)

      (`TWOFACTOR_LOCKED`, `TWOFACTOR_SEND_REFUSED` with `reason=`,
      `FACTOR_ADDED` / `FACTOR_CHANGED` / `FACTOR_REMOVED` with `factor=` and a
      masked number, `TWOFACTOR_PASSED`.)
    - `request`: where the client address (as the limits count it) and the
      user agent come from; None outside a request (a management command).
    - `user`: whose account it is about; left out, the request's signed-in
      user. None: no account (a failed sign-in that names none).
    - `actor`: the staff user who did it, for staff actions.
    - `details`: short facts, no secrets. A key that names one (password,
      code, token, secret, otp, key, credential) is dropped, whatever its
      value, and the drop is logged; values are kept as JSON scalars.
    """
    if user is _REQUEST_USER:
        request_user = getattr(request, "user", None) if request is not None else None
        user = request_user if request_user is not None and request_user.is_authenticated else None
    kept: dict[str, Any] = {}
    for name, value in details.items():
        if _is_secret(name):
            # SECURITY: the log is read by staff and shown to the owner.
            logger.error("security event %s: detail %r dropped (a secret's name)", kind, name)
            continue
        kept[name] = _plain(value)
    ip = (client_ip(request) or "") if request is not None else ""
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    event = SecurityEvent(
        kind=kind,
        user=user if user is not None and user.pk else None,
        actor=actor if actor is not None and actor.pk else None,
        ip=ip,
        user_agent=agent[:USER_AGENT_LENGTH],
        details=kept,
    )
    try:
        # A savepoint: a failed write can't break the caller's transaction.
        with transaction.atomic():
            event.save()
    except DatabaseError as exc:
        logger.error("security event %s for user %s not recorded: %s", kind, event.user_id, exc)
        return None
    return event


def recent_for(user, *, limit: int = 10) -> list[SecurityEvent]:
    """The user's latest events, newest first (their profile shows these)."""
    events = list(SecurityEvent.objects.filter(user=user)[:limit])
    # The staff user of a staff action, in a second query only when there is
    # one: a join on every profile view cost more than the events themselves.
    prefetch_related_objects([event for event in events if event.actor_id], "actor")
    return events
