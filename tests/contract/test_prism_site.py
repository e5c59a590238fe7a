"""The site itself, on the Twilio backend, against Twilio's own API description.

Enrolment, sign-in with a code, resend and the voice channel, driven through Django's
test client: every request the real `twilio` package sends for them must be valid
according to Twilio's OpenAPI file, served by Prism (`prism_verify` fails the test on
any request Prism rejected). Prism is stateless and approves any code, so only the
happy paths live here; the stateful ones are in tests/twofactor/test_site_with_fake_twilio.py.
"""

import urllib.parse
from collections.abc import Iterator

import pytest
import requests
from django.test import Client
from twilio.base import values

from tests.fixtures_verify import aim_twilio_backend, fail_on_prism_violations
from tests.twofactor.conftest import (
    CONFIRM_URL,
    ENABLE_RESEND_URL,
    ENABLE_URL,
    MASKED,
    NUMBER,
    RESEND_URL,
    VERIFY_URL,
    login,
    make_device,
    page_text,
)
from twofactor import session
from twofactor.models import Factor

pytestmark = [pytest.mark.contract, pytest.mark.django_db]

GATED_URL = "/accounts/profile/edit/"
SENT = f"We've sent a code to {MASKED}."
CALLING = f"We're calling {MASKED} with your code."
UNAVAILABLE = "The text message service isn't answering right now. Please try again in a minute."
ANY_CODE = "123456"  # Prism approves whatever it is given


class Sent(list):
    """The requests that left for Twilio (Prism): (path, form) pairs."""

    def paths(self) -> list[str]:
        return [path for path, _form in self]


@pytest.fixture
def to_twilio(monkeypatch, settings) -> Iterator[Sent]:
    """Records each request the twilio package sends, after checking it went to
    TWILIO_VERIFY_API_URL (Prism) rather than verify.twilio.com."""
    sent = Sent()
    original = requests.Session.send

    def spy(self, request, **kwargs):
        if request.method == "POST":
            assert request.url.startswith(settings.TWILIO_VERIFY_API_URL + "/"), request.url
            path = urllib.parse.urlsplit(request.url).path.split("/", 4)[-1]
            sent.append((path, dict(urllib.parse.parse_qsl(request.body or ""))))
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", spy)
    yield sent


@pytest.fixture
def resend_now(settings) -> None:
    settings.TWOFACTOR_RESEND_COOLDOWN = 0


def assert_signed_in(client: Client) -> None:
    assert client.get(GATED_URL).status_code == 200


def assert_not_signed_in(client: Client) -> None:
    response = client.get(GATED_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)


# Enrolment.


@pytest.mark.parametrize(
    ("channel", "said"), [("sms", SENT), ("call", CALLING)], ids=["sms", "call"]
)
def test_enrolment(prism_verify, to_twilio, client_logged_in, user, channel, said):
    response = client_logged_in.post(
        ENABLE_URL, {"country": "US", "number": "2015550123", "channel": channel}
    )
    assert response.status_code == 200
    assert said in page_text(response)
    # Twilio's own fraud controls ride along: the client's address, and (for
    # texts, the only channel it applies to) RiskCheck never disabled.
    expected = {"To": NUMBER, "Channel": channel, "Locale": "en", "DeviceIp": "127.0.0.1"}
    if channel == "sms":
        expected["RiskCheck"] = "enable"
    assert to_twilio == [("Verifications", expected)]

    response = client_logged_in.post(CONFIRM_URL, {"code": ANY_CODE})
    assert response.status_code == 302
    assert to_twilio[-1] == ("VerificationCheck", {"To": NUMBER, "Code": ANY_CODE})
    device = Factor.objects.phones().get(user=user)
    assert (str(device.number), device.channel, device.is_confirmed) == (NUMBER, channel, True)


