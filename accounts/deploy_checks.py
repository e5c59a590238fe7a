"""System checks for the site's security headers and cookies.

Always:

    accounts.E010  a cookie named with the __Host- prefix that the browser would
                   drop (not Secure, a Domain, or a Path other than "/")
    accounts.W014  a security middleware of accounts missing from MIDDLEWARE
    accounts.W015  the first password hasher truncates long passwords (plain bcrypt: 72 bytes)

With `manage.py check --deploy` (what production should pass with
`--fail-level WARNING`; tests/test_deploy_checks.py runs it):

    accounts.W010  the session cookie is not named with the __Host- prefix
    accounts.W011  the CSRF cookie is not named with the __Host- prefix
    accounts.W012  CSRF_COOKIE_HTTPONLY is off
    accounts.W013  no Permissions-Policy header (ACCOUNTS_PERMISSIONS_POLICY empty)

With `--deploy --database default` as well (it asks the database):

    accounts.W016  one app server could hold half of PostgreSQL's max_connections or
                   more: every gunicorn thread keeps its own connection (CONN_MAX_AGE)

Django's own deploy checks cover HSTS, SSL redirect, Secure and HttpOnly.
"""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections

from accounts.conf import app_settings
from core import serving

HOST_PREFIX = "__Host-"
MIDDLEWARE = (
    "accounts.headers.SecurityHeadersMiddleware",
    "accounts.session_limits.SessionLimitsMiddleware",
)


def _cookies() -> list[tuple[str, str, bool, str | None, str]]:
    cookies = [
        (
            "SESSION_COOKIE",
            settings.SESSION_COOKIE_NAME,
            settings.SESSION_COOKIE_SECURE,
            settings.SESSION_COOKIE_DOMAIN,
            settings.SESSION_COOKIE_PATH,
        )
    ]
    if not settings.CSRF_USE_SESSIONS:
        cookies.append(
            (
                "CSRF_COOKIE",
                settings.CSRF_COOKIE_NAME,
                settings.CSRF_COOKIE_SECURE,
                settings.CSRF_COOKIE_DOMAIN,
                settings.CSRF_COOKIE_PATH,
            )
        )
    return cookies


@register(Tags.security)
def check_host_prefixed_cookies(app_configs=None, **kwargs) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for prefix, name, secure, domain, path in _cookies():
        if name.startswith(HOST_PREFIX) and (not secure or domain or path != "/"):
            # SECURITY (and availability): the browser refuses such a cookie,
            # so nobody could stay signed in or post a form.
            errors.append(
                Error(
                    f"{prefix}_NAME is {name!r} but the cookie is not Secure with no Domain "
                    "and Path=/: browsers drop it.",
                    hint=f"Set {prefix}_SECURE on (HTTPS), {prefix}_DOMAIN to None and "
                    f"{prefix}_PATH to '/', or drop the prefix.",
                    id="accounts.E010",
                )
            )
    return errors


@register(Tags.security)
def check_security_middleware(app_configs=None, **kwargs) -> list[CheckMessage]:
    return [
        Warning(
            f"{path} is not in MIDDLEWARE.",
            hint="It is one of the site's security controls (README, Security).",
            id="accounts.W014",
        )
        for path in MIDDLEWARE
        if path not in settings.MIDDLEWARE
    ]


# Hashers that ignore what follows their input limit (bcrypt: 72 bytes).
TRUNCATING_HASHERS = ("django.contrib.auth.hashers.BCryptPasswordHasher",)


@register(Tags.security)
def check_password_hasher(app_configs=None, **kwargs) -> list[CheckMessage]:
    first = settings.PASSWORD_HASHERS[0] if settings.PASSWORD_HASHERS else ""
    if first not in TRUNCATING_HASHERS:
        return []
    return [
        Warning(
            f"PASSWORD_HASHERS starts with {first!r}, which ignores all but the first "
            "72 bytes of a password: long passphrases would be truncated.",
            hint="Use Django's default (PBKDF2), Argon2 or BCryptSHA256PasswordHasher.",
            id="accounts.W015",
        )
    ]


@register(Tags.security, deploy=True)
def check_cookie_prefixes(app_configs=None, **kwargs) -> list[CheckMessage]:
    ids = {"SESSION_COOKIE": "accounts.W010", "CSRF_COOKIE": "accounts.W011"}
    return [
        Warning(
            f"{prefix}_NAME {name!r} lacks the __Host- prefix.",
            hint="Serve over HTTPS with the cookies Secure (the default with DEBUG off): "
            "the settings then name them __Host-sessionid and __Host-csrftoken.",
            id=ids[prefix],
        )
        for prefix, name, _secure, _domain, _path in _cookies()
        if not name.startswith(HOST_PREFIX)
    ]


@register(Tags.security, deploy=True)
def check_csrf_cookie_httponly(app_configs=None, **kwargs) -> list[CheckMessage]:
    if settings.CSRF_USE_SESSIONS or settings.CSRF_COOKIE_HTTPONLY:
        return []
    return [
        Warning(
            "CSRF_COOKIE_HTTPONLY is off: scripts on the page can read the CSRF token.",
            hint="No script needs it (htmx sends it from hx-headers on <body>).",
            id="accounts.W012",
        )
    ]


@register(Tags.security, deploy=True)
def check_permissions_policy(app_configs=None, **kwargs) -> list[CheckMessage]:
    if app_settings.PERMISSIONS_POLICY:
        return []
    return [
        Warning(
            "ACCOUNTS_PERMISSIONS_POLICY is empty: responses carry no Permissions-Policy.",
            hint="Leave it at its default (accounts/conf.py).",
            id="accounts.W013",
        )
    ]


@register(Tags.database, deploy=True)
def check_database_connections(app_configs=None, databases=None, **kwargs) -> list[CheckMessage]:
    """A burst that uses every thread opens workers x threads connections per
    app server and keeps them (CONN_MAX_AGE); two servers past PostgreSQL's
    limit answer "too many clients" with a 500."""
    warnings: list[CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql" or not connection.settings_dict["CONN_MAX_AGE"]:
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW max_connections")
                limit = int(cursor.fetchone()[0])
        except DatabaseError:
            continue  # Django's own checks report a database that can't be reached
        per_server = serving.workers() * serving.threads()
        if per_server * 2 > limit:
            warnings.append(
                Warning(
                    f"One app server can hold {per_server} connections to database "
                    f"{alias!r} (WEB_CONCURRENCY {serving.workers()} x GUNICORN_THREADS "
                    f"{serving.threads()}), and PostgreSQL allows {limit}: two servers in a "
                    "burst would be refused connections.",
                    hint="Raise max_connections, put PgBouncer in front, lower "
                    "GUNICORN_THREADS, or set DATABASE_CONN_MAX_AGE=0 (README, Deploying).",
                    id="accounts.W016",
                )
            )
    return warnings
