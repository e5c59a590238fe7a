from asgiref.sync import sync_to_async
from django.contrib.auth import hashers
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts import passwords


def looks_like_email(value: str) -> bool:
    """Whether a username or login is shaped like an email address.

    Every email address has an "@", so a username without one can never equal
    any account's email, in any case.
    """
    return "@" in value


def validate_not_email_shaped(value: str) -> None:
    # SECURITY: a username that equals someone's email would take over that
    # person's email sign-in (and let its holder grow their failure count).
    if looks_like_email(value):
        raise ValidationError(
            _("A username can't contain @: it would look like an email address."),
            code="username_email_shaped",
        )


class AccountManager(UserManager):
    """Django's UserManager, with the password normalised: `create_user` and
    `create_superuser` (so `createsuperuser`) hash it with `make_password`
    directly, not through `User.set_password`."""

    def _create_user_object(self, username, email, password, **extra_fields):
        if password is not None:
            password = passwords.normalise(password)
        return super()._create_user_object(username, email, password, **extra_fields)

    # Migrations see Django's UserManager (the autodetector compares managers
    # by deconstruct() and ==): a historical model never hashes a password,
    # and a new manager class would need a migration for nothing.
    def deconstruct(self):
        return UserManager().deconstruct()

    def __eq__(self, other):
        return isinstance(other, UserManager) and self._constructor_args == other._constructor_args

    __hash__ = UserManager.__hash__


