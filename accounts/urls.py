from django.urls import path

from accounts import email_views, session_views, views

urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/register/", views.RegisterView.as_view(), name="register"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/profile/edit/", views.EditProfileView.as_view(), name="edit_profile"),
    path("accounts/register/done/", email_views.register_done, name="register_done"),
    path("accounts/confirm/<str:token>/", email_views.confirm_email, name="confirm_email"),
    path("accounts/email/", email_views.email_change_view, name="email_change"),
    path(
        "accounts/email/confirm/<str:token>/",
        email_views.email_change_confirm,
        name="email_change_confirm",
    ),
    path(
        "accounts/sessions/<int:pk>/sign-out/",
        session_views.sign_out_session,
        name="sign_out_session",
    ),
    path(
        "accounts/sessions/sign-out-others/",
        session_views.sign_out_others,
        name="sign_out_others",
    ),
    path("user/<str:username>/", views.profile, name="profile"),
]
