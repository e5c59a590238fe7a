"""Property tests (hypothesis) of the two-factor forms: the phone form and the
code forms (SMS, authenticator app, recovery code, a new phone's code).
Whatever is typed, the answer is a form error, a refusal that says why, or
success — never a 500 — and what was typed comes back escaped."""

import html

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.accounts.test_form_properties import FIELD, PROBE, PROPERTIES
from tests.twofactor.conftest import CONFIRM_URL, ENABLE_URL, VERIFY_URL, login
from tests.twofactor.test_recovery_codes import make_codes
from twofactor.factors.sms.backends import locmem
from twofactor.factors.totp import secrets
from twofactor.models import Factor, Kind

# Fewer than the accounts forms: each example is a request or two.
FEW = hypothesis_settings(PROPERTIES, max_examples=30)
HTMX = st.booleans()

pytestmark = pytest.mark.django_db


def headers(htmx: bool) -> dict:
    return {"HX-Request": "true"} if htmx else {}


def answered_properly(response, allowed: set[int]) -> None:
    assert response.status_code in allowed, response.status_code
    assert PROBE not in response.content.decode()


@FEW
@given(country=FIELD, number=FIELD, channel=FIELD, htmx=HTMX)
def test_the_phone_form(client_logged_in, country, number, channel, htmx):
    cache.clear()  # the send limits would answer 429 after a few sends
    locmem.reset()
    response = client_logged_in.post(
        ENABLE_URL,
        {"country": country, "number": number, "channel": channel},
        headers=headers(htmx),
    )
    # 200: the code went out (or the form again, without htmx); 422: the form's errors.
    answered_properly(response, {200, 422})
    if response.status_code == 422:
        assert response.context["form"].errors


def test_the_phone_form_really_echoes_what_was_typed(client_logged_in):
    """The escaping check above means something: the typed number comes back, escaped."""
    response = client_logged_in.post(
        ENABLE_URL, {"country": "US", "number": f"1{PROBE}"}, headers=headers(True)
    )
    assert response.status_code == 422
    # Escaped (the raw markup is not in the page), yet there to read.
    assert PROBE not in response.content.decode()
    assert f"1{PROBE}" in html.unescape(response.content.decode())


@pytest.fixture
def phone_sign_in(enrolled_user, password) -> Client:
    client = Client()
    login(client, enrolled_user.username, password)
    client.get(VERIFY_URL)
    return client


@pytest.fixture
def app_sign_in(user, password) -> Client:
    Factor.objects.create(
        user=user,
        kind=Kind.TOTP,
        data={"secret": secrets.encrypt(pyotp.random_base32()), "last_step": 0},
        confirmed_at=timezone.now(),
        preferred=True,
    )
    client = Client()
    login(client, user.username, password)
    return client


@pytest.fixture
def recovery_sign_in(signed_in_client, enrolled_user, password) -> Client:
    make_codes(signed_in_client)
    client = Client()
    login(client, enrolled_user.username, password)
    return client


# 302: signed in (a guessed code); 422: wrong or malformed; 429: locked
# (the lock is cleared before each example, but Verify's 5 checks end a code).
CODE_ANSWERS = {302, 422, 429}


@pytest.mark.parametrize(
    ("kind", "signing_in"),
    [(Kind.SMS, "phone_sign_in"), (Kind.TOTP, "app_sign_in"), (Kind.RECOVERY, "recovery_sign_in")],
)
def test_the_code_forms(request, kind, signing_in):
    client = request.getfixturevalue(signing_in)

    @FEW
    @given(code=FIELD, htmx=HTMX)
    def typed(code, htmx):
        cache.clear()  # the wrong-code lock
        response = client.post(VERIFY_URL, {"factor": kind, "code": code}, headers=headers(htmx))
        answered_properly(response, CODE_ANSWERS)

    typed()


@FEW
@given(factor=FIELD, code=FIELD)
def test_the_code_page_with_any_factor_named(phone_sign_in, factor, code):
    cache.clear()
    response = phone_sign_in.post(VERIFY_URL, {"factor": factor, "code": code})
    answered_properly(response, CODE_ANSWERS)


def test_a_typed_code_really_comes_back_escaped(phone_sign_in):
    response = phone_sign_in.post(VERIFY_URL, {"code": f"12{PROBE}"})
    assert response.status_code == 422
    # Escaped (the raw markup is not in the page), yet there to read.
    assert PROBE not in response.content.decode()
    assert f"12{PROBE}" in html.unescape(response.content.decode())


@FEW
@given(code=FIELD, password=FIELD, htmx=HTMX)
def test_a_new_phones_code_form(client_logged_in, code, password, htmx):
    cache.clear()
    if not client_logged_in.session.get("twofactor_enrolment"):
        locmem.reset()
        client_logged_in.post(ENABLE_URL, {"country": "US", "number": "2015550123"})
    response = client_logged_in.post(
        CONFIRM_URL, {"code": code, "password": password}, headers=headers(htmx)
    )
    # 200: confirmed (a guessed code) or the form again; 422: wrong or malformed.
    answered_properly(response, {200, 302, 422, 429})
