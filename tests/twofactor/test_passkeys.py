"""Passkeys (WebAuthn) through the test client, with answers made by a software
authenticator (tests/twofactor/authenticator.py) and checked by py_webauthn:
adding one (the password first), signing in with one as the second factor,
and each refusal (wrong origin, wrong RP id, a replayed or expired challenge,
a sign count going backwards, an unknown credential, junk) as a 422 with a
clear message, never a 500."""

import json
import logging

import pytest
from django.core import mail
from django.core.checks import Error
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from tests.twofactor.authenticator import SoftAuthenticator
from tests.twofactor.conftest import VERIFY_URL, login, make_device
from twofactor import session
from twofactor.checks import check_webauthn_origin
from twofactor.factors.webauthn import credentials
from twofactor.models import Factor, Kind

ORIGIN = "http://testserver"
ADD_URL = "/2fa/passkey/add/"
REGISTER_OPTIONS_URL = "/2fa/passkey/add/options/"
REGISTER_URL = "/2fa/passkey/add/finish/"
SIGN_IN_OPTIONS_URL = "/2fa/verify/passkey/options/"
SIGN_IN_URL = "/2fa/verify/passkey/"


@pytest.fixture(autouse=True)
def _relying_party(settings):
    settings.WEBAUTHN_RP_ID = "testserver"
    settings.WEBAUTHN_ORIGIN = ORIGIN


