"""`manage.py check --deploy --fail-level WARNING` passes with DEBUG off and the
production values that .env.example documents, and the site's own security
checks report each control that is switched off."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED = re.compile(r"^# production: ([A-Z0-9_]+)=(\S*)$", re.M)
# What every production needs beside the HTTPS values (documented above them).
BASE = {
    "DEBUG": "",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "accounts.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "TWOFACTOR_VERIFY_BACKEND": "twofactor.factors.sms.backends.twilio.TwilioVerifyBackend",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_VERIFY_SERVICE_SID": "VA" + "0" * 32,
    "DATABASE_URL": "",
    "REDIS_URL": "",
}


def documented_production() -> dict[str, str]:
    return dict(DOCUMENTED.findall((ROOT / ".env.example").read_text()))


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**base, "DJANGO_SETTINGS_MODULE": "project.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_example_documents_the_production_values():
    assert documented_production() == {
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
        "BEHIND_TLS_PROXY": "1",
        "TWOFACTOR_ALLOWED_COUNTRIES": "US",
    }


def test_the_documented_production_passes_check_deploy_at_warning_level():
    result = check_deploy({**BASE, **documented_production()})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_the_https_values_check_deploy_fails_and_names_them():
    result = check_deploy(BASE)
    assert result.returncode != 0
    for check_id in ("security.W004", "security.W008"):
        assert check_id in result.stderr, result.stderr


@pytest.mark.parametrize(
    "variable, check_id",
    [
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "security.W005"),
        ("SECURE_HSTS_PRELOAD", "security.W021"),
        ("SESSION_COOKIE_SECURE", "accounts.W010"),
        ("CSRF_COOKIE_SECURE", "accounts.W011"),
    ],
)
def test_each_documented_value_matters(variable, check_id):
    env = {**BASE, **documented_production(), variable: "0"}
    result = check_deploy(env)
    assert result.returncode != 0
    assert check_id in result.stderr, result.stderr


def test_an_empty_country_allow_list_fails_the_deploy_check():
    env = {**BASE, **documented_production(), "TWOFACTOR_ALLOWED_COUNTRIES": ""}
    result = check_deploy(env)
    assert result.returncode != 0
    assert "twofactor.W002" in result.stderr, result.stderr


def test_production_cookies_are_host_prefixed_httponly_and_secure():
    code = (
        "import project.settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.CSRF_COOKIE_HTTPONLY)"
    )
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **BASE, **documented_production(), "PYTHONPATH": str(ROOT)},
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "True",
    ]


def ids(**kwargs) -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True, **kwargs)}


@override_settings(CSRF_COOKIE_HTTPONLY=False)
def test_a_csrf_cookie_readable_by_scripts_is_reported():
    assert "accounts.W012" in ids()


@override_settings(ACCOUNTS_PERMISSIONS_POLICY="")
def test_no_permissions_policy_is_reported():
    assert "accounts.W013" in ids()


@override_settings(SESSION_COOKIE_NAME="__Host-sessionid", SESSION_COOKIE_SECURE=False)
def test_a_host_prefixed_cookie_the_browser_would_drop_is_an_error():
    assert "accounts.E010" in {m.id for m in run_checks()}


@override_settings(
    SESSION_COOKIE_NAME="__Host-sessionid",
    SESSION_COOKIE_SECURE=True,
    SESSION_COOKIE_DOMAIN=".example.com",
)
def test_a_host_prefixed_cookie_with_a_domain_is_an_error():
    assert "accounts.E010" in {m.id for m in run_checks()}


def test_a_missing_security_middleware_is_reported(settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "accounts.session_limits.SessionLimitsMiddleware"
    ]
    assert "accounts.W014" in {m.id for m in run_checks()}


def test_the_test_settings_raise_none_of_these():
    # So the checks above fail because of their override, not of the suite's settings.
    assert not {"accounts.E010", "accounts.W012", "accounts.W013", "accounts.W014"} & ids()


class _FakePostgres:
    """A PostgreSQL connection as the connection check sees it."""

    vendor = "postgresql"

    def __init__(self, max_connections: int, conn_max_age: int = 600):
        self.settings_dict = {"CONN_MAX_AGE": conn_max_age}
        self.max_connections = max_connections

    def cursor(self):
        fake = self

        class Cursor:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def execute(self, sql):
                assert sql == "SHOW max_connections"

            def fetchone(self):
                return (str(fake.max_connections),)

        return Cursor()


@pytest.mark.parametrize(
    "workers, threads, max_connections, warns",
    [("2", "32", "100", True), ("2", "8", "100", False), ("2", "32", "500", False)],
)
def test_a_server_that_could_take_half_the_connections_is_reported(
    monkeypatch, workers, threads, max_connections, warns
):
    from accounts import deploy_checks

    monkeypatch.setenv("WEB_CONCURRENCY", workers)
    monkeypatch.setenv("GUNICORN_THREADS", threads)
    monkeypatch.setattr(
        deploy_checks, "connections", {"default": _FakePostgres(int(max_connections))}
    )
    found = deploy_checks.check_database_connections(databases=["default"])
    assert [w.id for w in found] == (["accounts.W016"] if warns else [])


def test_no_connection_warning_without_persistent_connections_or_postgresql(monkeypatch):
    from accounts import deploy_checks

    monkeypatch.setenv("GUNICORN_THREADS", "500")
    not_kept = _FakePostgres(100, conn_max_age=0)
    sqlite = _FakePostgres(100)
    sqlite.vendor = "sqlite"
    monkeypatch.setattr(deploy_checks, "connections", {"a": not_kept, "b": sqlite})
    assert deploy_checks.check_database_connections(databases=["a", "b"]) == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_check_reads_postgresqls_real_limit(monkeypatch):
    from django.db import connection

    from accounts import deploy_checks

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    monkeypatch.setenv("GUNICORN_THREADS", str(limit))
    found = deploy_checks.check_database_connections(databases=["default"])
    assert [w.id for w in found] == ["accounts.W016"]
    monkeypatch.setenv("GUNICORN_THREADS", "1")
    assert deploy_checks.check_database_connections(databases=["default"]) == []
