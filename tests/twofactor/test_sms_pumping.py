"""SMS pumping and cost: numbers that never get codes (countries outside the
allow-list, blocked prefixes, premium-rate/toll-free/shared-cost/UAN/pager
types), a site-wide ceiling with one staff email per window, and Twilio's own
fraud controls (DeviceIp, RiskCheck, Service Rate Limits) on every send."""

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.test import Client

from tests.twofactor.conftest import ENABLE_URL, HX, VERIFY_URL, login, make_device, page_text
from twofactor.factors.sms import policy
from twofactor.factors.sms.backends import locmem
from twofactor.factors.sms.backends.base import SendContext
from twofactor.factors.sms.backends.twilio import _rate_limits


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("+19005550123", policy.Refusal.NUMBER_TYPE),  # US premium rate (900)
        ("+449098790123", policy.Refusal.NUMBER_TYPE),  # UK premium rate (09)
        ("+18005550199", policy.Refusal.NUMBER_TYPE),  # US toll free
        ("+881612345678", policy.Refusal.PREFIX),  # satellite
        ("+12015550123", None),
        ("+447911123456", None),  # a UK mobile
    ],
)
def test_numbers_that_never_get_codes(number, why):
    assert policy.refusal(number) == why


def test_the_allow_list(settings):
    settings.TWOFACTOR_ALLOWED_COUNTRIES = ["us"]
    assert policy.refusal("+12015550123") is None
    assert policy.refusal("+447911123456") is policy.Refusal.COUNTRY


def test_the_phone_form_refuses_a_premium_number_before_any_send(client_logged_in):
    response = client_logged_in.post(ENABLE_URL, {"country": "US", "number": "900 555 0123"}, **HX)
    assert response.status_code == 422
    assert "We can't send codes to this kind of number" in page_text(response)
    assert 'value="900 555 0123"' in response.content.decode()  # what was typed stays
    assert locmem.outbox == []


def test_the_country_list_shows_only_allowed_countries(client_logged_in, settings):
    settings.TWOFACTOR_ALLOWED_COUNTRIES = ["US", "CA"]
    text = client_logged_in.get(ENABLE_URL, **HX).content.decode()
    assert 'value="US"' in text and 'value="CA"' in text
    assert 'value="GB"' not in text
    response = client_logged_in.post(ENABLE_URL, {"country": "GB", "number": "07911 123456"}, **HX)
    assert response.status_code == 422
    assert locmem.outbox == []


def test_a_phone_in_a_country_no_longer_allowed_gets_no_code(
    client, enrolled_user, password, settings
):
    settings.TWOFACTOR_ALLOWED_COUNTRIES = ["GB"]
    login(client, enrolled_user.username, password)
    response = client.get(VERIFY_URL)
    assert "We can't send codes to numbers in that country." in page_text(response)
    assert locmem.outbox == []


def test_the_site_wide_ceiling_is_a_503_and_staff_hear_once(user_factory, password, settings):
    settings.TWOFACTOR_GLOBAL_SEND_LIMIT = 2
    settings.ADMINS = ["ops@example.com"]
    statuses = []
    for n in range(4):
        user = user_factory()
        make_device(user, number=f"+1201555{n:04d}")
        client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")  # many addresses, many accounts
        login(client, user.username, password)
        response = client.get(VERIFY_URL)
        statuses.append(response.status_code)
        if n == 3:
            assert "Sending codes is temporarily unavailable." in page_text(response)
    assert len(locmem.outbox) == 2
    assert statuses == [200, 200, 503, 503], "the code page says 'unavailable' with a 503"
    staff = [m for m in mail.outbox if "site-wide limit" in m.subject]
    assert len(staff) == 1 and staff[0].to == ["ops@example.com"]


def test_a_refused_send_gives_its_site_wide_slot_back(client_logged_in, settings):
    settings.TWOFACTOR_GLOBAL_SEND_LIMIT = 1
    settings.TWOFACTOR_RESEND_COOLDOWN = 0
    locmem.fail_next_send(locmem.SendStatus.UNAVAILABLE)
    assert (
        client_logged_in.post(
            ENABLE_URL, {"country": "US", "number": "2015550123"}, **HX
        ).status_code
        == 503
    )
    response = client_logged_in.post(ENABLE_URL, {"country": "US", "number": "2015550123"}, **HX)
    assert response.status_code == 200
    assert len(locmem.outbox) == 1


def test_every_send_tells_the_backend_the_client(client, enrolled_user, password, settings):
    settings.TRUSTED_PROXIES = 1
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8::7")
    login(client, enrolled_user.username, password)
    client.get(VERIFY_URL)
    context = locmem.contexts[-1]
    # The real address, not the /64 the limits count by.
    assert context == SendContext(device_ip="2001:db8::7", user_id=str(enrolled_user.pk))


def test_rate_limits_named_by_the_settings(settings):
    context = SendContext(device_ip="192.0.2.9", user_id="42")
    assert _rate_limits(context) == {}
    settings.TWOFACTOR_VERIFY_RATE_LIMITS = {"user": "per_user", "ip": "per_ip"}
    assert _rate_limits(context) == {"per_user": "42", "per_ip": "192.0.2.9"}


def test_an_empty_allow_list_warns_at_deploy(settings):
    settings.DEBUG = False
    settings.TWOFACTOR_ALLOWED_COUNTRIES = []
    ids = {m.id for m in run_checks(include_deployment_checks=True, tags=["security"])}
    assert "twofactor.W002" in ids
    settings.TWOFACTOR_ALLOWED_COUNTRIES = ["US"]
    ids = {m.id for m in run_checks(include_deployment_checks=True, tags=["security"])}
    assert "twofactor.W002" not in ids
