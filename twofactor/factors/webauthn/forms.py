"""Adding a passkey: its name ("Work laptop") and the password first."""

from django import forms
from django.utils.translation import gettext_lazy as _

from twofactor.forms import PasswordForm


class AddPasskeyForm(PasswordForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("So you can tell your passkeys apart, such as “Work laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    field_order = ["name", "password"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the passkey a name."), code="required")
        return name
