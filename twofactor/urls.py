"""The two-factor pages: the shared ones, then each factor's."""

from django.urls import path

from twofactor import views
from twofactor.factors.recovery import views as recovery
from twofactor.factors.sms import views as sms
from twofactor.factors.totp import views as totp
from twofactor.factors.webauthn import views as passkeys

app_name = "twofactor"

urlpatterns = [
    # The code page of a half-signed-in session.
    path("2fa/verify/", views.verify, name="verify"),
    path("2fa/verify/resend/", sms.verify_resend, name="verify_resend"),
    path("2fa/verify/cancel/", views.verify_cancel, name="verify_cancel"),
    # Confirming it's the user before a sensitive change: the password, then a code.
    path("2fa/confirm/", views.reauth, name="reauth"),
    path("2fa/verify/passkey/options/", passkeys.verify_options, name="passkey_verify_options"),
    path("2fa/verify/passkey/", passkeys.verify, name="passkey_verify"),
    # The profile's panel.
    path("2fa/", views.settings_page, name="settings"),
    path("2fa/disable/", views.disable, name="disable"),
    path("2fa/default/", views.set_default, name="set_default"),
    path("2fa/trusted/forget/", views.forget_trusted_browsers, name="trusted_forget"),
    # A phone.
    path("2fa/enable/", sms.enable, name="enable"),
    path("2fa/enable/confirm/", sms.enable_confirm, name="enable_confirm"),
    path("2fa/enable/resend/", sms.enable_resend, name="enable_resend"),
    path("2fa/enable/cancel/", sms.enable_cancel, name="enable_cancel"),
    path("2fa/phone/remove/", sms.remove, name="phone_remove"),
    # An authenticator app.
    path("2fa/app/", totp.setup, name="totp_setup"),
    path("2fa/app/cancel/", totp.cancel, name="totp_cancel"),
    path("2fa/app/remove/", totp.remove, name="totp_remove"),
    # Passkeys.
    path("2fa/passkey/add/", passkeys.add, name="passkey_add"),
    path("2fa/passkey/add/cancel/", passkeys.cancel, name="passkey_cancel"),
    path("2fa/passkey/add/options/", passkeys.register_options, name="passkey_register_options"),
    path("2fa/passkey/add/finish/", passkeys.register, name="passkey_register"),
    path("2fa/passkey/<int:pk>/rename/", passkeys.rename, name="passkey_rename"),
    path("2fa/passkey/<int:pk>/remove/", passkeys.remove, name="passkey_remove"),
    # Signing in with a passkey alone, from the sign-in page.
    path("2fa/passkey/sign-in/options/", passkeys.sign_in_options, name="passkey_sign_in_options"),
    path("2fa/passkey/sign-in/", passkeys.sign_in, name="passkey_sign_in"),
    # Recovery codes.
    path("2fa/recovery/", recovery.make, name="recovery_make"),
]
