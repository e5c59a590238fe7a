"""The authenticator app: RFC 6238 at each edge of its window, no code (or an
earlier step) used twice, the secret encrypted and never shown again, the app
as a second factor beside or instead of the phone, and the code page asking
for the default factor and offering the others."""

import re

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.twofactor.conftest import HX, VERIFY_URL, login, page_text
from twofactor import session
from twofactor.factors.sms.backends import locmem
from twofactor.factors.totp import codes, secrets
from twofactor.models import Factor, Kind

APP_URL = "/2fa/app/"
T0 = 1_900_000_020  # a step boundary: T0 / 30 is a whole number


def secret_on(response) -> str:
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', response.content.decode())
    assert found, "no secret on the page"
    return found.group(1).replace(" ", "")


def app_factor(user) -> Factor | None:
    return Factor.objects.filter(user=user, kind=Kind.TOTP).first()


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0 + 5, tick=False)
    return time_machine


def add_app(client: Client) -> str:
    """Set up an app from the profile; returns its secret."""
    secret = secret_on(client.get(APP_URL, **HX))
    data = {"code": pyotp.TOTP(secret).now(), "password": PASSWORD}
    response = client.post(APP_URL, data, **HX)
    assert response.status_code == 200, page_text(response)
    return secret


# The codes themselves (RFC 6238: 30 s, 6 digits, SHA-1, one step of drift)


def test_a_code_at_each_edge_of_its_window():
    secret = codes.new_secret()
    totp = pyotp.TOTP(secret)
    now = T0 + 15
    step = codes.current_step(now)
    assert codes.matching_step(secret=secret, code=totp.at(now), now=now) == step
    assert codes.matching_step(secret=secret, code=totp.at(now - 30), now=now) == step - 1
    assert codes.matching_step(secret=secret, code=totp.at(now + 30), now=now) == step + 1
    assert codes.matching_step(secret=secret, code=totp.at(now - 60), now=now) is None
    assert codes.matching_step(secret=secret, code=totp.at(now + 60), now=now) is None
    # The first and last second of a step give the same code.
    assert totp.at(T0) == totp.at(T0 + 29) != totp.at(T0 + 30)


def test_a_used_step_and_earlier_steps_are_refused():
    secret = codes.new_secret()
    totp = pyotp.TOTP(secret)
    now = T0 + 15
    step = codes.current_step(now)
    assert codes.matching_step(secret=secret, code=totp.at(now), after=step, now=now) is None
    assert codes.matching_step(secret=secret, code=totp.at(now - 30), after=step, now=now) is None
    assert (
        codes.matching_step(secret=secret, code=totp.at(now + 30), after=step, now=now) == step + 1
    )


def test_the_secret_is_encrypted_and_a_rotated_key_still_reads_it(settings):
    secret = codes.new_secret()
    stored = secrets.encrypt(secret)
    assert secret not in stored
    assert secrets.decrypt(stored) == secret
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789abcdef"
    assert secrets.decrypt(stored) == secret
    settings.SECRET_KEY_FALLBACKS = []
    assert secrets.decrypt(stored) is None


# Setting the app up from the profile