def test_enrolment_resend_and_call_me_instead(
    prism_verify, to_twilio, client_logged_in, user, resend_now
):
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": "2015550123"})
    response = client_logged_in.post(ENABLE_RESEND_URL, {"channel": "sms"})
    assert (response.status_code, SENT in page_text(response)) == (200, True)
    response = client_logged_in.post(ENABLE_RESEND_URL, {"channel": "call"})
    assert (response.status_code, CALLING in page_text(response)) == (200, True)
    assert [form["Channel"] for _path, form in to_twilio] == ["sms", "sms", "call"]
    assert client_logged_in.post(CONFIRM_URL, {"code": ANY_CODE}).status_code == 302
    assert Factor.objects.phones().get(user=user).channel == "call"


# Signing in.


@pytest.fixture
def half_signed_in(client, user, password) -> Client:
    make_device(user)
    assert login(client, user.username, password).status_code == 302
    return client


def test_sign_in_with_a_code(prism_verify, to_twilio, half_signed_in):
    assert to_twilio == []  # the password alone sends nothing
    response = half_signed_in.get(VERIFY_URL, {"next": GATED_URL})
    assert response.status_code == 200
    assert SENT in page_text(response)
    assert to_twilio.paths() == ["Verifications"]  # the code request went to Prism
    assert_not_signed_in(half_signed_in)

    response = half_signed_in.post(VERIFY_URL, {"code": ANY_CODE, "next": GATED_URL})
    assert (response.status_code, response["Location"]) == (302, GATED_URL)
    assert to_twilio[-1] == ("VerificationCheck", {"To": NUMBER, "Code": ANY_CODE})
    assert session.PASSED in half_signed_in.session
    assert_signed_in(half_signed_in)


def test_sign_in_resend_and_call_me_instead(prism_verify, to_twilio, half_signed_in, resend_now):
    half_signed_in.get(VERIFY_URL)
    response = half_signed_in.post(RESEND_URL, {"channel": "sms"})
    assert (response.status_code, SENT in page_text(response)) == (200, True)
    response = half_signed_in.post(RESEND_URL, {"channel": "call"})
    assert (response.status_code, CALLING in page_text(response)) == (200, True)
    assert [form["Channel"] for _path, form in to_twilio] == ["sms", "sms", "call"]
    assert half_signed_in.post(VERIFY_URL, {"code": ANY_CODE}).status_code == 302
    assert_signed_in(half_signed_in)


def test_sign_in_for_a_phone_set_to_voice(prism_verify, to_twilio, client, user, password):
    make_device(user, channel="call")
    login(client, user.username, password)
    assert CALLING in page_text(client.get(VERIFY_URL))
    assert to_twilio[0][1]["Channel"] == "call"
    assert client.post(VERIFY_URL, {"code": ANY_CODE}).status_code == 302


# The contract bites: a broken request through the site is reported.
# (These use `prism`, not `prism_verify`, whose teardown would fail on purpose here.)


def test_a_malformed_service_sid_is_reported(prism, settings, client_logged_in):
    aim_twilio_backend(settings, url=prism.url, timeout=5.0)
    settings.TWILIO_VERIFY_SERVICE_SID = "VA123"
    offset = prism.sync()
    response = client_logged_in.post(ENABLE_URL, {"country": "US", "number": "2015550123"})
    # Prism answers 422, which the user reads as the service not answering.
    assert response.status_code == 503
    assert UNAVAILABLE in page_text(response)
    assert not Factor.objects.exists()
    with pytest.raises(pytest.fail.Exception, match="(?i)servicesid"):
        fail_on_prism_violations(prism=prism, since=offset)


def test_a_request_without_to_is_reported(prism, settings, monkeypatch, half_signed_in):
    from twilio.rest.verify.v2.service.verification import VerificationList

    original = VerificationList.create

    def create_without_to(self, *, to, channel, **kwargs):
        return original(self, to=values.unset, channel=channel, **kwargs)

    aim_twilio_backend(settings, url=prism.url, timeout=5.0)
    offset = prism.sync()
    fail_on_prism_violations(prism=prism, since=offset)  # nothing wrong yet: passes
    monkeypatch.setattr(VerificationList, "create", create_without_to)
    response = half_signed_in.get(VERIFY_URL)
    assert UNAVAILABLE in page_text(response)
    assert_not_signed_in(half_signed_in)
    with pytest.raises(pytest.fail.Exception, match="required property 'To'"):
        fail_on_prism_violations(prism=prism, since=offset)
