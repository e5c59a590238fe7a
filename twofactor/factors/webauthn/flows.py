"""The passkey steps: add one (the password and a name first, then options for
the browser, then its answer), sign in with one (as the second factor, or
without a password), rename one, remove one.

Every answer is checked by py_webauthn against this session's challenge (used
once), our RP id and our origin. A failed check is a clear `Failure`, never an
exception out of here. As the second factor it counts towards the account's
guessing limit; without a password (no account named yet) towards the client
address's failed sign-ins.
"""

import json
import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts import security
from accounts import throttles as account_throttles
from accounts.signals import SIGN_IN_KIND
from core.client import client_ip
from core.phrases import until_phrase
from twofactor import flows, notify, selectors, session
from twofactor.conf import app_settings
from twofactor.factors.webauthn import challenges, credentials, relying_party
from twofactor.models import Factor, Kind
from twofactor.outcomes import Failure, Outcome, failed
from twofactor.typing import SignedInRequest

logger = logging.getLogger("twofactor")

# The answer's JSON is small; anything much bigger isn't a browser's.
MAX_ANSWER_BYTES = 64 * 1024


def _timeout_ms() -> int:
    return int(app_settings.WEBAUTHN_CHALLENGE_TIMEOUT.total_seconds() * 1000)


def _start_again() -> Outcome:
    return failed(
        Failure.START_AGAIN,
        _("That passkey request expired or was already answered. Try again."),
    )


def _refused_message(exc: Exception, *, origin: str) -> str:
    """What went wrong, in words, from py_webauthn's reason."""
    reason = str(exc).lower()
    if "origin" in reason:
        return _(
            "That passkey answer came from another website, not %(origin)s. Sign in on "
            "%(origin)s itself."
        ) % {"origin": origin}
    if "rp id" in reason:
        return _("That passkey belongs to another website.")
    if "challenge" in reason:
        return _("That passkey answer was already used or has expired. Try again.")
    return _("Your passkey's answer couldn't be checked. Try again.")


def parse_answer(body: bytes) -> dict | None:
    """The browser's JSON answer, or None for anything that isn't one."""
    if len(body) > MAX_ANSWER_BYTES:
        return None
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
        return None
    return answer


# Adding a passkey


def start_adding(*, request: SignedInRequest, name: str) -> None:
    """The password was right: the browser may now make a passkey named `name`.
    The user handle is chosen now, so the one the authenticator keeps (and
    returns at a passwordless sign-in) is the one stored with the passkey."""
    request.session[session.WEBAUTHN_ADD] = {
        "name": name,
        "at": timezone.now().isoformat(),
        "handle": bytes_to_base64url(credentials.user_handle(request.user)),
    }


def _adding_handle(request: SignedInRequest) -> bytes:
    pending = request.session.get(session.WEBAUTHN_ADD) or {}
    if not pending.get("handle"):  # a step begun before handles were kept here
        pending["handle"] = bytes_to_base64url(credentials.user_handle(request.user))
        request.session[session.WEBAUTHN_ADD] = pending
    return base64url_to_bytes(pending["handle"])


def adding_name(request: SignedInRequest) -> str | None:
    pending = request.session.get(session.WEBAUTHN_ADD)
    if not isinstance(pending, dict):
        return None
    started = datetime.fromisoformat(pending["at"])
    if timezone.now() - started > app_settings.WEBAUTHN_CHALLENGE_TIMEOUT:
        return None
    return str(pending["name"])


def cancel_adding(*, request: SignedInRequest) -> None:
    request.session.pop(session.WEBAUTHN_ADD, None)
    request.session.pop(session.WEBAUTHN_CHALLENGE, None)


