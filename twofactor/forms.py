import re
import unicodedata

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PrefixChoiceField
from phonenumber_field.phonenumber import to_python

from accounts import throttles as login_throttles
from core.forms import StyledFormMixin
from core.phrases import until_phrase
from twofactor.backends import Channel

# ASCII digits only: \d would also match other scripts' digits.
CODE_RE = re.compile(r"^[0-9]{4,10}$")


def _ascii_digits(text: str) -> str:
    """ "١٢٣٤٥٦" (typed on an Arabic keyboard, say) -> "123456"."""
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.decimal(char, None) is not None else char
        for char in text
    )


def _password_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control"}
        ),
    )


def _check_password(*, user, password: str, ip: str | None) -> None:
    """The current password, with the sign-in failure limits: a stolen session
    can't guess it at speed to turn the second factor off or move it."""
    decision = login_throttles.begin_attempt(login=user.get_username(), ip=ip)
    if not decision.allowed:
        raise forms.ValidationError(
            _("Too many wrong passwords. Try again %(when)s.")
            % {"when": until_phrase(decision.retry_at)},
            code="too_many_failures",
        )
    if not user.check_password(password):
        raise forms.ValidationError(_("That password isn't right."), code="password_incorrect")
    login_throttles.attempt_succeeded(login=user.get_username(), ip=ip)


class CodeForm(StyledFormMixin, forms.Form):
    # A string, never an integer: "000123" is a valid code.
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "code-input",
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        # People paste "123 456" or "123-456".
        code = _ascii_digits(re.sub(r"[\s-]", "", self.cleaned_data["code"]))
        if not CODE_RE.match(code):
            raise forms.ValidationError(
                _("Enter the code we sent you: 6 digits."), code="invalid_code"
            )
        return code


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

    def __init__(self, *args, user=None, ip: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.ip = ip
        self.fields["country"].initial = settings.PHONENUMBER_DEFAULT_REGION
        if user is not None:
            # SECURITY: moving the second factor to another phone needs the
            # password, like turning it off: a stolen session alone can't.
            self.fields["password"] = _password_field()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        _check_password(user=self.user, password=password, ip=self.ip)
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
        cleaned["e164"] = number.as_e164
        cleaned["channel"] = Channel(cleaned.get("channel") or Channel.SMS)
        return cleaned


class DisableForm(StyledFormMixin, forms.Form):
    password = _password_field()

    def __init__(self, *args, user, ip: str | None = None, **kwargs):
        self.user = user
        self.ip = ip
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        _check_password(user=self.user, password=password, ip=self.ip)
        return password
