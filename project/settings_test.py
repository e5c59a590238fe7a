"""Settings for the test suite: the production settings with test-only values.

The environment still decides the database (DATABASE_URL) and cache (REDIS_URL),
so the same suite runs on SQLite and on PostgreSQL with Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")

from project.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TWOFACTOR_VERIFY_BACKEND = "twofactor.factors.sms.backends.locmem.LocmemVerifyBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
if not REDIS_URL:  # noqa: F405
    # One process: the suite's own cache in memory, emptied around each test
    # (tests without the database clear it too). The servers that
    # tests/test_two_servers.py starts use the production database cache.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Plain names: the live-server tests speak plain HTTP, where a browser refuses
# __Host- cookies (tests/test_deploy_checks.py checks the production names).
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
LANGUAGE_COOKIE_NAME = "django_language"
SECURE_SSL_REDIRECT = False
# Serve static files from the finders; there is no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Password reset emails inline: another thread can't see a test's uncommitted
# rows (tests/accounts/test_reset_timing.py runs the background thread).
ACCOUNTS_EMAIL_IN_BACKGROUND = False