class User(AbstractUser):
    """The site's user: Django's user with a required, case-insensitively unique
    email and a username that can never look like an email address."""

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_("Required. 150 characters or fewer. Letters, digits and . + - _ only."),
        validators=[UnicodeUsernameValidator(), validate_not_email_shaped],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    email = models.EmailField(_("email address"))
    # False from registration until the emailed link is opened; sign-in waits for
    # it (accounts/registration.py). True for accounts made any other way (the
    # admin, createsuperuser), whose address staff vouch for.
    email_confirmed = models.BooleanField(
        _("email address confirmed"),
        default=True,
        # In the database too: rows written without the field (other apps'
        # historical models in migrations) count as confirmed.
        db_default=True,
        help_text=_("Off from registration until the link sent to the address is opened."),
    )
    about_me = models.CharField(_("about me"), max_length=140, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    # Bumped to end every session of the user at once (see _get_session_auth_hash).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = AccountManager()  # type: ignore[misc]  # the stubs declare it a ClassVar

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with that email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.username

    # Passwords are normalised (NFKC) here, the one place every path goes
    # through: registration, the password change and reset forms, the admin's
    # forms and sign-in (through check_password); the manager covers
    # create_user and createsuperuser.

    def set_password(self, raw_password):
        # SECURITY: NIST 800-63B-4: the same password typed in another Unicode
        # form (composed or decomposed accents, full-width letters) is the same.
        if raw_password is not None:
            raw_password = passwords.normalise(raw_password)
        super().set_password(raw_password)

    def check_password(self, raw_password) -> bool:
        if raw_password is None:
            return False
        normalised = passwords.normalise(raw_password)
        if super().check_password(normalised):
            return True
        if normalised == raw_password:
            return False
        # A hash made before passwords were normalised, from the password as
        # typed then: still right. The sign-in backend re-hashes it normalised
        # (`store_normalised_password`); a check elsewhere (a re-entered
        # password) doesn't, as a new hash would sign this session out.
        if hashers.check_password(raw_password, self.password):
            self._typed_unnormalised = raw_password
            return True
        return False

    async def acheck_password(self, raw_password) -> bool:
        return await sync_to_async(self.check_password)(raw_password)

    def store_normalised_password(self) -> None:
        """After a sign-in with an older, unnormalised hash: hash it again,
        normalised, so the password works however it is typed from now on."""
        typed = getattr(self, "_typed_unnormalised", None)
        if typed is None:
            return
        del self._typed_unnormalised
        self.set_password(typed)
        self._password = None  # an upgrade of the hash, not a password change
        self.save(update_fields=["password"])

    def _get_session_auth_hash(self, secret=None) -> str:
        # SECURITY: Django checks this hash on every request and ends a session
        # whose hash no longer matches. Mixing in session_generation lets us end
        # all of a user's sessions (admin 2FA reset, `twofactor_disable`)
        # whatever the session backend, without touching the password.
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def end_all_sessions(self) -> None:
        """Invalidate every existing session of this user at their next request."""
        User.objects.filter(pk=self.pk).update(
            session_generation=models.F("session_generation") + 1
        )
        self.refresh_from_db(fields=["session_generation"])


class SecurityEvent(models.Model):
    """One entry of the security activity log: who, what, when, from where.

    Written only through `accounts.security.record`, which keeps secrets out
    of `details`. The owner sees their recent ones on their profile; staff see
    all in the admin, read-only; `prune_security_events` removes old ones.
    """

    class Kind(models.TextChoices):
        # Accounts side (recorded by accounts).
        SIGN_IN = "sign_in", _("Signed in with the password")
        SIGN_IN_PASSKEY = "sign_in_passkey", _("Signed in with a passkey")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        SIGN_IN_LOCKED = "sign_in_locked", _("Sign-in refused: too many failures")
        SIGN_OUT = "sign_out", _("Signed out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset asked for")
        PASSWORD_RESET = "password_reset", _("Password reset")
        EMAIL_CHANGED = "email_changed", _("Email address changed")
        # Two-factor side (recorded by twofactor through the same function).
        TWOFACTOR_PASSED = "twofactor_passed", _("Two-factor code accepted")
        TWOFACTOR_CODE_FAILED = "twofactor_code_failed", _("Wrong two-factor code")
        TWOFACTOR_LOCKED = "twofactor_locked", _("Two-factor locked: too many wrong codes")
        TWOFACTOR_SEND_REFUSED = "twofactor_send_refused", _("Code not sent: refused by a limit")
        FACTOR_ADDED = "factor_added", _("Second factor added")
        FACTOR_CHANGED = "factor_changed", _("Second factor changed")
        FACTOR_REMOVED = "factor_removed", _("Second factor removed")
        TWOFACTOR_RESET_BY_STAFF = "twofactor_reset_by_staff", _("Two-factor reset by staff")

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        null=True,
        blank=True,
        # Kept when the account goes: the log is also the staff's.
        on_delete=models.SET_NULL,
        related_name="security_events",
    )
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # As the limits count it (core.client.client_ip): an IPv6 address by its /64.
    ip = models.CharField(_("client address"), max_length=64, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    # The staff user who did it, for staff actions (a two-factor reset).
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="accounts_secevent_user_at")]

    def __str__(self) -> str:
        return f"{self.kind_label} · {self.user or '-'} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        """`get_kind_display()` without its cost: Django's builds a dict of
        every choice on each call, translating each label (about 5 % of the
        profile page's time with ten events listed)."""
        try:
            return str(self.Kind(self.kind).label)
        except ValueError:  # a kind no longer in the list: shown as stored
            return self.kind


class ActiveSession(models.Model):
    """A signed-in session of a user, as the owner sees it on their profile:
    which browser, from where, when last used; with "Sign out" for each.

    Written by `accounts.active_sessions` (on sign-in, and at most every few
    minutes after); the session itself stays in Django's session store, found
    by `session_key`, which follows the key when it is rotated.
    """

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="active_sessions",
    )
    session_key = models.CharField(_("session key"), max_length=64, unique=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    ip = models.CharField(_("client address"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), default=timezone.now)

    class Meta:
        verbose_name = _("active session")
        verbose_name_plural = _("active sessions")
        ordering = ["-last_used_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.last_used_at:%Y-%m-%d %H:%M}"
