"""The site on the Twilio backend, through the real `twilio` package, against the
stateful Verify fake: every sentence a user can read in enrolment and sign-in, with
the status code the view answers, and that no failure signs anyone in or saves a phone.

The `fake_verify` fixture aims the settings at the fake (TWILIO_TIMEOUT=1 s), so a
hang costs about a second.
"""

import html
import re
import socket
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from tests.twofactor.conftest import (
    CONFIRM_URL,
    ENABLE_RESEND_URL,
    ENABLE_URL,
    MASKED,
    NUMBER,
    RESEND_URL,
    VERIFY_URL,
    field,
    login,
    make_device,
    wrong_code,
)
from twofactor import session
from twofactor.factors.sms.testing.fake_verify import FakeVerifyControl
from twofactor.models import Factor

pytestmark = pytest.mark.django_db

# What the user types in the phone form for NUMBER (+12015550123).
COUNTRY, NATIONAL = "US", "2015550123"
GATED_URL = "/accounts/profile/edit/"
NEXT = "/accounts/profile/edit/"

SENT = f"We've sent a code to {MASKED}."
CALLING = f"We're calling {MASKED} with your code."
WRONG_4_LEFT = "That code isn't right — 4 tries left."
TOO_MANY_TRIES = re.compile(r"Too many tries\. You can try again in 10 minutes\.")
EXPIRED = "That code has expired. We've sent a new one."
INVALID = "That doesn't look like a phone number we can reach. Check it and try again."
NO_TEXT = "We couldn't send a text to this number. Try a voice call or another number."
REGION = "We can't send codes to this number's region. Try another number."
TOO_MANY_SENDS = (
    "We've sent too many codes to this number. You can ask for a new one in 10 minutes."
)
UNAVAILABLE = "The text message service isn't answering right now. Please try again in a minute."
ENABLED = (
    f"Two-factor authentication is on. Codes go to {MASKED}. "
    "Now make recovery codes, in case you lose your phone."
)

_ALERT = re.compile(r'<div class="alert[^"]*" role="(?:alert|status)"[^>]*>(.*?)</div>', re.S)


def alerts(response) -> list[str]:
    """The text of every alert box on the page, HTML entities decoded."""
    return [html.unescape(text).strip() for text in _ALERT.findall(response.content.decode())]


def shows(response, message: str | re.Pattern, status: int) -> None:
    """`message` is one of the page's alerts, and the view answered `status`."""
    found = alerts(response)
    if isinstance(message, re.Pattern):
        assert any(message.fullmatch(text) for text in found), found
    else:
        assert message in found, found
        # What the browser receives is escaped ("We&#x27;ve"), never the raw quote.
        assert html.escape(message) in response.content.decode()
    assert response.status_code == status, (response.status_code, found)


def assert_not_signed_in(client: Client) -> None:
    """A page behind the gate still sends this session to the code page."""
    response = client.get(GATED_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)
    assert session.PASSED not in client.session


def assert_signed_in(client: Client) -> None:
    assert client.get(GATED_URL).status_code == 200


def sends_to(fake: FakeVerifyControl, to: str = NUMBER) -> list[dict]:
    return [message for message in fake.messages() if message["to"] == to]


# The ways Twilio can fail to send, as the fake plays them; each -> (message, status).


def _fault(**options) -> Callable:
    return lambda fake, settings: fake.fault(**options)


def _refused(fake, settings) -> None:
    settings.TWILIO_VERIFY_API_URL = settings.REFUSING_URL


SEND_FAILURES = {
    "invalid-60200": (_fault(mode="error", status=400, code=60200), INVALID, 422),
    "landline-sms": (lambda fake, settings: fake.landline(to=NUMBER), NO_TEXT, 422),
    "blocked-60410": (lambda fake, settings: fake.block(to=NUMBER, code=60410), REGION, 422),
    "blocked-60605": (lambda fake, settings: fake.block(to=NUMBER, code=60605), REGION, 422),
    "http-500": (_fault(mode="500"), UNAVAILABLE, 503),
    "hang": (_fault(mode="hang", seconds=10), UNAVAILABLE, 503),
    "refused": (_refused, UNAVAILABLE, 503),
}
# Twilio's 20429 is its API rate limit for the whole account, not this user's doing.
HTTP_429 = pytest.param(
    _fault(mode="429"),
    UNAVAILABLE,
    503,
    id="http-429",
)
SEND_FAILURE_PARAMS = [
    *(pytest.param(*case, id=name) for name, case in SEND_FAILURES.items()),
    HTTP_429,
]
CHECK_FAILURE_PARAMS = [
    pytest.param(*SEND_FAILURES[name], id=name) for name in ("http-500", "hang", "refused")
] + [HTTP_429]


