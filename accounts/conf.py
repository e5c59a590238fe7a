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

    # Session lifetimes (accounts/session_limits.py)
    @property
    def SESSION_IDLE_TIMEOUT(self) -> timedelta:
        """A session not remembered is signed out after this long without a
        request (NIST 800-63B-4 AAL2: one hour)."""
        return timedelta(seconds=int(getattr(settings, "ACCOUNTS_SESSION_IDLE_TIMEOUT", 3600)))

    @property
    def SESSION_MAX_AGE(self) -> timedelta:
        """A session not remembered is signed out this long after its sign-in,
        however active (NIST 800-63B-4 AAL2: 24 hours). A remembered one keeps
        the password step for SESSION_COOKIE_AGE; its two-factor mark is what
        this age limits."""
        return timedelta(seconds=int(getattr(settings, "ACCOUNTS_SESSION_MAX_AGE", 24 * 3600)))

    @property
    def REMEMBERED_MAX_AGE(self) -> timedelta:
        """How long "Remember me" keeps the password step: SESSION_COOKIE_AGE."""
        return timedelta(seconds=int(settings.SESSION_COOKIE_AGE))

    # Password reset (accounts/views.py, accounts/background.py)
    @property
    def EMAIL_IN_BACKGROUND(self) -> bool:
        """Send the password reset email from a thread after the response, so
        known and unknown addresses are answered in the same time."""
        return bool(getattr(settings, "ACCOUNTS_EMAIL_IN_BACKGROUND", True))

    # Response headers (accounts/headers.py)
    @property
    def PERMISSIONS_POLICY(self) -> str:
        """The Permissions-Policy header on every response: the site uses none
        of these browser features, so no page (or injected script) may; passkeys
        (WebAuthn) only in the site's own pages, never in a framed other site."""
        return getattr(
            settings,
            "ACCOUNTS_PERMISSIONS_POLICY",
            "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
            "magnetometer=(), microphone=(), midi=(), payment=(), "
            "publickey-credentials-create=(self), publickey-credentials-get=(self), "
            "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=(), "
            "browsing-topics=(), interest-cohort=()",
        )

    # Email links and registration (accounts/email_links.py, accounts/registration.py)
    @property
    def EMAIL_LINK_TIMEOUT(self) -> timedelta:
        """How long a link that confirms an address (at registration or for a
        change of address) works."""
        return timedelta(seconds=int(getattr(settings, "ACCOUNTS_EMAIL_LINK_TIMEOUT", 3 * 86400)))

    @property
    def REGISTRATION_IP_LIMIT(self) -> int:
        """Registrations (each sends an email) per client address in the window."""
        return int(getattr(settings, "ACCOUNTS_REGISTRATION_IP_LIMIT", 10))

    @property
    def REGISTRATION_WINDOW(self) -> timedelta:
        return timedelta(seconds=int(getattr(settings, "ACCOUNTS_REGISTRATION_WINDOW", 3600)))

    @property
    def REAUTH_WINDOW(self) -> timedelta:
        """How long a password (and, with two-factor on, a code) entered counts
        for a sensitive change (accounts/reauth.py)."""
        return timedelta(seconds=int(getattr(settings, "ACCOUNTS_REAUTH_WINDOW", 300)))

    @property
    def REAUTH_URL(self) -> str:
        """The page that confirms it's the user (URL name or path), like LOGIN_URL."""
        return str(getattr(settings, "ACCOUNTS_REAUTH_URL", "twofactor:reauth"))


app_settings = AppSettings()
