"""The two-factor app's settings, with their defaults, read when used.

Reading at call time (not import time) keeps `override_settings` and the
pytest `settings` fixture working in tests.
"""

from datetime import timedelta

from django.conf import settings


def _is_ipv4(name: str) -> bool:
    return all(part.isdigit() for part in name.split(".")) and name.count(".") == 3


class AppSettings:
    @property
    def VERIFY_BACKEND(self) -> str:
        return getattr(
            settings,
            "TWOFACTOR_VERIFY_BACKEND",
            "twofactor.factors.sms.backends.console.ConsoleVerifyBackend",
        )

    # Twilio
    @property
    def TWILIO_ACCOUNT_SID(self) -> str:
        return getattr(settings, "TWILIO_ACCOUNT_SID", "")

    @property
    def TWILIO_AUTH_TOKEN(self) -> str:
        return getattr(settings, "TWILIO_AUTH_TOKEN", "")

    @property
    def TWILIO_VERIFY_SERVICE_SID(self) -> str:
        return getattr(settings, "TWILIO_VERIFY_SERVICE_SID", "")

    @property
    def TWILIO_VERIFY_API_URL(self) -> str:
        return getattr(settings, "TWILIO_VERIFY_API_URL", "https://verify.twilio.com").rstrip("/")

    @property
    def TWILIO_TIMEOUT(self) -> float:
        """Seconds before a request to Twilio is given up (connect and read)."""
        return float(getattr(settings, "TWILIO_TIMEOUT", 5))

    # Flow limits
    @property
    def PENDING_TIMEOUT(self) -> timedelta:
        """How long a half-signed-in session may wait for its code."""
        return timedelta(seconds=getattr(settings, "TWOFACTOR_PENDING_TIMEOUT", 600))

    @property
    def RESEND_COOLDOWN(self) -> timedelta:
        """The wait between two sends to the same user."""
        return timedelta(seconds=getattr(settings, "TWOFACTOR_RESEND_COOLDOWN", 30))

    @property
    def SEND_LIMIT(self) -> int:
        """Sends allowed per user (and per number) in SEND_WINDOW."""
        return int(getattr(settings, "TWOFACTOR_SEND_LIMIT", 5))

    @property
    def SEND_WINDOW(self) -> timedelta:
        return timedelta(seconds=getattr(settings, "TWOFACTOR_SEND_WINDOW", 3600))

    @property
    def IP_SEND_LIMIT(self) -> int:
        """Sends allowed from one client address in SEND_WINDOW (SMS pumping)."""
        return int(getattr(settings, "TWOFACTOR_IP_SEND_LIMIT", 20))

    @property
    def CHECK_LIMIT(self) -> int:
        """Wrong codes allowed per user in CHECK_WINDOW, across verifications."""
        return int(getattr(settings, "TWOFACTOR_CHECK_LIMIT", 10))

    @property
    def CHECK_WINDOW(self) -> timedelta:
        return timedelta(seconds=getattr(settings, "TWOFACTOR_CHECK_WINDOW", 900))

    # "Someone who knows your password" (twofactor/flows.py, twofactor/notify.py)
    @property
    def PASSWORD_KNOWN_ALERT_AFTER(self) -> int:
        """Wrong sign-in codes (any code factor) after a right password, within
        PASSWORD_KNOWN_ALERT_WINDOW, that email the owner; 0 turns it off.
        Below CHECK_LIMIT, or the lock stops the codes before the email."""
        return int(getattr(settings, "TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER", 3))

    @property
    def PASSWORD_KNOWN_ALERT_WINDOW(self) -> timedelta:
        """The window the wrong codes count in; at most one email per window."""
        return timedelta(
            seconds=int(getattr(settings, "TWOFACTOR_PASSWORD_KNOWN_ALERT_WINDOW", 3600))
        )

    # Trusted browsers (twofactor/trust.py)
    @property
    def TRUST_DAYS(self) -> int:
        """Days a browser the user trusted skips the code; 0 turns the checkbox off."""
        return int(getattr(settings, "TWOFACTOR_TRUST_DAYS", 30))

    # Passkeys (twofactor/factors/webauthn/)
    @property
    def WEBAUTHN_RP_ID(self) -> str:
        """The relying party id: the site's domain (no scheme, no port). By
        default the first host name in ALLOWED_HOSTS ("localhost" in development)."""
        configured = getattr(settings, "WEBAUTHN_RP_ID", "")
        if configured:
            return configured
        for host in settings.ALLOWED_HOSTS:
            name = host.lstrip(".")
            # Not a wildcard, and not an IP address: browsers refuse both as an RP id.
            if name and name != "*" and not name.startswith("[") and not _is_ipv4(name):
                return name
        return "localhost"

    @property
    def WEBAUTHN_ORIGIN(self) -> str:
        """The origin a passkey response must come from ("https://example.com").
        "" (the default with DEBUG on) accepts the request's own origin, whatever
        port runserver uses; with DEBUG off the default is https://<RP id>."""
        configured = getattr(settings, "WEBAUTHN_ORIGIN", "")
        if configured or settings.DEBUG:
            return configured.rstrip("/")
        return f"https://{self.WEBAUTHN_RP_ID}"

    @property
    def WEBAUTHN_RP_NAME(self) -> str:
        return getattr(settings, "WEBAUTHN_RP_NAME", "") or settings.SITE_NAME

    @property
    def WEBAUTHN_CHALLENGE_TIMEOUT(self) -> timedelta:
        """How long a passkey challenge stays valid (it is used once either way)."""
        return timedelta(seconds=getattr(settings, "WEBAUTHN_CHALLENGE_TIMEOUT", 300))

    @property
    def WEBAUTHN_PASSWORDLESS(self) -> bool:
        """ "Sign in with a passkey" on the sign-in page: a passkey that checks
        its owner (fingerprint, face, PIN) is both factors in one."""
        return bool(getattr(settings, "WEBAUTHN_PASSWORDLESS", True))

    # Staff (twofactor/staff.py)
    @property
    def REQUIRED_FOR_STAFF(self) -> bool:
        """Staff need a second factor before any admin page opens; on unless DEBUG."""
        return bool(getattr(settings, "TWOFACTOR_REQUIRED_FOR_STAFF", not settings.DEBUG))

    # SMS pumping and cost (twofactor/factors/sms/policy.py)
    @property
    def ALLOWED_COUNTRIES(self) -> list[str]:
        """Region codes ("US", "GB") whose numbers may get codes; empty: all."""
        return [c.upper() for c in getattr(settings, "TWOFACTOR_ALLOWED_COUNTRIES", [])]

    @property
    def BLOCKED_PREFIXES(self) -> list[str]:
        """E.164 prefixes that never get codes: satellite and other ranges
        known for premium-rate abuse."""
        return list(getattr(settings, "TWOFACTOR_BLOCKED_PREFIXES", ["+881", "+882", "+883"]))

    @property
    def GLOBAL_SEND_LIMIT(self) -> int:
        """Codes the whole site may send per GLOBAL_SEND_WINDOW: a known
        ceiling on spend, however many accounts and addresses an attack uses."""
        return int(getattr(settings, "TWOFACTOR_GLOBAL_SEND_LIMIT", 1000))

    @property
    def GLOBAL_SEND_WINDOW(self) -> timedelta:
        return timedelta(seconds=int(getattr(settings, "TWOFACTOR_GLOBAL_SEND_WINDOW", 3600)))

    @property
    def VERIFY_RATE_LIMITS(self) -> dict[str, str]:
        """Verify Service Rate Limits to pass on every send: the Rate Limit's
        unique name for each fact we have ("user", "ip"); empty: none."""
        return dict(getattr(settings, "TWOFACTOR_VERIFY_RATE_LIMITS", {}))


app_settings = AppSettings()
