"""The accounts app."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the system checks and the sign-in receiver.
        from accounts import (  # noqa: F401
            active_sessions,
            checks,
            deploy_checks,
            session_limits,
            signals,
        )
