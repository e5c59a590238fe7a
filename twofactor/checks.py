"""System checks: a misconfigured two-factor setup is reported by `manage.py check`
(and at every runserver/migrate), not discovered by a user at login.

    twofactor.E001  TWOFACTOR_VERIFY_BACKEND can't be imported
    twofactor.E002  a console/locmem (in-process) backend with DEBUG off
    twofactor.E003  the Twilio backend without well-formed credentials
    twofactor.E004  TwoFactorMiddleware missing, or before AuthenticationMiddleware
    twofactor.E005  WEBAUTHN_ORIGIN not https:// (or not matching WEBAUTHN_RP_ID) with DEBUG off
    twofactor.W001  TWILIO_TIMEOUT <= 0 or > 15 seconds
    twofactor.W002  (--deploy) codes may go to every country (TWOFACTOR_ALLOWED_COUNTRIES empty)
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils.module_loading import import_string

from twofactor.conf import app_settings

TWOFACTOR_MIDDLEWARE = "twofactor.middleware.TwoFactorMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
MAX_SENSIBLE_TIMEOUT = 15.0

SID_FORMATS = {
    "TWILIO_ACCOUNT_SID": re.compile(r"^AC[0-9a-fA-F]{32}$"),
    "TWILIO_VERIFY_SERVICE_SID": re.compile(r"^VA[0-9a-fA-F]{32}$"),
}


@register(Tags.security)
def check_verify_backend(app_configs=None, **kwargs) -> list[CheckMessage]:
    # Imported here: the backends import Django settings-dependent modules.
    from twofactor.factors.sms.backends.local import LocalVerifyBackend
    from twofactor.factors.sms.backends.twilio import TwilioVerifyBackend

    path = app_settings.VERIFY_BACKEND
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        return [
            Error(
                f"TWOFACTOR_VERIFY_BACKEND {path!r} cannot be imported: {exc}.",
                hint="Use twofactor.factors.sms.backends.twilio.TwilioVerifyBackend, or the "
                "console backend for development.",
                id="twofactor.E001",
            )
        ]
    if not isinstance(backend_class, type):
        return [
            Error(
                f"TWOFACTOR_VERIFY_BACKEND {path!r} is not a class.",
                id="twofactor.E001",
            )
        ]
    errors: list[CheckMessage] = []
    # SECURITY: an in-process backend sends no SMS; in production users would be locked
    # out (or codes would only be in a log), so the site refuses to start instead.
    if not settings.DEBUG and issubclass(backend_class, LocalVerifyBackend):
        errors.append(
            Error(
                f"TWOFACTOR_VERIFY_BACKEND {path!r} keeps codes in this process and sends "
                "nothing, and DEBUG is off.",
                hint="Set TWOFACTOR_VERIFY_BACKEND="
                "twofactor.factors.sms.backends.twilio.TwilioVerifyBackend "
                "and the TWILIO_* settings.",
                id="twofactor.E002",
            )
        )
    if issubclass(backend_class, TwilioVerifyBackend):
        errors.extend(_twilio_settings_errors())
    return errors


def _twilio_settings_errors() -> list[CheckMessage]:
    values = {
        "TWILIO_ACCOUNT_SID": app_settings.TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": app_settings.TWILIO_AUTH_TOKEN,
        "TWILIO_VERIFY_SERVICE_SID": app_settings.TWILIO_VERIFY_SERVICE_SID,
    }
    errors: list[CheckMessage] = []
    missing = [name for name, value in values.items() if not value]
    if missing:
        errors.append(
            Error(
                f"The Twilio Verify backend needs {', '.join(missing)}.",
                hint="Set them in the environment (see .env.example).",
                id="twofactor.E003",
            )
        )
    for name, pattern in SID_FORMATS.items():
        value = values[name]
        if value and not pattern.match(value):
            # The SID isn't secret, but it is shown only as a prefix and length.
            errors.append(
                Error(
                    f"{name} is not a Twilio SID: expected {pattern.pattern[1:3]} followed by "
                    f"32 hex digits (34 characters), got {value[:2]!r}... ({len(value)} chars).",
                    id="twofactor.E003",
                )
            )
    return errors


@register(Tags.security)
def check_middleware(app_configs=None, **kwargs) -> list[CheckMessage]:
    middleware = list(settings.MIDDLEWARE)
    if TWOFACTOR_MIDDLEWARE not in middleware:
        return [
            Error(
                f"{TWOFACTOR_MIDDLEWARE!r} is not in MIDDLEWARE: signed-in users who haven't "
                "entered their code would get every page.",
                hint=f"Add it to MIDDLEWARE after {AUTH_MIDDLEWARE!r}.",
                id="twofactor.E004",
            )
        ]
    if AUTH_MIDDLEWARE not in middleware or middleware.index(
        TWOFACTOR_MIDDLEWARE
    ) < middleware.index(AUTH_MIDDLEWARE):
        return [
            Error(
                f"In MIDDLEWARE, {TWOFACTOR_MIDDLEWARE!r} must come after {AUTH_MIDDLEWARE!r}.",
                hint="It needs request.user, which AuthenticationMiddleware sets.",
                id="twofactor.E004",
            )
        ]
    return []


@register(Tags.security)
def check_twilio_timeout(app_configs=None, **kwargs) -> list[CheckMessage]:
    try:
        timeout = app_settings.TWILIO_TIMEOUT
    except (TypeError, ValueError):
        timeout = 0.0
    if timeout <= 0 or timeout > MAX_SENSIBLE_TIMEOUT:
        return [
            Warning(
                f"TWILIO_TIMEOUT is {getattr(settings, 'TWILIO_TIMEOUT', None)!r} seconds.",
                hint=f"Use a value above 0 and at most {MAX_SENSIBLE_TIMEOUT:g}: a user waits "
                "for each request to Twilio, and 0 or less makes every request fail.",
                id="twofactor.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_allowed_countries(app_configs=None, **kwargs) -> list[CheckMessage]:
    if settings.DEBUG or app_settings.ALLOWED_COUNTRIES:
        return []
    return [
        Warning(
            "TWOFACTOR_ALLOWED_COUNTRIES is empty: codes may be sent to numbers in every country.",
            hint="List the region codes you serve (e.g. US,CA,GB): SMS pumping sends texts to "
            "premium ranges in countries a site doesn't serve.",
            id="twofactor.W002",
        )
    ]


@register(Tags.security)
def check_webauthn_origin(app_configs=None, **kwargs) -> list[CheckMessage]:
    # SECURITY: browsers make passkeys only in a secure context, and an origin
    # outside the RP id's domain would make every passkey answer fail.
    if settings.DEBUG:
        return []
    origin = app_settings.WEBAUTHN_ORIGIN
    rp_id = app_settings.WEBAUTHN_RP_ID
    parts = urlsplit(origin)
    host = parts.hostname or ""
    if parts.scheme != "https" or not (host == rp_id or host.endswith(f".{rp_id}")):
        return [
            Error(
                f"WEBAUTHN_ORIGIN {origin!r} is not an https:// origin on WEBAUTHN_RP_ID "
                f"{rp_id!r}.",
                hint="Set WEBAUTHN_RP_ID to the site's domain (example.com) and "
                "WEBAUTHN_ORIGIN to its https:// origin (https://example.com).",
                id="twofactor.E005",
            )
        ]
    return []
