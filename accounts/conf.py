"""The accounts app's settings, with their defaults, read when used.

The one place a default is written: `project/settings.py` sets an `ACCOUNTS_*`
name only when its environment variable is present. Reading at call time
keeps `override_settings` and the pytest `settings` fixture working.
"""

from datetime import timedelta

from django.conf import settings


class AppSettings:
    @property
    def LOGIN_FAILURE_LIMIT(self) -> int:
        """Failed sign-ins per login (username or email) and client address."""
        return int(getattr(settings, "ACCOUNTS_LOGIN_FAILURE_LIMIT", 10))

    @property
    def LOGIN_FAILURE_IP_LIMIT(self) -> int:
        """Failed sign-ins per client address, whatever the login."""
        return int(getattr(settings, "ACCOUNTS_LOGIN_FAILURE_IP_LIMIT", 50))

    @property
    def LOGIN_FAILURE_WINDOW(self) -> timedelta:
        """The window both failure limits count in."""
        return timedelta(seconds=int(getattr(settings, "ACCOUNTS_LOGIN_FAILURE_WINDOW", 900)))

    @property
    def LAST_SEEN_RESOLUTION(self) -> timedelta:
        """`last_seen` is informational: written at most this often."""
        return timedelta(seconds=int(getattr(settings, "ACCOUNTS_LAST_SEEN_RESOLUTION", 300)))


app_settings = AppSettings()
