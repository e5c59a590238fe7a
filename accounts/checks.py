"""System checks for the accounts site's configuration.

    accounts.E001  DEBUG off and a default mailer that sends nothing (console, file, locmem, dummy)

Password reset links would then go to the logs instead of the user.
"""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.core.mail.backends.dummy import EmailBackend as DummyEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.utils.module_loading import import_string

# Backends that keep or print mail instead of sending it (the console one's
# subclasses, accounts.mail.ConsoleOutboxEmailBackend and Django's file-based
# backend, included).
UNDELIVERED = (ConsoleEmailBackend, LocmemEmailBackend, DummyEmailBackend)


@register(Tags.security)
def check_mail_backend(app_configs=None, **kwargs) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    config = getattr(settings, "MAILERS", {}).get("default")
    if config is None:
        return []
    path = config.get("BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    try:
        backend_class = import_string(path)
    except ImportError:
        return []  # Django reports that itself when mail is sent.
    # SECURITY: password reset links printed to the logs reach whoever reads
    # them, and users never get theirs.
    if isinstance(backend_class, type) and issubclass(backend_class, UNDELIVERED):
        return [
            Error(
                f"MAILERS['default'] uses {path!r}, which sends no email, and DEBUG is off.",
                hint="Set EMAIL_HOST (and the other EMAIL_* variables, see .env.example) "
                "so that email goes out by SMTP.",
                id="accounts.E001",
            )
        ]
    return []
