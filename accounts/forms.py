from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import registration, security, throttles
from accounts.backends import find_account
from accounts.models import User
from core.client import client_ip
from core.forms import StyledFormMixin
from core.phrases import until_phrase
from core.ratelimit import Decision


class RegistrationForm(StyledFormMixin, auth_forms.UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email", "first_name", "last_name")
        widgets = {
            "username": forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    # SECURITY: a taken email is not an error here: the form is accepted and the
    # address's owner is emailed instead (accounts/registration.py), so the page
    # can't be used to find out who has an account. Both checks leave the email out.

    def validate_unique(self):
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions() | {"email"})
        except forms.ValidationError as error:
            self._update_errors(error)

    def validate_constraints(self):
        try:
            self.instance.validate_constraints(
                exclude=self._get_validation_exclusions() | {"email"}
            )
        except forms.ValidationError as error:
            self._update_errors(error)


class FailureLimitedLoginMixin:
    """Failed sign-in limits (accounts/throttles.py) for an AuthenticationForm:
    the site's sign-in page and the admin's."""

    # Set when the sign-in was refused for too many failures (the view answers 429).
    refused: Decision | None = None

    def clean(self):
        login = self.cleaned_data.get("username")
        # Only a password that will be checked counts (a blank one never is).
        attempt = bool(login and self.cleaned_data.get("password"))
        ip = client_ip(self.request) if self.request is not None else None
        if attempt:
            decision = throttles.begin_attempt(login=login, ip=ip)
            if not decision.allowed:
                # SECURITY: refused before authenticate(): past the limit the
                # password isn't checked, so right and wrong answers look alike.
                self.refused = decision
                security.record(
                    request=self.request,
                    user=find_account(login),
                    kind=security.Kind.SIGN_IN_LOCKED,
                    until=decision.retry_at.isoformat() if decision.retry_at else None,
                )
                raise forms.ValidationError(
                    gettext("Too many failed sign-ins. Try again %(when)s.")
                    % {"when": until_phrase(decision.retry_at)},
                    code="too_many_failures",
                )
        cleaned = super().clean()
        # Only a password that was checked and right gives the attempt back
        # (with the password left out, clean() passes without checking one).
        if attempt and self.user_cache is not None:
            throttles.attempt_succeeded(login=login, ip=ip)
        return cleaned


class ConfirmedEmailMixin:
    """An account made by registration signs in once its address is confirmed
    (accounts/registration.py). Asked only after a right password, so it tells
    nothing to someone who doesn't know it."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.email_confirmed:
            registration.resend_on_sign_in(request=self.request, user=user)
            raise forms.ValidationError(
                _(
                    "Please confirm your email address first: open the link we emailed "
                    "to it (we've just sent it again)."
                ),
                code="email_unconfirmed",
            )


class LoginForm(
    ConfirmedEmailMixin, FailureLimitedLoginMixin, StyledFormMixin, auth_forms.AuthenticationForm
):
    username = auth_forms.UsernameField(
        label=_("Username or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    remember_me = forms.BooleanField(label=_("Remember me"), required=False)

    error_messages = {
        # One message for an unknown user and a wrong password.
        "invalid_login": _("That username or email and password don't match an account."),
        "inactive": _("This account is inactive."),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # The message is about both inputs: tie it to them for screen readers
            # (the id is set in templates/includes/form_errors.html).
            for name in ("username", "password"):
                attrs = self.fields[name].widget.attrs
                attrs.update({"aria-invalid": "true", "aria-describedby": "form-errors"})
                if "is-invalid" not in attrs.get("class", "").split():
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            raise


class AdminLoginForm(ConfirmedEmailMixin, FailureLimitedLoginMixin, AdminAuthenticationForm):
    """The admin's sign-in page, with the same failure limits as the site's."""


class ProfileForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "about_me")
        widgets = {
            "username": forms.TextInput(attrs={"autocomplete": "username"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "about_me": forms.Textarea(attrs={"rows": 3, "maxlength": 140}),
        }

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        taken = User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("A user with that username already exists."), code="duplicate_username"
            )
        return username


class PasswordResetForm(StyledFormMixin, auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(StyledFormMixin, auth_forms.SetPasswordForm):
    pass


class EmailChangeForm(StyledFormMixin, forms.Form):
    """A new address for your account, with your password (accounts/email_change.py)."""

    email = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, ip: str | None, password_confirmed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.ip = ip
        if password_confirmed:  # just entered on the confirmation page (accounts/reauth.py)
            del self.fields["password"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.casefold() == self.user.email.casefold():
            raise forms.ValidationError(_("That is already your address."), code="same_email")
        return email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        login = self.user.get_username()
        # SECURITY: a stolen session alone can't move the account to another
        # address (and so its password resets): the password is asked, under the
        # failed sign-in limits so it can't be guessed at speed from here.
        decision = throttles.begin_attempt(login=login, ip=self.ip)
        if not decision.allowed:
            raise forms.ValidationError(
                gettext("Too many wrong passwords. Try again %(when)s.")
                % {"when": until_phrase(decision.retry_at)},
                code="too_many_failures",
            )
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password isn't right."), code="password_incorrect")
        throttles.attempt_succeeded(login=login, ip=self.ip)
        return password
