"""Adding a passkey: its name ("Work laptop") and the password first; renaming
one: the name alone."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from twofactor.forms import PasswordForm


def name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("So you can tell your passkeys apart, such as “Work laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Give the passkey a name.")},
    )


def clean_passkey_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise forms.ValidationError(_("Give the passkey a name."), code="required")
    return name


class AddPasskeyForm(PasswordForm):
    name = name_field()

    field_order = ["name", "password"]

    def clean_name(self) -> str:
        return clean_passkey_name(self.cleaned_data["name"])


class PasskeyNameForm(StyledFormMixin, forms.Form):
    name = name_field()

    def clean_name(self) -> str:
        return clean_passkey_name(self.cleaned_data["name"])
