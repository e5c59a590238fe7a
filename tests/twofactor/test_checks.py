"""System checks report a misconfigured two-factor setup."""

import pytest
from django.core import checks

from twofactor.checks import (
    AUTH_MIDDLEWARE,
    TWOFACTOR_MIDDLEWARE,
    check_middleware,
    check_twilio_timeout,
    check_verify_backend,
)

TWILIO = "twofactor.factors.sms.backends.twilio.TwilioVerifyBackend"
GOOD_ACCOUNT = "AC" + "0123456789abcdef" * 2
GOOD_SERVICE = "VA" + "0123456789abcdef" * 2


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.fixture
def twilio_settings(settings):
    settings.DEBUG = False
    settings.TWOFACTOR_VERIFY_BACKEND = TWILIO
    settings.TWILIO_ACCOUNT_SID = GOOD_ACCOUNT
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_VERIFY_SERVICE_SID = GOOD_SERVICE
    settings.TWILIO_TIMEOUT = 5
    return settings


@pytest.mark.django_db  # the model checks ask the database (JSONField)
def test_checks_are_registered_and_pass_on_a_good_production_setup(twilio_settings):
    assert [m for m in checks.run_checks() if m.id.startswith("twofactor.")] == []


@pytest.mark.django_db  # the model checks ask the database (JSONField)
def test_registered_checks_find_problems(twilio_settings):
    twilio_settings.TWILIO_AUTH_TOKEN = ""
    assert "twofactor.E003" in ids(checks.run_checks())


@pytest.mark.parametrize(
    "path", ["twofactor.factors.sms.backends.nope.Backend", "no_such_module.X", "x"]
)
def test_e001_backend_not_importable(settings, path):
    settings.TWOFACTOR_VERIFY_BACKEND = path
    messages = check_verify_backend()
    assert ids(messages) == ["twofactor.E001"]
    assert path in messages[0].msg


@pytest.mark.parametrize(
    "path",
    [
        "twofactor.factors.sms.backends.console.ConsoleVerifyBackend",
        "twofactor.factors.sms.backends.locmem.LocmemVerifyBackend",
        "twofactor.factors.sms.backends.local.LocalVerifyBackend",
    ],
)
def test_e002_in_process_backend_without_debug(settings, path):
    settings.TWOFACTOR_VERIFY_BACKEND = path
    settings.DEBUG = False
    assert ids(check_verify_backend()) == ["twofactor.E002"]
    settings.DEBUG = True
    assert check_verify_backend() == []


@pytest.mark.parametrize(
    "missing", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_VERIFY_SERVICE_SID"]
)
def test_e003_names_the_missing_twilio_setting(twilio_settings, missing):
    setattr(twilio_settings, missing, "")
    messages = check_verify_backend()
    assert ids(messages) == ["twofactor.E003"]
    assert missing in messages[0].msg
    others = {"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_VERIFY_SERVICE_SID"} - {missing}
    assert not any(name in messages[0].msg for name in others)


def test_e003_also_with_debug_on(twilio_settings):
    twilio_settings.DEBUG = True
    twilio_settings.TWILIO_ACCOUNT_SID = ""
    assert ids(check_verify_backend()) == ["twofactor.E003"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TWILIO_ACCOUNT_SID", "AC123"),
        ("TWILIO_ACCOUNT_SID", GOOD_SERVICE),  # a service SID where the account goes
        ("TWILIO_ACCOUNT_SID", GOOD_ACCOUNT + "0"),
        ("TWILIO_ACCOUNT_SID", "AC" + "g" * 32),
        ("TWILIO_VERIFY_SERVICE_SID", GOOD_ACCOUNT),
        ("TWILIO_VERIFY_SERVICE_SID", "VA" + "0" * 31),
    ],
)
def test_e003_malformed_sid(twilio_settings, name, value):
    setattr(twilio_settings, name, value)
    messages = check_verify_backend()
    assert ids(messages) == ["twofactor.E003"]
    assert name in messages[0].msg


def test_e003_does_not_show_the_token(twilio_settings):
    twilio_settings.TWILIO_AUTH_TOKEN = "super-secret-token"
    twilio_settings.TWILIO_ACCOUNT_SID = "bad"
    assert all("super-secret-token" not in m.msg for m in check_verify_backend())


def test_twilio_settings_not_required_for_other_backends(settings):
    settings.DEBUG = True
    settings.TWOFACTOR_VERIFY_BACKEND = (
        "twofactor.factors.sms.backends.console.ConsoleVerifyBackend"
    )
    settings.TWILIO_ACCOUNT_SID = ""
    assert check_verify_backend() == []


def test_e004_middleware_missing(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != TWOFACTOR_MIDDLEWARE]
    assert ids(check_middleware()) == ["twofactor.E004"]


def test_e004_middleware_before_authentication(settings):
    rest = [m for m in settings.MIDDLEWARE if m not in (TWOFACTOR_MIDDLEWARE, AUTH_MIDDLEWARE)]
    settings.MIDDLEWARE = [*rest, TWOFACTOR_MIDDLEWARE, AUTH_MIDDLEWARE]
    assert ids(check_middleware()) == ["twofactor.E004"]


def test_e004_authentication_middleware_missing(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != AUTH_MIDDLEWARE]
    assert ids(check_middleware()) == ["twofactor.E004"]


def test_middleware_in_the_project_order_passes():
    assert check_middleware() == []


@pytest.mark.parametrize(
    ("timeout", "warns"), [(0, True), (-1, True), (16, True), (15, False), (0.5, False)]
)
def test_w001_timeout(settings, timeout, warns):
    settings.TWILIO_TIMEOUT = timeout
    assert ids(check_twilio_timeout()) == (["twofactor.W001"] if warns else [])
