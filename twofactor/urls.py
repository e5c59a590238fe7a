from django.urls import path

from twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("2fa/verify/", views.verify, name="verify"),
    path("2fa/verify/resend/", views.verify_resend, name="verify_resend"),
    path("2fa/verify/cancel/", views.verify_cancel, name="verify_cancel"),
    path("2fa/", views.settings_page, name="settings"),
    path("2fa/enable/", views.enable, name="enable"),
    path("2fa/enable/confirm/", views.enable_confirm, name="enable_confirm"),
    path("2fa/enable/resend/", views.enable_resend, name="enable_resend"),
    path("2fa/enable/cancel/", views.enable_cancel, name="enable_cancel"),
    path("2fa/disable/", views.disable, name="disable"),
]
