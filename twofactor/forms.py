"""The forms every factor shares: a code, and the password before a change."""

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import reauth
from accounts import throttles as login_throttles
from core.client import client_ip
from core.forms import StyledFormMixin
from core.phrases import until_phrase

# ASCII digits only: \d would also match other scripts' digits.
CODE_RE = re.compile(r"^[0-9]{4,10}$")


def _ascii_digits(text: str) -> str:
    """ "١٢٣٤٥٦" (typed on an Arabic keyboard, say) -> "123456"."""
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.decimal(char, None) is not None else char
        for char in text
    )


def password_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control"}
        ),
    )


def check_password(*, user, password: str, ip: str | None) -> None:
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
            raise forms.ValidationError(_("Enter the 6-digit code."), code="invalid_code")
        return code


class CodeAndPasswordForm(CodeForm):
    """A new factor's first code, and the password when two-factor is already
    on: a stolen session alone can't add a factor of its own."""

    def __init__(
        self, *args, user=None, ip: str | None = None, password_confirmed: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        self.ip = ip
        if user is not None and not password_confirmed:
            self.fields["password"] = password_field()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        check_password(user=self.user, password=password, ip=self.ip)
        return password


class PasswordForm(StyledFormMixin, forms.Form):
    """The current password, before a change to the second factor; left out
    when it was just entered on the confirmation page (accounts/reauth.py)."""

    password = password_field()

    def __init__(
        self, *args, user, ip: str | None = None, password_confirmed: bool = False, **kwargs
    ):
        self.user = user
        self.ip = ip
        super().__init__(*args, **kwargs)
        if password_confirmed:
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        check_password(user=self.user, password=password, ip=self.ip)
        return password


def password_kwargs(request) -> dict:
    """The user, the client address and whether the password was entered on
    the confirmation page within ACCOUNTS_REAUTH_WINDOW, for the forms above."""
    return {
        "user": request.user,
        "ip": client_ip(request),
        "password_confirmed": reauth.password_recent(request),
    }
