"""The environment is documented and read as documented."""

import os
import re
import subprocess
import sys
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(
    r"""(?:os\.environ(?:\.get)?[\[(]|env_bool\(|env_list\()\s*["']([A-Z0-9_]+)["']"""
)


def variables_read_by_settings() -> set[str]:
    return set(READS.findall((ROOT / "project" / "settings.py").read_text()))


def settings_in_subprocess(env: dict, code: str) -> subprocess.CompletedProcess:
    # A new interpreter: settings are read once per process.
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, "-c", f"import project.settings as s; {code}"],
        env={**base, **env, "PYTHONPATH": str(ROOT)},
        cwd="/",  # away from a developer's .env
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_settings_read_the_variables_we_expect():
    found = variables_read_by_settings()
    assert {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_HOST"} <= found
    assert {"DEFAULT_FROM_EMAIL", "TIME_ZONE", "LANGUAGE_CODE", "REDIS_URL"} <= found


def test_every_variable_is_in_env_example_and_readme():
    documented = set(dotenv_values(ROOT / ".env.example"))
    readme = (ROOT / "README.md").read_text()
    for name in variables_read_by_settings():
        assert name in documented, f"{name} is missing from .env.example"
        assert f"`{name}`" in readme, f"{name} is missing from README.md"


def test_env_example_as_is_gives_a_working_development_site():
    env = {k: v or "" for k, v in dotenv_values(ROOT / ".env.example").items()}
    result = settings_in_subprocess(
        env,
        "print(s.DEBUG, s.SERVER_EMAIL, s.DATABASES['default']['ENGINE'],"
        " s.CACHES['default']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "webmaster@localhost",
        "django.db.backends.sqlite3",
        "project.cache.AtomicDatabaseCache",
    ]


def test_debug_off_requires_a_secret_key():
    result = settings_in_subprocess({"DEBUG": "0"}, "print('started')")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_values_from_the_environment():
    result = settings_in_subprocess(
        {
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://u:p@db.internal:5432/site",
            "REDIS_URL": "redis://cache.internal:6379/1",
            "EMAIL_HOST": "smtp.internal",
            "ALLOWED_HOSTS": "a.example, b.example",
        },
        "print(s.DEBUG, s.DATABASES['default']['HOST'], s.CACHES['default']['LOCATION'],"
        " s.MAILERS['default']['OPTIONS']['host'], s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE,"
        " s.STORAGES['staticfiles']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "db.internal",
        "redis://cache.internal:6379/1",
        "smtp.internal",
        "['a.example',",
        "'b.example']",
        "True",
        "core.static_storage.StaticFilesStorage",
    ]


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        # DEBUG and SECRET_KEY empty: set, so a developer's .env can't fill them in.
        env={**base, "DEBUG": "", "SECRET_KEY": "", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_py_without_debug_or_secret_key_says_what_to_set_in_one_line():
    for command in ("check", "twofactor_status", "migrate"):
        result = _manage(command, env={})
        assert result.returncode == 1, (command, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("manage.py: SECRET_KEY must be set when DEBUG is off")
        assert "DEBUG=1" in lines[0]
        assert result.stdout == ""


def test_manage_py_with_debug_on_runs():
    result = _manage("check", env={"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_hsts_subdomains_and_preload_come_from_the_environment():
    base = {"SECRET_KEY": "x" * 50, "SECURE_HSTS_SECONDS": "31536000"}
    on = settings_in_subprocess(
        {**base, "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1", "SECURE_HSTS_PRELOAD": "true"},
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)",
    )
    assert on.returncode == 0, on.stderr
    assert on.stdout.split() == ["31536000", "True", "True"]
    off = settings_in_subprocess(
        base, "print(s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    assert off.stdout.split() == ["False", "False"]
