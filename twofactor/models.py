"""A user's second factors: one row per factor, of a known kind.

Two-factor is on exactly when a user has a confirmed factor of a kind that
counts as a second factor (`SECOND_FACTOR_KINDS`: a phone, a passkey or an authenticator
app); recovery codes alone don't turn it on. Each row's `token` changes on
every change to it, and the session's "code passed" mark names a fingerprint
of all the tokens (twofactor/session.py), so any change sends other sessions
back to the code page.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python


def mask_number(number) -> str:
    """ "+1 ••• ••• 0100": the country code and the last four digits, nothing
    else. The one masking used on pages, in the admin and in the logs."""
    if not number:
        return ""
    if isinstance(number, str):
        number = to_python(number) or number
    e164 = str(number)
    country = getattr(number, "country_code", None)
    prefix = f"+{country}" if country else e164[:2]
    return f"{prefix} ••• ••• {e164[-4:]}"


# The channels Verify has (the backends' `Channel`, which tests hold equal):
# written out here so the model imports nothing from the factor packages.
CHANNELS = [("sms", _("Text message")), ("call", _("Voice call"))]


class Kind(models.TextChoices):
    SMS = "sms", _("Phone (text message or call)")
    TOTP = "totp", _("Authenticator app")
    RECOVERY = "recovery", _("Recovery codes")
    WEBAUTHN = "webauthn", _("Passkey")


# The kinds that turn two-factor on (and that the code page can ask for first).
SECOND_FACTOR_KINDS = (Kind.SMS, Kind.TOTP, Kind.WEBAUTHN)
# The kinds a user may have several of (a passkey per device); one of each other.
SEVERAL_PER_USER_KINDS = (Kind.WEBAUTHN,)


class FactorQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def of(self, user):
        return self.filter(user_id=user.pk)

    def phones(self):
        return self.filter(kind=Kind.SMS)


class Factor(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="twofactor_factors",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # SMS only: the confirmed number (E.164) and how its codes go.
    number = PhoneNumberField(_("phone number"), null=True, blank=True)
    channel = models.CharField(
        _("preferred channel"),
        max_length=8,
        blank=True,
        default="",
        choices=CHANNELS,
    )
    # What a kind keeps of its own (an app's encrypted secret and last step,
    # the recovery codes' hashes, a passkey's name, credential id, public key,
    # sign count and transports). Never shown, never logged.
    data = models.JSONField(_("data"), default=dict, blank=True, editable=False)
    # The factor the code page asks for first.
    preferred = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # Changes on every change to the factor; see the module docstring.
    token = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = FactorQuerySet.as_manager()

    class Meta:
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="twofactor_factor_kind_known"
            ),
            # The database refuses what no code could have confirmed: a phone
            # factor whose number isn't E.164 or whose channel Verify doesn't
            # have; a number on any other kind.
            models.CheckConstraint(
                condition=~models.Q(kind=Kind.SMS)
                | models.Q(number__regex=r"^\+[1-9][0-9]{6,14}$"),
                name="twofactor_factor_sms_number_e164",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=Kind.SMS)
                | models.Q(channel__in=[value for value, _label in CHANNELS]),
                name="twofactor_factor_sms_channel_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=Kind.SMS) | models.Q(number__isnull=True),
                name="twofactor_factor_number_only_sms",
            ),
            # A number is confirmed by one account at most: Verify keys sends
            # and checks by number, so sharing one would let a stranger use up
            # its owner's codes.
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(kind=Kind.SMS, confirmed_at__isnull=False),
                name="twofactor_factor_number_one_account",
            ),
            # One phone, one app and one set of recovery codes per user; any
            # number of passkeys (one per device or password manager).
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=~models.Q(kind__in=SEVERAL_PER_USER_KINDS),
                name="twofactor_factor_one_per_kind",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(preferred=True),
                name="twofactor_factor_one_default",
            ),
            # A passkey belongs to one account: passwordless sign-in finds the
            # account by the credential id alone. Also the index for that lookup.
            models.UniqueConstraint(
                models.F("data__credential_id"),
                condition=models.Q(kind=Kind.WEBAUTHN),
                name="twofactor_factor_passkey_one_account",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == Kind.SMS:
            return f"{self.user} · {self.masked_number}"
        return f"{self.user} · {self.get_kind_display()}"

    @property
    def masked_number(self) -> str:
        return mask_number(self.number)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_second_factor(self) -> bool:
        return self.kind in SECOND_FACTOR_KINDS


class TrustedBrowserQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user_id=user.pk)

    def live(self, *, binding: str):
        """Not expired, and made for the user's current password and factors."""
        return self.filter(binding=binding, expires_at__gt=timezone.now())


class TrustedBrowser(models.Model):
    """A browser whose owner ticked "Trust this browser" (twofactor/trust.py).

    The browser's cookie holds a random id; this row holds only its hash, so a
    copy of the table opens nothing. `binding` names the user's password hash
    and factor setup when it was made: a row whose binding is no longer the
    user's is dead (and not counted) even before it is tidied away.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="twofactor_trusted_browsers",
        verbose_name=_("user"),
    )
    id_hash = models.CharField(_("id hash"), max_length=64, unique=True, editable=False)
    binding = models.CharField(_("binding"), max_length=64, editable=False)
    label = models.CharField(_("browser"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    objects = TrustedBrowserQuerySet.as_manager()

    class Meta:
        verbose_name = _("trusted browser")
        verbose_name_plural = _("trusted browsers")
        indexes = [models.Index(fields=["user", "expires_at"], name="twofactor_trust_user_expiry")]

    def __str__(self) -> str:
        return f"{self.user} · {self.label or _('a browser')}"
