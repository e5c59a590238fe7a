"""With DEBUG off, a mail backend that sends nothing is a system check error."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings

from accounts.checks import check_mail_backend

ROOT = Path(__file__).resolve().parents[2]
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def mailers(backend: str) -> dict:
    return {"default": {"BACKEND": backend}}


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.mark.parametrize(
    "backend",
    [
        "accounts.mail.ConsoleOutboxEmailBackend",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    ],
)
def test_a_backend_that_sends_nothing_is_an_error_with_debug_off(backend):
    with override_settings(DEBUG=False, MAILERS=mailers(backend)):
        messages = check_mail_backend()
    assert ids(messages) == ["accounts.E001"]
    assert messages[0].level == checks.ERROR
    assert backend in messages[0].msg
    assert "EMAIL_HOST" in messages[0].hint


def test_the_development_backend_is_fine_with_debug_on():
    with override_settings(DEBUG=True, MAILERS=mailers("accounts.mail.ConsoleOutboxEmailBackend")):
        assert check_mail_backend() == []


@pytest.mark.parametrize("config", [{"BACKEND": SMTP}, {}])  # Django's default is SMTP
def test_smtp_is_fine_with_debug_off(config):
    with override_settings(DEBUG=False, MAILERS={"default": config}):
        assert check_mail_backend() == []


def manage_py_check(**env: str) -> subprocess.CompletedProcess:
    # A new process: the check must be registered by the app, not by this
    # test module importing accounts.checks.
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env={**base, "DJANGO_SETTINGS_MODULE": "project.settings", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_py_check_reports_it_in_production_without_email_host():
    result = manage_py_check(DEBUG="0", EMAIL_HOST="")
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr
    assert "Set EMAIL_HOST" in result.stderr

    result = manage_py_check(DEBUG="0", EMAIL_HOST="smtp.example.com")
    assert "accounts.E001" not in result.stdout + result.stderr

    result = manage_py_check(DEBUG="1", EMAIL_HOST="")
    assert result.returncode == 0, result.stderr