def test_setup_shows_an_svg_qr_code_and_the_secret_and_saves_nothing_yet(client_logged_in, user):
    response = client_logged_in.get(APP_URL, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "style=" not in body.split("<svg", 1)[1].split("</svg>")[0]
    assert len(secret_on(response)) == 32
    assert app_factor(user) is None
    # The session keeps only the encrypted secret.
    assert secret_on(response) not in str(client_logged_in.session[session.TOTP_SETUP])


def test_the_first_code_turns_it_on(clock, client_logged_in, user):
    secret = secret_on(client_logged_in.get(APP_URL, **HX))
    wrong = client_logged_in.post(APP_URL, {"code": "000000"}, **HX)
    assert wrong.status_code == 422 and "That code isn't right." in page_text(wrong)
    response = client_logged_in.post(APP_URL, {"code": pyotp.TOTP(secret).now()}, **HX)
    text = page_text(response)
    assert response.status_code == 200
    assert "Two-factor authentication is on. Signing in now asks for a code from your app." in text
    assert "Make recovery codes" in text
    factor = app_factor(user)
    assert factor.is_confirmed and factor.preferred
    assert secret not in str(factor.data)
    # Never shown again.
    assert secret not in page_text(client_logged_in.get("/2fa/"))
    assert "An authenticator app was added" in mail.outbox[-1].subject


def test_the_secret_is_not_readable_in_the_admin(clock, admin_client, user):
    client = Client()
    client.force_login(user)
    secret = add_app(client)
    factor = app_factor(user)
    for url in (
        f"/admin/twofactor/factor/{factor.pk}/change/",
        f"/admin/accounts/user/{user.pk}/change/",
    ):
        text = page_text(admin_client.get(url))
        assert "app" in text
        assert secret not in text and factor.data["secret"] not in text


# Signing in


@pytest.fixture
def app_user(user, clock):
    client = Client()
    client.force_login(user)
    secret = add_app(client)
    locmem.outbox.clear()
    return user, secret


def test_signing_in_asks_for_the_app_and_sends_no_text(client, app_user, password, clock):
    user, secret = app_user
    login(client, user.username, password)
    page = page_text(client.get(VERIFY_URL))
    assert "Enter the 6-digit code from your authenticator app." in page
    assert locmem.outbox == []
    clock.shift(31)
    response = client.post(VERIFY_URL, {"factor": "totp", "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert session.PASSED in client.session


def test_a_code_used_to_sign_in_cannot_be_used_again(client, app_user, password, clock):
    user, secret = app_user
    clock.shift(31)
    code = pyotp.TOTP(secret).now()
    login(client, user.username, password)
    assert client.post(VERIFY_URL, {"factor": "totp", "code": code}).status_code == 302
    client.post("/accounts/logout/")
    login(client, user.username, password)
    response = client.post(VERIFY_URL, {"factor": "totp", "code": code})
    assert response.status_code == 422
    assert session.PASSED not in client.session


def test_the_code_that_set_the_app_up_cannot_sign_in(client, app_user, password, clock):
    user, secret = app_user
    login(client, user.username, password)
    response = client.post(VERIFY_URL, {"factor": "totp", "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 422


def test_the_wrong_code_limit_counts_across_factors(client, user, password, clock, settings):
    from tests.twofactor.conftest import make_device

    settings.TWOFACTOR_CHECK_LIMIT = 4
    other = Client()
    other.force_login(user)
    make_device(user)
    session_data = other.session
    session_data[session.PASSED] = session.required_fingerprint(user)
    session_data["twofactor_passed_at"] = timezone.now().isoformat()
    session_data.save()
    secret = add_app(other)
    login(client, user.username, password)
    client.get(f"{VERIFY_URL}?factor=sms")
    statuses = [
        client.post(VERIFY_URL, {"factor": "totp", "code": "000000"}).status_code,
        client.post(VERIFY_URL, {"factor": "sms", "code": "000000"}).status_code,
        client.post(VERIFY_URL, {"factor": "totp", "code": "000000"}).status_code,
        client.post(VERIFY_URL, {"factor": "sms", "code": "000000"}).status_code,
    ]
    assert statuses[-1] == 429
    clock.shift(31)
    locked = client.post(VERIFY_URL, {"factor": "totp", "code": pyotp.TOTP(secret).now()})
    assert locked.status_code == 429
    assert session.PASSED not in client.session


# Both: the default first, the others offered


@pytest.fixture
def both(user, clock):
    from tests.twofactor.conftest import make_device

    client = Client()
    client.force_login(user)
    make_device(user)
    session_data = client.session
    session_data[session.PASSED] = session.required_fingerprint(user)
    session_data["twofactor_passed_at"] = timezone.now().isoformat()
    session_data.save()
    secret = add_app(client)
    locmem.outbox.clear()
    return user, secret, client


def test_the_code_page_asks_for_the_default_and_offers_the_others(client, both, password):
    user, _secret, _profile = both
    login(client, user.username, password)
    page = page_text(client.get(VERIFY_URL))
    assert "Enter the 6-digit code from your authenticator app." in page
    assert "Text me a code instead" in page
    assert locmem.outbox == []  # the app is the default: no text
    texted = page_text(client.get(f"{VERIFY_URL}?factor=sms", **HX))
    assert "To finish signing in, enter the code" in texted
    assert len(locmem.outbox) == 1
    assert "Use my authenticator app" in texted
    assert (
        client.post(VERIFY_URL, {"factor": "sms", "code": locmem.outbox[-1].code}).status_code
        == 302
    )


def test_the_user_picks_the_default(both, client, password):
    user, _secret, profile = both
    response = profile.post("/2fa/default/", {"factor": "sms"}, **HX)
    assert response.status_code == 200
    assert "We'll ask for your phone first." in page_text(response)
    login(client, user.username, password)
    assert "To finish signing in, enter the code" in page_text(client.get(VERIFY_URL))


def test_the_profile_says_the_app_is_safer(client_logged_in):
    text = page_text(client_logged_in.get("/2fa/"))
    assert "Safer than text messages" in text
    assert "Set up an authenticator app" in text


def test_removing_the_app_needs_the_password_and_keeps_the_phone(both, password):
    user, _secret, profile = both
    assert profile.post("/2fa/app/remove/", {"password": "wrong"}, **HX).status_code == 422
    assert app_factor(user) is not None
    response = profile.post("/2fa/app/remove/", {"password": password}, **HX)
    assert response.status_code == 200
    assert app_factor(user) is None
    assert Factor.objects.get(user=user, kind=Kind.SMS).preferred
    assert profile.get("/").status_code == 200  # this session keeps its mark


def test_the_only_factor_is_removed_by_turning_off(client, app_user):
    user, _secret = app_user
    client.force_login(user)
    data = client.session
    data[session.PASSED] = session.required_fingerprint(user)
    data["twofactor_passed_at"] = timezone.now().isoformat()
    data.save()
    response = client.get("/2fa/app/remove/")
    assert response.status_code == 302 and response["Location"] == "/2fa/disable/"


def test_adding_an_app_beside_a_phone_needs_the_password(clock, signed_in_client, enrolled_user):
    secret = secret_on(signed_in_client.get(APP_URL, **HX))
    code = pyotp.TOTP(secret).now()
    response = signed_in_client.post(APP_URL, {"code": code}, **HX)
    assert response.status_code == 422
    assert app_factor(enrolled_user) is None
    response = signed_in_client.post(APP_URL, {"code": code, "password": "wrong"}, **HX)
    assert response.status_code == 422
    assert "That password isn't right." in page_text(response)
    assert app_factor(enrolled_user) is None
    response = signed_in_client.post(APP_URL, {"code": code, "password": PASSWORD}, **HX)
    assert response.status_code == 200
    assert app_factor(enrolled_user).preferred
    assert "Your authenticator app is set up. We'll ask for it first." in page_text(response)


def test_removing_the_phone_needs_the_password_and_keeps_the_app(both, password):
    user, _secret, profile = both
    assert profile.post("/2fa/phone/remove/", {"password": "wrong"}, **HX).status_code == 422
    assert Factor.objects.filter(user=user, kind=Kind.SMS).exists()
    response = profile.post("/2fa/phone/remove/", {"password": password}, **HX)
    assert response.status_code == 200
    assert "Your phone is removed. Codes now come from your app." in page_text(response)
    assert not Factor.objects.filter(user=user, kind=Kind.SMS).exists()
    assert app_factor(user).preferred
    assert "Your two-factor phone was removed" in mail.outbox[-1].subject
