"""`manage.py twofactor_check`: is the Verify backend configured and reachable?

Prints the backend in use and the service it talks to; exits non-zero with the
reason when the credentials or the service SID don't work or Twilio can't be
reached. Sends no SMS.
"""

from django.core.management.base import BaseCommand, CommandError

from twofactor.conf import app_settings
from twofactor.factors.sms.backends import get_backend
from twofactor.factors.sms.backends.base import BackendConfigurationError, BackendUnavailable


class Command(BaseCommand):
    help = "Check that the two-factor Verify backend is configured and can reach its service."
    # Diagnose even when the system checks fail (they'd hide the reason behind E003).
    requires_system_checks: list[str] = []

    def handle(self, *args, **options) -> None:
        path = app_settings.VERIFY_BACKEND
        try:
            backend = get_backend(path)
        except ImportError as exc:
            raise CommandError(
                f"TWOFACTOR_VERIFY_BACKEND {path!r} cannot be imported: {exc}"
            ) from None
        self.stdout.write(f"Backend: {path} ({backend.name})")
        try:
            description = backend.describe_service()
        except BackendConfigurationError as exc:
            raise CommandError(f"Configuration problem: {exc}") from None
        except BackendUnavailable as exc:
            raise CommandError(f"Service unavailable: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"OK: {description}"))
