"""Verify backends: who sends and checks the codes (pluggable like EMAIL_BACKEND)."""

from django.utils.module_loading import import_string

from twofactor.conf import app_settings
from twofactor.factors.sms.backends.base import (
    CancelResult,
    CancelStatus,
    Channel,
    CheckResult,
    CheckStatus,
    SendResult,
    SendStatus,
    VerifyBackend,
)

__all__ = [
    "CancelResult",
    "CancelStatus",
    "Channel",
    "CheckResult",
    "CheckStatus",
    "SendResult",
    "SendStatus",
    "VerifyBackend",
    "get_backend",
]


def get_backend(path: str | None = None) -> VerifyBackend:
    """An instance of the configured backend (TWOFACTOR_VERIFY_BACKEND), made when used."""
    return import_string(path or app_settings.VERIFY_BACKEND)()
