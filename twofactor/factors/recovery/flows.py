"""Recovery codes' steps: make a new set (the old one stops working), and use
one code to sign in, once."""

import logging
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twofactor import flows, notify
from twofactor.factors.recovery import codes
from twofactor.models import Factor, Kind
from twofactor.outcomes import Outcome
from twofactor.typing import SignedInRequest

logger = logging.getLogger("twofactor")

# "Make a new set" is suggested from this many left.
LOW = 2


def remaining(factor: Factor | None) -> int:
    if factor is None:
        return 0
    return sum(1 for entry in factor.data.get("codes", []) if not entry.get("used_at"))


def make_new_set(*, request: SignedInRequest) -> list[str]:
    """A new set of codes for request.user (the view checked the password when
    a set existed). Returns them in plain text, once; only hashes are kept."""
    user = request.user
    plain = codes.generate()
    now = timezone.now()
    with flows.account_lock(user), transaction.atomic():
        factor = Factor.objects.select_for_update().of(user).filter(kind=Kind.RECOVERY).first()
        replaced = factor is not None
        factor = factor or Factor(user=user, kind=Kind.RECOVERY)
        factor.data = {"codes": [{"hash": codes.digest(c), "used_at": None} for c in plain]}
        factor.confirmed_at = now
        factor.token = uuid.uuid4()
        factor.save()
    flows.factor_changed(request=request, event=notify.Event.RECOVERY_CODES_NEW)
    logger.info(
        "twofactor recovery codes %s for user %s", "replaced" if replaced else "made", user.pk
    )
    return plain


def check(*, request: SignedInRequest, factor: Factor, code: str) -> Outcome:
    """Use one code: right and unused, it is marked used (the shared step holds
    the account lock; the row lock keeps any other writer out too)."""
    if not codes.looks_like_a_code(code):
        return flows.wrong_code_counted(request, factor=Kind.RECOVERY)
    with transaction.atomic():
        # SECURITY: lock the user's own recovery row, so a code is used once
        # even by two requests at the same instant.
        locked = Factor.objects.select_for_update().filter(pk=factor.pk, user=request.user).first()
        if locked is None:
            return flows.wrong_code_counted(request, factor=Kind.RECOVERY)
        entries = locked.data.get("codes", [])
        for entry in entries:
            if not entry.get("used_at") and codes.matches(code, entry["hash"]):
                entry["used_at"] = timezone.now().isoformat()
                locked.data = {**locked.data, "codes": entries}
                locked.save(update_fields=["data"])
                factor.data = locked.data
                return Outcome(ok=True, message=_("You're signed in."))
    logger.info("twofactor wrong recovery code for user %s", request.user.pk)
    return flows.wrong_code_counted(request, factor=Kind.RECOVERY)


def after_sign_in(*, request: SignedInRequest, factor: Factor) -> str:
    """Tell the owner (email) and the user (a message) how many are left."""
    left = remaining(factor)
    notify.account_changed(user=request.user, event=notify.Event.RECOVERY_CODE_USED, remaining=left)
    logger.warning("twofactor recovery code used by user %s; %d left", request.user.pk, left)
    message = ngettext(
        "You signed in with a recovery code. %(n)d recovery code is left.",
        "You signed in with a recovery code. %(n)d recovery codes are left.",
        left,
    ) % {"n": left}
    if left <= LOW:
        message += " " + _("Make a new set from your profile now, so you're never locked out.")
    return message
