import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python

from twofactor.backends.base import Channel


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


class PhoneDeviceQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)


class PhoneDevice(models.Model):
    """The phone a user's codes go to. Two-factor is on exactly when the user
    has a confirmed device; the number is saved only after its code passed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="phone_device",
        verbose_name=_("user"),
    )
    number = PhoneNumberField(_("phone number"))
    channel = models.CharField(
        _("preferred channel"),
        max_length=8,
        choices=[(Channel.SMS.value, _("Text message")), (Channel.CALL.value, _("Voice call"))],
        default=Channel.SMS.value,
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # Changes whenever the device is (re)confirmed. A session's "code passed"
    # mark names it, so changing the number sends other sessions back to the
    # code page.
    token = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = PhoneDeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("phone device")
        verbose_name_plural = _("phone devices")
        constraints = [
            # The database refuses what no code could have confirmed: a number
            # not in E.164, or a channel Verify doesn't have.
            models.CheckConstraint(
                condition=models.Q(number__regex=r"^\+[1-9][0-9]{6,14}$"),
                name="twofactor_phonedevice_number_e164",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=[c.value for c in Channel]),
                name="twofactor_phonedevice_channel_known",
            ),
            # A number is confirmed by one account at most: Verify keys sends
            # and checks by number, so sharing one would let a stranger use up
            # its owner's codes.
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(confirmed_at__isnull=False),
                name="twofactor_phonedevice_number_one_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return mask_number(self.number)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
