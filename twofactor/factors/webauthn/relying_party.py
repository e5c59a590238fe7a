"""Who we are to an authenticator: the relying-party id (the domain a passkey
is bound to), its name, and the origins an answer may come from.

From settings (`WEBAUTHN_RP_ID`, `WEBAUTHN_ORIGIN`, defaults in twofactor/conf.py);
the system check twofactor.E005 refuses a non-HTTPS origin with DEBUG off.
"""

from django.http import HttpRequest

from twofactor.conf import app_settings


def rp_id() -> str:
    return app_settings.WEBAUTHN_RP_ID


def rp_name() -> str:
    return app_settings.WEBAUTHN_RP_NAME


def expected_origin(request: HttpRequest) -> str:
    """The configured origin; in development (unset, DEBUG on) the request's own,
    whose host Django has checked against ALLOWED_HOSTS."""
    configured = app_settings.WEBAUTHN_ORIGIN
    if configured:
        return configured
    return f"{request.scheme}://{request.get_host()}"
