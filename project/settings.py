"""Settings for the accounts site.

This is the one place that reads the environment. `.env` is loaded when present
(python-dotenv); `.env.example` documents every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: set SECRET_KEY (long and random) in "
            "production, or DEBUG=1 for development (`DEBUG=1 python manage.py ...`, or "
            "copy .env.example to .env)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = os.environ.get("SITE_NAME", "Accounts")
# Addresses that may see development pages such as /dev/outbox/ (with DEBUG on).
INTERNAL_IPS = ["127.0.0.1", "::1"]

INSTALLED_APPS = [
    "accounts",
    "twofactor",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "phonenumber_field",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages gzip-compressed for a client that accepts it (static files come
    # compressed from WhiteNoise above, which answers before this runs). Safe
    # against BREACH here: README "Performance" says why.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.headers.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.session_limits.SessionLimitsMiddleware",
    "accounts.middleware.LastSeenMiddleware",
    "accounts.active_sessions.ActiveSessionMiddleware",
    "twofactor.middleware.TwoFactorMiddleware",
]

ROOT_URLCONF = "project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.site",
                "twofactor.context_processors.twofactor",
            ],
        },
    },
]

WSGI_APPLICATION = "project.wsgi.application"

# DATABASE_URL: an SQLite file by default; any dj-database-url URL works
# (postgres://user@host:5432/name).
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Opening a PostgreSQL connection costs a round trip and authentication
        # on every request; keep it (checked before reuse) unless told otherwise.
        conn_max_age=int(
            os.environ.get("DATABASE_CONN_MAX_AGE")
            or (0 if DATABASE_URL.startswith("sqlite") else 600)
        ),
        conn_health_checks=True,
    )
}
# SQLite for concurrent requests (issue 11; measured by `make bench-load`):
# - WAL: readers don't wait for a writer, nor a writer for readers.
# - IMMEDIATE: a transaction takes the write lock when it begins. Without it, a
#   transaction that reads and then writes can't wait for the lock when another
#   wrote meanwhile (SQLite refuses at once): "database is locked", a 500.
# - timeout: how long a writer waits its turn (SQLite's busy timeout), in seconds.
# - synchronous=NORMAL: with WAL, commits wait for the disk only at checkpoints;
#   a power cut may lose the last commits, never corrupt the file.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT") or 20),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)

# REDIS_URL: when set, the cache (rate-limit counters, the dev outbox) lives
# in Redis, and sessions are read from it and written through to the database
# (`cached_db`). Without it, the cache is a table in the database (`manage.py
# createcachetable`; `make run` and `make serve` do it), never one process's
# memory: every worker and every app server must see the same counters, or
# each would allow its own full limit.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "accounts"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "project.cache.AtomicDatabaseCache", "LOCATION": "django_cache"}
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "index"
LOGOUT_REDIRECT_URL = "login"

# Argon2id (argon2-cffi) with OWASP's parameters (accounts/hashers.py) for
# every new or changed password: memory-hard, so a stolen hash is dear to guess
# on a GPU, and a sixth of the CPU of Django's default PBKDF2 per check. Django's
# own Argon2 and PBKDF2 stay to check the hashes made before; Django re-hashes
# such a password with the first hasher when its owner next signs in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# Length is the only rule, no composition rules; common, breached and
# account-like passwords are refused (accounts/passwords.py says why).
# Django's rules, judging the password as it is hashed (NFKC; accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("ACCOUNTS_PASSWORD_MIN_LENGTH") or 15)},
    },
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.BreachedPasswordValidator"},
]

# "Remember me" keeps the session this long; unchecked, it ends with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 24 * 3600)))
SESSION_COOKIE_HTTPONLY = True
# Scripts never read the CSRF token from its cookie: htmx sends it from
# hx-headers on <body>, forms from {% csrf_token %}.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 3600)))
# Failed sign-in limits and session lifetimes; defaults and meaning in
# accounts/conf.py, set here only when the environment says.
for _name in (
    "ACCOUNTS_LOGIN_FAILURE_LIMIT",
    "ACCOUNTS_LOGIN_FAILURE_IP_LIMIT",
    "ACCOUNTS_LOGIN_FAILURE_WINDOW",
    "ACCOUNTS_SESSION_IDLE_TIMEOUT",
    "ACCOUNTS_SESSION_MAX_AGE",
    "ACCOUNTS_EMAIL_LINK_TIMEOUT",
    "ACCOUNTS_REGISTRATION_IP_LIMIT",
    "ACCOUNTS_REGISTRATION_WINDOW",
    "ACCOUNTS_REAUTH_WINDOW",
):
    if os.environ.get(_name):
        globals()[_name] = int(os.environ[_name])
# Password reset emails from a thread after the response (accounts/background.py).
ACCOUNTS_EMAIL_IN_BACKGROUND = env_bool("ACCOUNTS_EMAIL_IN_BACKGROUND", True)

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-us")
# The languages the site's own text is translated into (locale/, README
# "Languages"), each named in itself for the switcher. LocaleMiddleware picks
# one from the language cookie, else the browser's Accept-Language; Django's
# own text, the emails sent for the request and the Verify locale follow it.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
# The switcher's choice (django.views.i18n.set_language) is remembered for a
# year. No script reads it; Lax like the session cookie; Secure (and the
# __Host- prefix) in production, below.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Always the production storage: `collectstatic` then writes the manifest and
# the gzip and brotli copies whatever DEBUG says (with DEBUG on, `{% static %}`
# names the plain files and needs no manifest). A DEBUG-only storage here once
# meant a `collectstatic` run with DEBUG=1 left no manifest, and the production
# server answered 500 on every page.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.static_storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Email (Django 6.1 MAILERS): SMTP when EMAIL_HOST is set, otherwise printed to
# the console (and listed at /dev/outbox/ with DEBUG on).
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "10")),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "accounts.mail.ConsoleOutboxEmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# `or`: an empty SERVER_EMAIL= (as in .env.example) means the default too.
SERVER_EMAIL = os.environ.get("SERVER_EMAIL") or DEFAULT_FROM_EMAIL

# Two-factor authentication. Every TWOFACTOR_*/TWILIO_* default lives in
# twofactor/conf.py; a name is set here only when its variable is in the
# environment (an empty value counts as absent).
for _name, _cast in (
    ("TWOFACTOR_VERIFY_BACKEND", str),
    ("TWILIO_ACCOUNT_SID", str),
    ("TWILIO_AUTH_TOKEN", str),
    ("TWILIO_VERIFY_SERVICE_SID", str),
    ("TWILIO_VERIFY_API_URL", str),
    ("TWILIO_TIMEOUT", float),
    ("TWOFACTOR_PENDING_TIMEOUT", int),
    ("TWOFACTOR_RESEND_COOLDOWN", int),
    ("TWOFACTOR_SEND_LIMIT", int),
    ("TWOFACTOR_SEND_WINDOW", int),
    ("TWOFACTOR_IP_SEND_LIMIT", int),
    ("TWOFACTOR_CHECK_LIMIT", int),
    ("TWOFACTOR_CHECK_WINDOW", int),
    ("TWOFACTOR_TRUST_DAYS", int),
    ("TWOFACTOR_PASSWORD_KNOWN_ALERT_AFTER", int),
    ("TWOFACTOR_PASSWORD_KNOWN_ALERT_WINDOW", int),
    # Passkeys: the site's domain and its https:// origin (twofactor/conf.py).
    ("WEBAUTHN_RP_ID", str),
    ("WEBAUTHN_ORIGIN", str),
):
    if os.environ.get(_name):
        globals()[_name] = _cast(os.environ[_name])
# "Sign in with a passkey" on the sign-in page (default: on).
if os.environ.get("WEBAUTHN_PASSWORDLESS"):
    WEBAUTHN_PASSWORDLESS = env_bool("WEBAUTHN_PASSWORDLESS")
# Staff need a second factor before the admin opens (default: on unless DEBUG).
if os.environ.get("TWOFACTOR_REQUIRED_FOR_STAFF"):
    TWOFACTOR_REQUIRED_FOR_STAFF = env_bool("TWOFACTOR_REQUIRED_FOR_STAFF")
# SMS pumping and cost (defaults in twofactor/conf.py): comma-separated region
# codes and E.164 prefixes; "user=NAME,ip=NAME" names Verify Service Rate Limits.
for _name in ("TWOFACTOR_ALLOWED_COUNTRIES", "TWOFACTOR_BLOCKED_PREFIXES"):
    if os.environ.get(_name) is not None:
        globals()[_name] = env_list(_name)
for _name in ("TWOFACTOR_GLOBAL_SEND_LIMIT", "TWOFACTOR_GLOBAL_SEND_WINDOW"):
    if os.environ.get(_name):
        globals()[_name] = int(os.environ[_name])
if os.environ.get("TWOFACTOR_VERIFY_RATE_LIMITS"):
    TWOFACTOR_VERIFY_RATE_LIMITS = dict(
        pair.split("=", 1) for pair in env_list("TWOFACTOR_VERIFY_RATE_LIMITS") if "=" in pair
    )
# Reverse proxies in front of the site that append to X-Forwarded-For (the
# client address every limit counts; core/client.py).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES") or 0)
PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONENUMBER_DEFAULT_REGION", "US")
PHONENUMBER_DB_FORMAT = "E164"

# Security headers. A strict Content Security Policy: no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    # As the session cookie unless told: a trial of `make serve` on plain HTTP
    # with SESSION_COOKIE_SECURE=0 (README) can still switch language.
    LANGUAGE_COOKIE_SECURE = env_bool("LANGUAGE_COOKIE_SECURE", SESSION_COOKIE_SECURE)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
    SECURE_PROXY_SSL_HEADER = (
        ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
    )
    # The __Host- prefix: the browser takes these cookies only over HTTPS, for
    # this host alone (no Domain) and the whole site (Path=/), so neither a
    # subdomain nor a plain-HTTP page can set or shadow them. Only with Secure:
    # without it the browser would drop them.
    if SESSION_COOKIE_SECURE:
        SESSION_COOKIE_NAME = "__Host-sessionid"
    if CSRF_COOKIE_SECURE:
        CSRF_COOKIE_NAME = "__Host-csrftoken"
    if LANGUAGE_COOKIE_SECURE:
        LANGUAGE_COOKIE_NAME = "__Host-language"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "accounts": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "twofactor": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    },
}

# Forms render with Jinja2 through core/jinja2/django/forms/ (Bootstrap markup,
# error ids) and Django's own Jinja2 widget templates: core/form_rendering.py.
FORM_RENDERER = "core.form_rendering.BootstrapFormRenderer"
