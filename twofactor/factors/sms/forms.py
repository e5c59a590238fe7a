"""The phone form: a number in the chosen country's format, and the channel."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PrefixChoiceField
from phonenumber_field.phonenumber import to_python

from core.forms import StyledFormMixin
from twofactor.factors.sms import messages, policy
from twofactor.factors.sms.backends import Channel
from twofactor.forms import check_password, password_field


class PhoneForm(StyledFormMixin, forms.Form):
    country = PrefixChoiceField(label=_("Country"))
    number = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        help_text=_("Your mobile number, in national or international (+…) format."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel-national"}),
    )
    channel = forms.ChoiceField(
        choices=[(Channel.SMS.value, _("Text me")), (Channel.CALL.value, _("Call me"))],
        initial=Channel.SMS.value,
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(
        self, *args, user=None, ip: str | None = None, password_confirmed: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        self.ip = ip
        self.fields["country"].initial = settings.PHONENUMBER_DEFAULT_REGION
        # The list starts with a country, not "---------": one is always chosen.
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        # Only countries whose numbers may get codes (TWOFACTOR_ALLOWED_COUNTRIES).
        choices = list(country.choices)  # type: ignore[arg-type]
        country.choices = [c for c in choices if c[0] and policy.allowed_country(str(c[0]))]
        if user is not None and not password_confirmed:
            # SECURITY: moving the second factor to another phone needs the
            # password, like turning it off: a stolen session alone can't.
            self.fields["password"] = password_field()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        check_password(user=self.user, password=password, ip=self.ip)
        return password

    def clean(self):
        cleaned = super().clean()
        raw = cleaned.get("number")
        if not raw:
            return cleaned
        number = to_python(raw, region=cleaned.get("country") or None)
        if number is None or not number.is_valid():
            self.add_error(
                "number",
                forms.ValidationError(
                    _("That isn't a valid phone number for the country you chose."),
                    code="invalid_number",
                ),
            )
            return cleaned
        refused = policy.refusal(number.as_e164)
        if refused is not None:
            self.add_error(
                "number", forms.ValidationError(messages.refused_number(refused), code=refused)
            )
            return cleaned
        cleaned["e164"] = number.as_e164
        cleaned["channel"] = Channel(cleaned.get("channel") or Channel.SMS)
        return cleaned
