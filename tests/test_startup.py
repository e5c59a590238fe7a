"""The site refuses to start, not just `manage.py check`, when production is
configured to send nothing (the WSGI/ASGI servers never run the checks)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "SECRET_KEY": "x" * 50,
    "DEBUG": "",
    "ALLOWED_HOSTS": "example.com",
    "EMAIL_HOST": "smtp.example.com",
    "TWOFACTOR_VERIFY_BACKEND": "twofactor.factors.sms.backends.twilio.TwilioVerifyBackend",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_VERIFY_SERVICE_SID": "VA" + "0" * 32,
    "DATABASE_URL": "",
    "REDIS_URL": "",
}


def _load(module: str, **overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", **PRODUCTION, **overrides}
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("module", ["project.wsgi", "project.asgi"])
def test_a_production_configuration_starts(module):
    result = _load(module)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["project.wsgi", "project.asgi"])
def test_the_console_sms_backend_in_production_refuses_to_start(module):
    result = _load(
        module,
        TWOFACTOR_VERIFY_BACKEND="twofactor.factors.sms.backends.console.ConsoleVerifyBackend",
    )
    assert result.returncode != 0
    assert "Refusing to serve" in result.stderr
    assert "twofactor.E002" in result.stderr


def test_missing_twilio_settings_refuse_to_start():
    result = _load("project.wsgi", TWILIO_AUTH_TOKEN="")
    assert result.returncode != 0
    assert "twofactor.E003" in result.stderr
