"""The recovery-code field: letters and digits in groups, not a number pad."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from twofactor.factors.recovery import codes


class RecoveryCodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=40,
        help_text=_("One of the codes you saved, like k7pm-4xq2-9fth-3wcz."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not codes.looks_like_a_code(code):
            raise forms.ValidationError(
                _("Enter a recovery code: 16 letters and digits, like k7pm-4xq2-9fth-3wcz."),
                code="invalid_recovery_code",
            )
        return codes.normalise(code)