def registration_options(*, request: SignedInRequest) -> str | None:
    """`PublicKeyCredentialCreationOptions` as JSON, or None when no passkey is
    being added (the password step is missing or older than 5 minutes)."""
    user = request.user
    if adding_name(request) is None:
        return None
    options = generate_registration_options(
        rp_id=relying_party.rp_id(),
        rp_name=relying_party.rp_name(),
        user_name=user.get_username(),
        user_display_name=user.get_username(),
        user_id=_adding_handle(request),
        challenge=challenges.issue(request, purpose=challenges.REGISTER),
        timeout=_timeout_ms(),
        # Discoverable where the authenticator can, for passwordless sign-in later.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        # The same authenticator twice would only be a confusing duplicate.
        exclude_credentials=credentials.descriptors(user),
    )
    return options_to_json(options)


def finish_adding(*, request: SignedInRequest, answer: dict) -> Outcome:
    """The browser's answer to `navigator.credentials.create()`."""
    user = request.user
    expected = challenges.take(request, purpose=challenges.REGISTER)
    name = adding_name(request)
    if expected is None or name is None:
        return _start_again()
    origin = relying_party.expected_origin(request)
    try:
        verified = verify_registration_response(
            credential=answer,
            expected_challenge=expected,
            expected_rp_id=relying_party.rp_id(),
            expected_origin=origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        logger.info("twofactor passkey refused for user %s: %s", user.pk, exc)
        return failed(Failure.PASSKEY_REFUSED, _refused_message(exc, origin=origin))
    transports = answer.get("response", {}).get("transports") or []
    data = credentials.data_for(
        name=name,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[t for t in transports if isinstance(t, str)],
        handle=_adding_handle(request),
    )
    was_on = selectors.is_enabled(user)
    now = timezone.now()
    in_use = failed(Failure.PASSKEY_REFUSED, _("That passkey is already in use."))
    # SECURITY: a credential belongs to one account only (a database
    # constraint too, for two accounts adding the same one at once).
    if credentials.find_any(data["credential_id"]) is not None:
        return in_use
    try:
        with flows.account_lock(user), transaction.atomic():
            Factor.objects.create(
                user=user,
                kind=Kind.WEBAUTHN,
                data=data,
                confirmed_at=now,
                token=uuid.uuid4(),
            )
    except IntegrityError:
        return in_use
    flows.ensure_default(user)
    request.session.pop(session.WEBAUTHN_ADD, None)
    flows.factor_changed(request=request, event=notify.Event.PASSKEY_ADDED)
    if was_on:
        return Outcome(ok=True, message=_("Your passkey “%(name)s” is added.") % {"name": name})
    return Outcome(
        ok=True,
        message=_("Two-factor authentication is on. Signing in now asks for your passkey."),
    )


# Signing in (the second factor)


def authentication_options(*, request: SignedInRequest) -> str | None:
    """`PublicKeyCredentialRequestOptions` as JSON for the user's passkeys, or
    None when they have none."""
    allowed = credentials.descriptors(request.user)
    if not allowed:
        return None
    options = generate_authentication_options(
        rp_id=relying_party.rp_id(),
        challenge=challenges.issue(request, purpose=challenges.SIGN_IN),
        timeout=_timeout_ms(),
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options)


def _counted(request: SignedInRequest, message: str) -> Outcome:
    """A refused answer counts towards the account's lock like a wrong code;
    the lock's own message wins once it is reached."""
    outcome = flows.wrong_code_counted(request, factor=Kind.WEBAUTHN)
    if outcome.failure == Failure.LOCKED:
        return outcome
    return failed(Failure.PASSKEY_REFUSED, message)


def _not_yours() -> str:
    return _("That passkey isn't one of yours on this site.")


def _checked_assertion(
    *,
    request: HttpRequest,
    factor: Factor,
    answer: dict,
    expected: bytes,
    owner_present: bool,
    refuse: Callable[[str], Outcome],
) -> Factor | Outcome:
    """Check an assertion against one stored passkey, with its row locked so
    two answers can't both move the sign count; the caller holds the account
    lock. `owner_present`: the authenticator must have checked its owner
    (fingerprint, face, PIN), as a passkey that replaces the password must."""
    user = factor.user
    origin = relying_party.expected_origin(request)
    with transaction.atomic():
        # SECURITY: the row locked, so two answers can't both move the count.
        locked = Factor.objects.select_for_update().confirmed().filter(pk=factor.pk).first()
        if locked is None or locked.user_id != user.pk:
            return refuse(_not_yours())
        try:
            verified = verify_authentication_response(
                credential=answer,
                expected_challenge=expected,
                expected_rp_id=relying_party.rp_id(),
                expected_origin=origin,
                credential_public_key=base64url_to_bytes(locked.data["public_key"]),
                # Compared below, after the signature: only a signed count
                # going backwards says the key was copied.
                credential_current_sign_count=0,
                require_user_verification=owner_present,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
            logger.info("twofactor passkey refused for user %s: %s", user.pk, exc)
            return refuse(_refused_message(exc, origin=origin))
        stored = int(locked.data.get("sign_count", 0))
        cloned = (verified.new_sign_count or stored) and verified.new_sign_count <= stored
        if not cloned:
            locked.data = {**locked.data, "sign_count": verified.new_sign_count}
            locked.save(update_fields=["data"])
    if cloned:
        _clone_warning(user=user, factor=locked, stored=stored, got=verified.new_sign_count)
        return refuse(
            _("That passkey's counter went backwards, as with a copied passkey. Use another.")
        )
    return locked


def check_sign_in(*, request: SignedInRequest, answer: dict) -> Outcome:
    """The browser's answer to `navigator.credentials.get()`; right, the
    sign-in finishes like any factor's (`flows.finish_sign_in`)."""
    user = request.user
    expected = challenges.take(request, purpose=challenges.SIGN_IN)
    if expected is None:
        return _start_again()
    if refused := flows.refused_by_lock(user):
        return refused
    factor = credentials.find(user, answer["id"])
    if factor is None:
        logger.info("twofactor unknown passkey for user %s", user.pk)
        return _counted(request, _not_yours())
    with flows.account_lock(user) as held:
        if not held:
            return failed(Failure.BUSY, _("Another sign-in is being checked. Try again."))
        checked = _checked_assertion(
            request=request,
            factor=factor,
            answer=answer,
            expected=expected,
            owner_present=False,
            refuse=lambda message: _counted(request, message),
        )
        if isinstance(checked, Outcome):
            return checked
        # SECURITY: the setup this was checked against must still be the user's.
        session.forget_factors(request)
        if not Factor.objects.confirmed().filter(pk=checked.pk, user=user).exists():
            return failed(Failure.SETUP_CHANGED, _("Your sign-in options changed. Try again."))
        flows.finish_sign_in(request=request, factor=checked)
    return Outcome(ok=True, message=_("You're signed in."))


# Signing in without a password (a passkey is both factors in one)


def passwordless_options(*, request: HttpRequest) -> str | None:
    """Options for a discoverable passkey: no account named yet, so the
    authenticator offers whichever of its passkeys are for this site. None
    when passwordless sign-in is turned off."""
    if not app_settings.WEBAUTHN_PASSWORDLESS:
        return None
    # The challenge lives in an anonymous visitor's session: let that row end
    # with the challenge (`clearsessions` removes it) unless a sign-in follows,
    # which sets the session's own lifetime (accounts/session_limits.py).
    request.session.set_expiry(int(app_settings.WEBAUTHN_CHALLENGE_TIMEOUT.total_seconds()))
    options = generate_authentication_options(
        rp_id=relying_party.rp_id(),
        challenge=challenges.issue(request, purpose=challenges.PASSWORDLESS),
        timeout=_timeout_ms(),
        allow_credentials=[],
        # SECURITY: instead of a password, the authenticator checks its owner.
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options)


def _passwordless_refused(request: HttpRequest, user, message: str) -> Outcome:
    """Logged as a failed sign-in (counted against the client address by the
    caller). Not counted against the account: anyone may send an answer
    naming someone's credential id, and that must not lock its owner out."""
    security.record(
        request=request,
        user=user,
        kind=security.Kind.SIGN_IN_FAILED,
        via="passkey",
        known_account=user is not None,
    )
    return failed(Failure.PASSKEY_REFUSED, message)


def sign_in_without_password(*, request: HttpRequest, answer: dict) -> Outcome:
    """The browser's answer to a passwordless `navigator.credentials.get()`:
    right, the user is signed in and past the gate in one step."""
    expected = challenges.take(request, purpose=challenges.PASSWORDLESS)
    if expected is None or not app_settings.WEBAUTHN_PASSWORDLESS:
        return _start_again()
    ip = client_ip(request)
    decision = account_throttles.begin_address_attempt(ip=ip)
    if not decision.allowed:
        return failed(
            Failure.THROTTLED,
            _("Too many failed sign-ins. Try again %(when)s.")
            % {"when": until_phrase(decision.retry_at)},
            retry_at=decision.retry_at,
        )
    factor = credentials.find_any(answer["id"])
    if factor is None:
        logger.info("twofactor passwordless sign-in with an unknown passkey from %s", ip)
        return _passwordless_refused(
            request,
            None,
            _(
                "That passkey isn't on any account here (it may have been removed). "
                "Sign in with your password."
            ),
        )
    user = factor.user
    handle = (answer.get("response") or {}).get("userHandle")
    # SECURITY: the authenticator names the account the passkey was made for
    # (WebAuthn §7.2: the user handle must map to the credential's owner).
    stored_handle = str(factor.data.get("user_handle", ""))
    if (
        not isinstance(handle, str)
        or not handle
        or not secrets.compare_digest(handle, stored_handle)
    ):
        logger.warning("twofactor passkey of user %s answered with another user handle", user.pk)
        return _passwordless_refused(request, user, _not_yours())
    if not user.is_active:
        return _passwordless_refused(request, user, _not_yours())
    if refused := flows.refused_by_lock(user):
        return refused
    with flows.account_lock(user) as held:
        if not held:
            return failed(Failure.BUSY, _("Another sign-in is being checked. Try again."))
        checked = _checked_assertion(
            request=request,
            factor=factor,
            answer=answer,
            expected=expected,
            owner_present=True,
            refuse=lambda message: _passwordless_refused(request, user, message),
        )
        if isinstance(checked, Outcome):
            return checked
        account_throttles.address_attempt_succeeded(ip=ip)
        # Every sign-in goes through login(): a new session, the signals (the
        # gate's pending state, the session limits, the security log).
        setattr(request, SIGN_IN_KIND, security.Kind.SIGN_IN_PASSKEY)
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        flows.finish_sign_in(request=request, factor=checked)  # type: ignore[arg-type]
    logger.info("twofactor passwordless sign-in for user %s", user.pk)
    return Outcome(ok=True, message=_("You're signed in."))


def _clone_warning(*, user, factor: Factor, stored: int, got: int) -> None:
    logger.warning(
        "twofactor passkey %s of user %s: sign count %s after %s, possibly cloned",
        factor.pk,
        user.pk,
        got,
        stored,
    )
    notify.account_changed(user=user, event=notify.Event.PASSKEY_CLONED)


# Renaming


def rename(*, request: SignedInRequest, factor: Factor, name: str) -> bool:
    """A new name for one of the user's passkeys. Not a change of the setup
    (no new token, no email): only what the profile calls it."""
    user = request.user
    with flows.account_lock(user), transaction.atomic():
        locked = Factor.objects.select_for_update().of(user).filter(pk=factor.pk).first()
        if locked is None:
            return False
        locked.data = {**locked.data, "name": name}
        locked.save(update_fields=["data"])
    logger.info("twofactor passkey %s of user %s renamed", factor.pk, user.pk)
    return True


# Removing


def remove(*, request: SignedInRequest, factor: Factor) -> None:
    flows.remove_factor(request=request, factor=factor, event=notify.Event.PASSKEY_REMOVED)