@pytest.fixture(autouse=True)
def _refusing_url(settings) -> Iterator[None]:
    """A loopback port that is bound but never listens: connection refused, and no
    other process can take the port while the test runs (as a merely free one could)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        settings.REFUSING_URL = f"http://127.0.0.1:{sock.getsockname()[1]}"
        yield


@pytest.fixture
def many_sends(settings):
    """The site's own send limits out of the way, so Twilio's (the fake's) are met."""
    settings.TWOFACTOR_RESEND_COOLDOWN = 0
    settings.TWOFACTOR_SEND_LIMIT = 100


# Enrolment: the profile's two-factor panel.


@pytest.fixture
def enrolling(client_logged_in: Client, fake_verify) -> Client:
    return client_logged_in


def enrol(client: Client, *, channel: str = "sms", number: str = NATIONAL):
    return client.post(ENABLE_URL, {"country": COUNTRY, "number": number, "channel": channel})


def confirm(client: Client, code: str):
    return client.post(CONFIRM_URL, {"code": code})


def assert_no_device() -> None:
    assert not Factor.objects.exists()


def test_enrolment_by_text_sends_a_code_and_the_right_code_turns_it_on(
    enrolling, fake_verify, user
):
    response = enrol(enrolling)
    shows(response, SENT, 200)
    [message] = sends_to(fake_verify)
    assert message["channel"] == "sms"
    assert_no_device()  # nothing is saved before the code comes back

    response = confirm(enrolling, message["code"])
    assert response.status_code == 302
    device = Factor.objects.phones().get(user=user)
    assert (str(device.number), device.channel, device.is_confirmed) == (NUMBER, "sms", True)
    shows(enrolling.get(response["Location"]), ENABLED, 200)


def test_enrolment_by_voice_call(enrolling, fake_verify, user):
    response = enrol(enrolling, channel="call")
    shows(response, CALLING, 200)
    [message] = sends_to(fake_verify)
    assert message["channel"] == "call"
    assert confirm(enrolling, message["code"]).status_code == 302
    assert Factor.objects.phones().get(user=user).channel == "call"


def test_enrolment_call_me_instead_after_a_text(enrolling, fake_verify, many_sends):
    shows(enrol(enrolling), SENT, 200)
    shows(enrolling.post(ENABLE_RESEND_URL, {"channel": "call"}), CALLING, 200)
    assert [m["channel"] for m in sends_to(fake_verify)] == ["sms", "call"]


def test_enrolment_wrong_code_says_tries_left_and_saves_nothing(enrolling, fake_verify, user):
    enrol(enrolling)
    code = fake_verify.last_code(to=NUMBER)
    shows(confirm(enrolling, wrong_code(code)), WRONG_4_LEFT, 422)
    assert_no_device()
    # The verification is still pending at Twilio: the right code still works.
    assert confirm(enrolling, code).status_code == 302
    assert Factor.objects.phones().filter(user=user).exists()


def test_enrolment_five_wrong_codes_are_too_many_tries(enrolling, fake_verify):
    enrol(enrolling)
    code = fake_verify.last_code(to=NUMBER)
    for left in (4, 3, 2, 1):
        expected = f"That code isn't right — {left} tr{'ies' if left > 1 else 'y'} left."
        shows(confirm(enrolling, wrong_code(code)), expected, 422)
    shows(confirm(enrolling, wrong_code(code)), TOO_MANY_TRIES, 429)
    # Locked: even the right code is refused now.
    shows(confirm(enrolling, code), TOO_MANY_TRIES, 429)
    assert_no_device()


def test_enrolment_expired_code_sends_a_new_one(enrolling, fake_verify, user):
    enrol(enrolling)
    [first] = sends_to(fake_verify)
    fake_verify.advance(seconds=11 * 60)
    shows(confirm(enrolling, first["code"]), EXPIRED, 422)
    assert_no_device()
    [_, second] = sends_to(fake_verify)
    assert second["sid"] != first["sid"]  # a new verification, with its own code
    assert confirm(enrolling, second["code"]).status_code == 302
    assert Factor.objects.phones().filter(user=user).exists()


@pytest.mark.parametrize(("arrange", "message", "status"), SEND_FAILURE_PARAMS)
def test_enrolment_send_failures(enrolling, fake_verify, settings, arrange, message, status):
    arrange(fake_verify, settings)
    response = enrol(enrolling)
    shows(response, message, status)
    assert field(response, "number").attrs["value"] == NATIONAL  # kept in the form
    assert_no_device()
    assert sends_to(fake_verify) == []


def test_enrolment_landline_can_take_a_voice_call(enrolling, fake_verify):
    fake_verify.landline(to=NUMBER)
    shows(enrol(enrolling), NO_TEXT, 422)
    shows(enrol(enrolling, channel="call"), CALLING, 200)


def test_enrolment_sixth_send_is_refused_by_twilio_60203(enrolling, fake_verify, many_sends):
    shows(enrol(enrolling), SENT, 200)
    for _ in range(4):
        shows(enrolling.post(ENABLE_RESEND_URL, {"channel": "sms"}), SENT, 200)
    shows(enrolling.post(ENABLE_RESEND_URL, {"channel": "sms"}), TOO_MANY_SENDS, 429)
    assert len(sends_to(fake_verify)) == 5
    response = enrol(enrolling)  # entering the number again doesn't get round it
    shows(response, TOO_MANY_SENDS, 429)
    assert field(response, "number").attrs["value"] == NATIONAL
    assert_no_device()


@pytest.mark.parametrize(("arrange", "message", "status"), CHECK_FAILURE_PARAMS)
def test_enrolment_check_failures(enrolling, fake_verify, settings, arrange, message, status):
    enrol(enrolling)
    code = fake_verify.last_code(to=NUMBER)
    arrange(fake_verify, settings)
    shows(confirm(enrolling, code), message, status)
    assert_no_device()


# Signing in: the password, then the code page.


@pytest.fixture
def signing_in(fake_verify, half_signed_in_client: Client) -> Client:
    """alice (a phone on NUMBER, by text) after her password, before the code page."""
    return half_signed_in_client


def test_sign_in_sends_a_code_and_the_right_code_lands_on_next(signing_in, fake_verify):
    response = signing_in.get(VERIFY_URL, {"next": NEXT})
    shows(response, SENT, 200)
    [message] = sends_to(fake_verify)
    assert message["channel"] == "sms"
    assert_not_signed_in(signing_in)

    response = signing_in.post(VERIFY_URL, {"code": message["code"], "next": NEXT})
    assert response.status_code == 302
    assert response["Location"] == NEXT
    assert_signed_in(signing_in)


def test_sign_in_by_voice_call_for_a_phone_set_to_call(client, user, password, fake_verify):
    make_device(user, channel="call")
    login(client, user.username, password)
    shows(client.get(VERIFY_URL), CALLING, 200)
    [message] = sends_to(fake_verify)
    assert message["channel"] == "call"
    assert client.post(VERIFY_URL, {"code": message["code"]}).status_code == 302
    assert_signed_in(client)


def test_sign_in_resend_and_call_me_instead(signing_in, fake_verify, many_sends):
    signing_in.get(VERIFY_URL)
    shows(signing_in.post(RESEND_URL, {"channel": "sms"}), SENT, 200)
    shows(signing_in.post(RESEND_URL, {"channel": "call"}), CALLING, 200)
    messages = sends_to(fake_verify)
    assert [m["channel"] for m in messages] == ["sms", "sms", "call"]
    assert len({m["code"] for m in messages}) == 1  # Twilio re-sends the same code
    assert_not_signed_in(signing_in)
    assert signing_in.post(VERIFY_URL, {"code": messages[-1]["code"]}).status_code == 302


def test_sign_in_wrong_code_says_tries_left(signing_in, fake_verify):
    signing_in.get(VERIFY_URL)
    code = fake_verify.last_code(to=NUMBER)
    response = signing_in.post(VERIFY_URL, {"code": wrong_code(code)})
    shows(response, WRONG_4_LEFT, 422)
    assert field(response, "code").attrs.get("value") in (None, "")  # cleared
    assert_not_signed_in(signing_in)
    assert signing_in.post(VERIFY_URL, {"code": code}).status_code == 302


def test_sign_in_five_wrong_codes_are_too_many_tries(signing_in, fake_verify):
    signing_in.get(VERIFY_URL)
    code = fake_verify.last_code(to=NUMBER)
    for _ in range(4):
        assert signing_in.post(VERIFY_URL, {"code": wrong_code(code)}).status_code == 422
    shows(signing_in.post(VERIFY_URL, {"code": wrong_code(code)}), TOO_MANY_TRIES, 429)
    shows(signing_in.post(VERIFY_URL, {"code": code}), TOO_MANY_TRIES, 429)
    assert_not_signed_in(signing_in)


def test_sign_in_twilios_own_limit_60202_refuses_even_the_right_code(
    signing_in, fake_verify, enrolled_user, password
):
    """Two sessions share Twilio's one verification for the number: the 6th check
    there is 60202 though this session has only seen one wrong code."""
    signing_in.get(VERIFY_URL)
    code = fake_verify.last_code(to=NUMBER)
    for _ in range(4):
        assert signing_in.post(VERIFY_URL, {"code": wrong_code(code)}).status_code == 422
    other = Client()
    login(other, enrolled_user.username, password)
    shows(other.get(VERIFY_URL), SENT, 200)
    assert fake_verify.last_code(to=NUMBER) == code  # the same pending verification
    shows(other.post(VERIFY_URL, {"code": wrong_code(code)}), WRONG_4_LEFT, 422)
    shows(other.post(VERIFY_URL, {"code": code}), TOO_MANY_TRIES, 429)  # the fake's 60202
    assert_not_signed_in(other)
    assert_not_signed_in(signing_in)


def test_sign_in_expired_code_sends_a_new_one(signing_in, fake_verify):
    signing_in.get(VERIFY_URL)
    [first] = sends_to(fake_verify)
    fake_verify.advance(seconds=11 * 60)
    response = signing_in.post(VERIFY_URL, {"code": first["code"]})
    shows(response, EXPIRED, 422)
    assert_not_signed_in(signing_in)
    [_, second] = sends_to(fake_verify)
    assert second["sid"] != first["sid"]
    assert signing_in.post(VERIFY_URL, {"code": second["code"]}).status_code == 302
    assert_signed_in(signing_in)


@pytest.mark.parametrize(("arrange", "message", "status"), SEND_FAILURE_PARAMS)
def test_sign_in_first_send_failures(signing_in, fake_verify, settings, arrange, message, status):
    arrange(fake_verify, settings)
    # The code page itself opens and says why no code came: 200, or 503 when
    # the service is unavailable (the page still offers resend and the others).
    shows(signing_in.get(VERIFY_URL), message, 503 if status == 503 else 200)
    assert_not_signed_in(signing_in)
    # Asking again goes to Twilio again, and the view answers with the failure's status.
    shows(signing_in.post(RESEND_URL, {"channel": "sms"}), message, status)
    assert_not_signed_in(signing_in)
    assert sends_to(fake_verify) == []


def test_sign_in_landline_can_take_a_voice_call(signing_in, fake_verify):
    fake_verify.landline(to=NUMBER)
    shows(signing_in.get(VERIFY_URL), NO_TEXT, 200)
    shows(signing_in.post(RESEND_URL, {"channel": "call"}), CALLING, 200)


def test_sign_in_stored_number_twilio_rejects_60200(client, user, password, fake_verify):
    """A saved phone that Twilio now refuses as a parameter (60200). The database
    itself refuses a number that isn't E.164 (see test_models.py)."""
    make_device(user)
    login(client, user.username, password)
    fake_verify.fault(mode="error", status=400, code=60200)
    shows(client.get(VERIFY_URL), INVALID, 200)
    shows(client.post(RESEND_URL, {"channel": "sms"}), INVALID, 422)
    assert fake_verify.messages() == []
    assert_not_signed_in(client)


def test_sign_in_sixth_send_is_refused_by_twilio_60203(signing_in, fake_verify, many_sends):
    shows(signing_in.get(VERIFY_URL), SENT, 200)
    for _ in range(4):
        shows(signing_in.post(RESEND_URL, {"channel": "sms"}), SENT, 200)
    shows(signing_in.post(RESEND_URL, {"channel": "sms"}), TOO_MANY_SENDS, 429)
    assert len(sends_to(fake_verify)) == 5
    assert_not_signed_in(signing_in)


@pytest.mark.parametrize(("arrange", "message", "status"), CHECK_FAILURE_PARAMS)
def test_sign_in_check_failures(signing_in, fake_verify, settings, arrange, message, status):
    signing_in.get(VERIFY_URL)
    code = fake_verify.last_code(to=NUMBER)
    arrange(fake_verify, settings)
    shows(signing_in.post(VERIFY_URL, {"code": code}), message, status)
    assert_not_signed_in(signing_in)


def test_http_429_whatever_it_says_never_signs_in_or_saves_a_phone(
    enrolling, fake_verify, user, password
):
    """An account-wide 429 never signs in, saves a phone or locks the user out."""
    fake_verify.fault(mode="429")
    response = enrol(enrolling)
    assert response.status_code == 503
    assert field(response, "number").attrs["value"] == NATIONAL
    assert_no_device()
    fake_verify.fault(mode="none")
    make_device(user)
    other = Client()
    login(other, user.username, password)
    other.get(VERIFY_URL)
    code = fake_verify.last_code(to=NUMBER)
    fake_verify.fault(mode="429")
    assert other.post(VERIFY_URL, {"code": code}).status_code == 503
    assert_not_signed_in(other)
    fake_verify.fault(mode="none")
    assert other.post(VERIFY_URL, {"code": code}).status_code == 302
