"""The app's steps: set it up (a new secret, confirmed by its first code),
check a sign-in code (each step once), and remove it."""

import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from twofactor import flows, notify, selectors, session
from twofactor.factors.totp import codes, secrets
from twofactor.models import Factor, Kind
from twofactor.outcomes import Failure, Outcome, failed
from twofactor.typing import SignedInRequest

logger = logging.getLogger("twofactor")


def start_setup(*, request: SignedInRequest) -> str:
    """A new secret for this setup, kept (encrypted) in the session until its
    first code comes back; nothing is saved before that. Returns the secret."""
    secret = codes.new_secret()
    request.session[session.TOTP_SETUP] = {
        "secret": secrets.encrypt(secret),
        "started_at": timezone.now().isoformat(),
    }
    return secret


def pending_secret(request: SignedInRequest) -> str | None:
    setup = request.session.get(session.TOTP_SETUP)
    return secrets.decrypt(setup["secret"]) if setup else None


def cancel_setup(*, request: SignedInRequest) -> None:
    request.session.pop(session.TOTP_SETUP, None)


def provisioning_uri(*, request: SignedInRequest, secret: str) -> str:
    return codes.provisioning_uri(
        secret=secret, account=request.user.get_username(), issuer=settings.SITE_NAME
    )


def confirm_setup(*, request: SignedInRequest, code: str) -> Outcome:
    """The app's first code: right, the app becomes a factor (and the default:
    it is safer than texts)."""
    user = request.user
    secret = pending_secret(request)
    if secret is None:
        return failed(Failure.START_AGAIN, _("Start again: scan the new QR code."))
    if refused := flows.refused_by_lock(user):
        return refused
    step = codes.matching_step(secret=secret, code=code)
    if step is None:
        return flows.wrong_code_counted(request, factor=Kind.TOTP)
    was_on = selectors.is_enabled(user)
    now = timezone.now()
    with flows.account_lock(user), transaction.atomic():
        factor = Factor.objects.select_for_update().of(user).filter(kind=Kind.TOTP).first()
        replaced = factor is not None
        factor = factor or Factor(user=user, kind=Kind.TOTP)
        factor.data = {"secret": secrets.encrypt(secret), "last_step": step}
        factor.confirmed_at = now
        factor.last_used_at = now
        factor.token = uuid.uuid4()
        factor.save()
        Factor.objects.of(user).exclude(pk=factor.pk).update(preferred=False)
        Factor.objects.filter(pk=factor.pk).update(preferred=True)
    cancel_setup(request=request)
    flows.factor_changed(request=request, event=notify.Event.APP_ADDED)
    logger.info("twofactor app %s for user %s", "replaced" if replaced else "added", user.pk)
    if was_on:
        return Outcome(
            ok=True, message=_("Your authenticator app is set up. We'll ask for it first.")
        )
    return Outcome(
        ok=True,
        message=_("Two-factor authentication is on. Signing in now asks for a code from your app."),
    )


def check(*, request: SignedInRequest, factor: Factor, code: str) -> Outcome:
    """A sign-in code from the app (the shared step holds the account lock)."""
    with transaction.atomic():
        # SECURITY: the user's own row, locked, so a step is used once even by
        # two requests at the same instant; an earlier step never again.
        locked = Factor.objects.select_for_update().filter(pk=factor.pk, user=request.user).first()
        secret = secrets.decrypt(locked.data.get("secret", "")) if locked else None
        if locked is None or secret is None:
            logger.error("twofactor app secret unreadable for user %s", request.user.pk)
            return flows.wrong_code_counted(request, factor=Kind.TOTP)
        step = codes.matching_step(
            secret=secret, code=code, after=int(locked.data.get("last_step", -1))
        )
        if step is not None:
            locked.data = {**locked.data, "last_step": step}
            locked.save(update_fields=["data"])
            return Outcome(ok=True, message=_("You're signed in."))
    return flows.wrong_code_counted(request, factor=Kind.TOTP)