def post_json(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def register(client: Client, key: SoftAuthenticator, password: str, **create) -> dict:
    """Name + password, options, the authenticator's answer; the last JSON response."""
    response = client.post(ADD_URL, {"name": "Work laptop", "password": password})
    assert response.status_code == 200
    options = post_json(client, REGISTER_OPTIONS_URL).json()
    answer = key.create(options, origin=create.pop("origin", ORIGIN), **create)
    return post_json(client, REGISTER_URL, answer)


def stored_passkey(
    user, key: SoftAuthenticator, *, sign_count: int = 0, name: str = "Phone"
) -> Factor:
    return Factor.objects.create(
        user=user,
        kind=Kind.WEBAUTHN,
        confirmed_at=timezone.now(),
        preferred=not Factor.objects.filter(user=user, preferred=True).exists(),
        data=credentials.data_for(
            name=name,
            credential_id=key.credential_id,
            public_key=key.cose_public_key(),
            sign_count=sign_count,
            transports=["internal"],
            handle=b"h" * 32,
        ),
    )


@pytest.fixture
def key() -> SoftAuthenticator:
    return SoftAuthenticator()


@pytest.fixture
def half_signed_in(client, user, password, key):
    """A user with a passkey, signed in with the password only."""
    stored_passkey(user, key)
    assert login(client, user.username, password).status_code == 302
    return client


def sign_in_answer(client: Client, key: SoftAuthenticator, **get) -> dict:
    options = post_json(client, SIGN_IN_OPTIONS_URL).json()
    return key.get(options, origin=get.pop("origin", ORIGIN), **get)


# Adding


def test_adding_a_passkey_needs_the_password_and_stores_no_private_key(
    client_logged_in, user, password, key
):
    response = client_logged_in.post(ADD_URL, {"name": "Work laptop", "password": "wrong"})
    assert response.status_code == 422
    assert post_json(client_logged_in, REGISTER_OPTIONS_URL).status_code == 422

    response = register(client_logged_in, key, password)
    assert response.status_code == 200, response.content
    factor = Factor.objects.get(user=user, kind=Kind.WEBAUTHN)
    assert factor.data["name"] == "Work laptop"
    assert factor.data["credential_id"] == key.id
    assert factor.data["transports"] == ["internal", "hybrid"]
    assert factor.data["sign_count"] == 0
    assert factor.preferred, "the only second factor is the default"
    assert "passkey was added" in mail.outbox[-1].subject
    # The panel lists it by name.
    assert "Work laptop" in client_logged_in.get("/2fa/").content.decode()


def test_registration_options_exclude_the_users_passkeys_and_ask_for_a_discoverable_one(
    client_logged_in, user, password, key
):
    assert register(client_logged_in, key, password).status_code == 200
    client_logged_in.post(ADD_URL, {"name": "Second", "password": password})
    options = post_json(client_logged_in, REGISTER_OPTIONS_URL).json()
    assert [c["id"] for c in options["excludeCredentials"]] == [key.id]
    assert options["rp"] == {"id": "testserver", "name": options["rp"]["name"]}
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert options["timeout"] == 300_000


def test_several_passkeys_per_user_but_still_one_app(client_logged_in, user, password):
    assert register(client_logged_in, SoftAuthenticator(), password).status_code == 200
    assert register(client_logged_in, SoftAuthenticator(), password).status_code == 200
    assert Factor.objects.filter(user=user, kind=Kind.WEBAUTHN).count() == 2
    Factor.objects.create(user=user, kind=Kind.TOTP, data={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Factor.objects.create(user=user, kind=Kind.TOTP, data={})


@pytest.mark.parametrize(
    ("create", "message"),
    [
        ({"origin": "https://evil.example"}, "came from another website"),
        ({"rp_id": "evil.example"}, "belongs to another website"),
    ],
)
def test_a_registration_from_elsewhere_is_refused(
    client_logged_in, user, password, key, create, message
):
    response = register(client_logged_in, key, password, **create)
    assert response.status_code == 422
    assert message in response.json()["message"]
    assert not Factor.objects.filter(user=user, kind=Kind.WEBAUTHN).exists()


def test_a_registration_answer_is_used_once(client_logged_in, user, password, key):
    client_logged_in.post(ADD_URL, {"name": "Work laptop", "password": password})
    options = post_json(client_logged_in, REGISTER_OPTIONS_URL).json()
    answer = key.create(options, origin=ORIGIN)
    assert post_json(client_logged_in, REGISTER_URL, answer).status_code == 200
    again = post_json(client_logged_in, REGISTER_URL, answer)
    assert again.status_code == 422
    assert "expired or was already answered" in again.json()["message"]
    assert Factor.objects.filter(user=user, kind=Kind.WEBAUTHN).count() == 1


def test_a_credential_of_another_account_is_refused(client_logged_in, user_factory, password, key):
    stored_passkey(user_factory(username="other"), key)
    response = register(client_logged_in, key, password)
    assert response.status_code == 422
    assert "already in use" in response.json()["message"]


def test_junk_instead_of_an_answer_is_a_422(client_logged_in, password):
    client_logged_in.post(ADD_URL, {"name": "Work laptop", "password": password})
    post_json(client_logged_in, REGISTER_OPTIONS_URL)
    response = client_logged_in.post(REGISTER_URL, b"{not json", content_type="application/json")
    assert response.status_code == 422
    response = post_json(client_logged_in, REGISTER_URL, {"id": "AAAA", "response": "x"})
    assert response.status_code == 422
    assert response.json()["message"]


# Signing in


def test_the_code_page_offers_the_passkey_first(client, user, password, key):
    make_device(user)  # the phone is the default, the passkey is still asked first
    stored_passkey(user, key)
    login(client, user.username, password)
    page = client.get(VERIFY_URL).content.decode()
    assert 'data-passkey="get"' in page
    assert "Passkeys need JavaScript" in page
    assert "factor=sms" in page, "the other factors are offered too"


def test_signing_in_with_a_passkey(half_signed_in, user, key):
    answer = sign_in_answer(half_signed_in, key)
    before = half_signed_in.session.session_key
    response = post_json(half_signed_in, SIGN_IN_URL + "?next=/user/", answer)
    assert response.status_code == 200, response.content
    assert response.json()["redirect"] == "/user/"
    assert half_signed_in.session.session_key != before, "a new session key"
    assert half_signed_in.session[session.PASSED] == session.required_fingerprint(user)
    factor = Factor.objects.get(user=user, kind=Kind.WEBAUTHN)
    assert factor.data["sign_count"] == 1
    assert factor.last_used_at is not None


@pytest.mark.parametrize(
    ("get", "message"),
    [
        ({"origin": "https://evil.example"}, "came from another website, not http://testserver"),
        ({"rp_id": "evil.example"}, "belongs to another website"),
    ],
)
def test_a_sign_in_answer_from_elsewhere_is_refused(half_signed_in, key, get, message):
    response = post_json(half_signed_in, SIGN_IN_URL, sign_in_answer(half_signed_in, key, **get))
    assert response.status_code == 422
    assert message in response.json()["message"]
    assert session.PASSED not in half_signed_in.session


def test_a_replayed_sign_in_answer_is_refused(client, user, password, key):
    stored_passkey(user, key)
    login(client, user.username, password)
    recorded = sign_in_answer(client, key)
    assert post_json(client, SIGN_IN_URL, recorded).status_code == 200

    # Later, someone who recorded that answer plays it back in a new sign-in.
    again = Client()
    login(again, user.username, password)
    post_json(again, SIGN_IN_OPTIONS_URL)
    response = post_json(again, SIGN_IN_URL, recorded)
    assert response.status_code == 422
    assert "already used or has expired" in response.json()["message"]
    # And without asking for a new challenge at all.
    response = post_json(again, SIGN_IN_URL, recorded)
    assert response.status_code == 422
    assert "expired or was already answered" in response.json()["message"]
    assert session.PASSED not in again.session


def test_a_challenge_expires_after_five_minutes(half_signed_in, key, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    answer = sign_in_answer(half_signed_in, key)
    time_machine.shift(301)
    response = post_json(half_signed_in, SIGN_IN_URL, answer)
    assert response.status_code == 422
    assert "expired" in response.json()["message"]


def test_a_sign_count_going_backwards_is_refused_logged_and_emailed(client, user, password, caplog):
    key = SoftAuthenticator(sign_count=4)
    stored_passkey(user, key, sign_count=10)
    login(client, user.username, password)
    with caplog.at_level(logging.WARNING, logger="twofactor"):
        response = post_json(client, SIGN_IN_URL, sign_in_answer(client, key))
    assert response.status_code == 422
    assert "counter went backwards" in response.json()["message"]
    assert "possibly cloned" in caplog.text
    assert "may have been copied" in mail.outbox[-1].subject
    assert Factor.objects.get(user=user, kind=Kind.WEBAUTHN).data["sign_count"] == 10
    assert session.PASSED not in client.session


def test_passkeys_that_never_count_are_fine(half_signed_in, user, key):
    # Synced passkeys (iCloud, Google) always say 0.
    answer = sign_in_answer(half_signed_in, key, count_up=False)
    assert post_json(half_signed_in, SIGN_IN_URL, answer).status_code == 200


def test_an_unknown_credential_is_refused(half_signed_in):
    stranger = SoftAuthenticator()
    response = post_json(half_signed_in, SIGN_IN_URL, sign_in_answer(half_signed_in, stranger))
    assert response.status_code == 422
    assert "isn't one of yours" in response.json()["message"]


def test_refused_answers_count_towards_the_lock(half_signed_in, key, settings):
    settings.TWOFACTOR_CHECK_LIMIT = 2
    for _ in range(2):
        answer = sign_in_answer(half_signed_in, key, origin="https://evil.example")
        post_json(half_signed_in, SIGN_IN_URL, answer)
    response = post_json(half_signed_in, SIGN_IN_URL, sign_in_answer(half_signed_in, key))
    assert response.status_code == 429


# Removing


def test_removing_a_passkey_needs_the_password(client_logged_in, user, password, key):
    assert register(client_logged_in, key, password).status_code == 200
    assert register(client_logged_in, SoftAuthenticator(), password).status_code == 200
    passkey = credentials.find(user, key.id)
    assert passkey is not None
    url = f"/2fa/passkey/{passkey.pk}/remove/"
    assert client_logged_in.post(url, {"password": "wrong"}).status_code == 422
    assert Factor.objects.filter(pk=passkey.pk).exists()
    assert client_logged_in.post(url, {"password": password}).status_code == 302
    assert not Factor.objects.filter(pk=passkey.pk).exists()
    assert Factor.objects.filter(user=user, kind=Kind.WEBAUTHN).count() == 1
    assert "passkey was removed" in mail.outbox[-1].subject
    # The last second factor goes by turning two-factor off.
    last = Factor.objects.get(user=user, kind=Kind.WEBAUTHN)
    response = client_logged_in.post(f"/2fa/passkey/{last.pk}/remove/", {"password": password})
    assert response["Location"] == "/2fa/disable/"
    assert Factor.objects.filter(pk=last.pk).exists()


def test_someone_elses_passkey_cannot_be_removed(signed_in_client, user_factory, key):
    theirs = stored_passkey(user_factory(username="other"), key)
    signed_in_client.post(f"/2fa/passkey/{theirs.pk}/remove/", {"password": "x"})
    assert Factor.objects.filter(pk=theirs.pk).exists()


# Settings


@pytest.mark.parametrize(
    ("origin", "rp_id", "ok"),
    [
        ("https://example.com", "example.com", True),
        ("https://login.example.com", "example.com", True),
        ("http://example.com", "example.com", False),
        ("https://example.org", "example.com", False),
    ],
)
def test_production_needs_an_https_origin_on_the_rp_id(settings, origin, rp_id, ok):
    settings.DEBUG = False
    settings.WEBAUTHN_ORIGIN = origin
    settings.WEBAUTHN_RP_ID = rp_id
    errors = check_webauthn_origin()
    assert (errors == []) is ok
    assert all(isinstance(e, Error) and e.id == "twofactor.E005" for e in errors)


def test_the_defaults_come_from_allowed_hosts(settings):
    from twofactor.conf import app_settings

    del settings.WEBAUTHN_RP_ID
    del settings.WEBAUTHN_ORIGIN
    settings.ALLOWED_HOSTS = ["127.0.0.1", ".example.com"]
    settings.DEBUG = False
    assert app_settings.WEBAUTHN_RP_ID == "example.com"
    assert app_settings.WEBAUTHN_ORIGIN == "https://example.com"
    settings.DEBUG = True
    assert app_settings.WEBAUTHN_ORIGIN == "", "DEBUG: the request's own origin"
    settings.ALLOWED_HOSTS = ["*"]
    assert app_settings.WEBAUTHN_RP_ID == "localhost"


def test_the_permissions_policy_lets_the_sites_own_pages_use_passkeys(client):
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    assert "publickey-credentials-get=(self)" in policy
    assert "publickey-credentials-create=(self)" in policy


def test_the_admin_shows_a_passkeys_name_and_dates_never_its_key(admin_client, user, key):
    passkey = stored_passkey(user, key, name="Blue security key")
    listing = admin_client.get("/admin/twofactor/factor/").content.decode()
    detail = admin_client.get(f"/admin/twofactor/factor/{passkey.pk}/change/").content.decode()
    for page in (listing, detail):
        assert "Blue security key" in page
        assert passkey.data["public_key"] not in page
        assert passkey.data["credential_id"] not in page
