from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


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
    about_me = models.CharField(_("about me"), max_length=140, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    # Bumped to end every session of the user at once (see _get_session_auth_hash).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

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
