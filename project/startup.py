"""What a server process checks before it serves."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def refuse_to_serve_if_misconfigured() -> None:
    """A WSGI/ASGI server never runs `manage.py check`; without this, a
    production site with the console SMS backend (or no Twilio settings, or
    console email) would start and silently send nothing."""
    errors = [message for message in checks.run_checks() if message.is_serious()]
    if errors:
        raise ImproperlyConfigured(
            "Refusing to serve; fix these first (`manage.py check` lists them):\n"
            + "\n".join(str(error) for error in errors)
        )
