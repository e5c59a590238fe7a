"""Signing in with a passkey alone (no password) from the sign-in page, renaming
a passkey, one account per credential in the database, and the code page's
heading for a passkey: through the test client, with answers made by the
software authenticator (tests/twofactor/authenticator.py) and checked by
py_webauthn."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from accounts.models import SecurityEvent
from tests.twofactor.authenticator import SoftAuthenticator
from tests.twofactor.conftest import HX, VERIFY_URL, login, make_device, page_text
from tests.twofactor.test_passkeys import ORIGIN, post_json, stored_passkey
from twofactor import session, throttles
from twofactor.factors.webauthn import credentials
from twofactor.models import Factor

LOGIN_URL = "/accounts/login/"
OPTIONS_URL = "/2fa/passkey/sign-in/options/"
SIGN_IN_URL = "/2fa/passkey/sign-in/"
HANDLE = b"h" * 32  # the user handle stored_passkey() gives every passkey


@pytest.fixture(autouse=True)
def _relying_party(settings):
    settings.WEBAUTHN_RP_ID = "testserver"
    settings.WEBAUTHN_ORIGIN = ORIGIN


@pytest.fixture
def key() -> SoftAuthenticator:
    return SoftAuthenticator()


@pytest.fixture
def passkey(user, key) -> Factor:
    return stored_passkey(user, key)


def answer(client, key: SoftAuthenticator, **get) -> dict:
    options = post_json(client, OPTIONS_URL)
    assert options.status_code == 200, options.content
    get.setdefault("user_handle", HANDLE)
    return key.get(options.json(), origin=get.pop("origin", ORIGIN), **get)


def passwordless(client, key: SoftAuthenticator, *, next_url: str = "", **get):
    url = f"{SIGN_IN_URL}?next={next_url}" if next_url else SIGN_IN_URL
    return post_json(client, url, answer(client, key, **get))


def fully_signed_in(client, user) -> bool:
    """Signed in as `user` and past the gate: a signed-in page opens."""
    response = client.get(f"/user/{user.username}/")
    return response.status_code == 200 and client.session.get("_auth_user_id") == str(user.pk)


# The sign-in page


def test_the_sign_in_page_offers_a_passkey_with_the_next_page(client, db):
    page = client.get(f"{LOGIN_URL}?next=/user/alice/").content.decode()
    assert 'data-passkey="sign-in"' in page
    assert f'data-options-url="{OPTIONS_URL}"' in page
    assert f'data-finish-url="{SIGN_IN_URL}?next=/user/alice/"' in page
    # The username field's autofill is offered the passkeys by passkeys.js.
    assert 'data-passkey-autofill data-autofill-field="#id_username"' in page
    assert 'id="id_username"' in page
    assert "/static/js/passkeys.js" in page
    # Without JavaScript the page says what the passkey needs.
    assert "Signing in with a passkey needs JavaScript" in page


def test_the_setting_turns_passwordless_sign_in_off(client, settings, passkey, key):
    settings.WEBAUTHN_PASSWORDLESS = False
    page = client.get(LOGIN_URL).content.decode()
    assert 'data-passkey="sign-in"' not in page
    assert "data-passkey-autofill" not in page
    response = post_json(client, OPTIONS_URL)
    assert response.status_code == 404
    assert "turned off" in response.json()["message"]


def test_options_name_no_account_and_require_the_owner_checked(client, passkey):
    options = post_json(client, OPTIONS_URL).json()
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"
    assert options["rpId"] == "testserver"
    assert options["timeout"] == 300_000


# Signing in


def test_a_passkey_signs_in_without_a_password_and_passes_the_gate(client, user, key):
    make_device(user)  # two-factor on by phone too: the passkey still counts as both
    passkey = stored_passkey(user, key)
    client.get(LOGIN_URL)
    anonymous_key = client.session.session_key
    response = passwordless(client, key, next_url=f"/user/{user.username}/")
    assert response.status_code == 200, response.content
    assert response.json()["redirect"] == f"/user/{user.username}/"
    assert fully_signed_in(client, user)
    assert client.session.session_key != anonymous_key, "a new session key"
    assert session.PASSED in client.session
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    assert passkey.data["sign_count"] == key.sign_count
    kinds = list(SecurityEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert SecurityEvent.Kind.SIGN_IN_PASSKEY in kinds
    assert SecurityEvent.Kind.TWOFACTOR_PASSED in kinds
    assert SecurityEvent.Kind.SIGN_IN not in kinds, "not logged as a password sign-in"


def test_a_foreign_next_page_is_replaced_by_the_home_page(client, passkey, key):
    response = passwordless(client, key, next_url="https://evil.example/")
    assert response.status_code == 200
    assert response.json()["redirect"] == "/"


def test_an_authenticator_that_did_not_check_its_owner_is_refused(client, user, passkey, key):
    response = passwordless(client, key, verified=False)
    assert response.status_code == 422
    assert response.json()["message"]
    assert not fully_signed_in(client, user)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("handle", [b"x" * 32, None])
def test_another_or_no_user_handle_is_refused(client, user, passkey, key, handle):
    options = post_json(client, OPTIONS_URL).json()
    body = key.get(options, origin=ORIGIN, user_handle=handle)
    response = post_json(client, SIGN_IN_URL, body)
    assert response.status_code == 422
    assert "isn't one of yours" in response.json()["message"]
    assert "_auth_user_id" not in client.session


def test_an_unknown_passkey_is_refused_and_logged_as_a_failed_sign_in(client, passkey):
    response = passwordless(client, SoftAuthenticator())
    assert response.status_code == 422
    assert "isn't on any account here" in response.json()["message"]
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN_FAILED)
    assert event.user is None
    assert event.details["via"] == "passkey"


def test_a_replayed_answer_is_refused(client, user, passkey, key):
    body = answer(client, key)
    assert post_json(client, SIGN_IN_URL, body).status_code == 200
    client.logout()
    response = post_json(client, SIGN_IN_URL, body)
    assert response.status_code == 422
    assert "expired or was already answered" in response.json()["message"]


def test_an_answer_for_another_website_is_refused(client, passkey, key):
    response = passwordless(client, key, origin="https://evil.example")
    assert response.status_code == 422
    assert "came from another website" in response.json()["message"]
    assert "_auth_user_id" not in client.session


def test_a_copied_passkey_is_refused_and_its_owner_emailed(client, user):
    key = SoftAuthenticator(sign_count=3)
    stored_passkey(user, key, sign_count=10)
    response = passwordless(client, key)
    assert response.status_code == 422
    assert "counter went backwards" in response.json()["message"]
    assert "may have been copied" in mail.outbox[-1].subject
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_is_refused(client, user, passkey, key):
    user.is_active = False
    user.save()
    response = passwordless(client, key)
    assert response.status_code == 422
    assert "_auth_user_id" not in client.session


def test_an_account_locked_for_wrong_codes_is_refused(client, settings, user, passkey, key):
    settings.TWOFACTOR_CHECK_LIMIT = 1
    throttles.record_wrong_code(user_id=user.pk)
    throttles.record_wrong_code(user_id=user.pk)
    response = passwordless(client, key)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_count_against_the_address_not_the_account(client, settings, user, passkey, key):
    settings.ACCOUNTS_LOGIN_FAILURE_IP_LIMIT = 2
    stranger = SoftAuthenticator()
    assert passwordless(client, stranger).status_code == 422
    # A success in between gives its own slot back.
    assert passwordless(client, key).status_code == 200
    client.logout()
    assert passwordless(client, stranger).status_code == 422
    response = passwordless(client, key)
    assert response.status_code == 429, "the address used up its failed sign-ins"
    assert "Too many failed sign-ins" in response.json()["message"]
    # The account itself is not locked: its owner elsewhere signs in.
    assert throttles.may_check(user_id=user.pk).allowed
    assert passwordless(Client_from_elsewhere(), key).status_code == 200


def Client_from_elsewhere():  # noqa: N802  (reads like the class it makes)
    from django.test import Client

    return Client(REMOTE_ADDR="198.51.100.7")


def test_signed_in_already_is_told_so(client_logged_in, passkey):
    response = post_json(client_logged_in, OPTIONS_URL)
    assert response.status_code == 200
    assert response.json()["message"] == "You're already signed in."


def test_junk_is_a_422_never_a_500(client, passkey):
    post_json(client, OPTIONS_URL)
    assert client.post(SIGN_IN_URL, b"{nope", content_type="application/json").status_code == 422
    response = post_json(client, SIGN_IN_URL, {"id": "AAAA", "response": "x"})
    assert response.status_code == 422
    assert client.get(SIGN_IN_URL).status_code == 405


# One account per credential


def test_the_database_keeps_a_credential_on_one_account(user_factory, key):
    stored_passkey(user_factory(), key)
    with pytest.raises(IntegrityError), transaction.atomic():
        stored_passkey(user_factory(), key)


def test_find_any_finds_the_owner_by_credential_id_alone(user_factory, key):
    owner = user_factory()
    stored_passkey(owner, key)
    stored_passkey(user_factory(), SoftAuthenticator())
    assert credentials.find_any(key.id).user == owner
    assert credentials.find_any(SoftAuthenticator().id) is None
    assert credentials.find_any("") is None
    assert credentials.find_any("A" * 5000) is None


# Renaming


@pytest.fixture
def signed_in(client, user, passkey, key):
    """Alice, signed in with her passkey (so past the gate)."""
    assert passwordless(client, key).status_code == 200
    return client


def test_a_passkey_is_renamed_without_a_password(signed_in, user, passkey):
    client_logged_in = signed_in
    url = f"/2fa/passkey/{passkey.pk}/rename/"
    form = client_logged_in.get(url, **HX)
    assert form.status_code == 200
    assert 'value="Phone"' in form.content.decode()
    token = passkey.token
    response = client_logged_in.post(url, {"name": "  Work   laptop "}, **HX)
    assert response.status_code == 200
    assert "is now called “Work laptop”" in page_text(response)
    passkey.refresh_from_db()
    assert passkey.data["name"] == "Work laptop"
    assert passkey.data["credential_id"], "nothing else of the passkey changed"
    assert passkey.token == token, "a name is not part of the setup a code was passed for"


def test_a_blank_name_is_a_422_with_the_reason(signed_in, passkey):
    client_logged_in = signed_in
    response = client_logged_in.post(f"/2fa/passkey/{passkey.pk}/rename/", {"name": "   "}, **HX)
    assert response.status_code == 422
    assert "Give the passkey a name." in page_text(response)
    passkey.refresh_from_db()
    assert passkey.data["name"] == "Phone"


def test_another_users_passkey_cannot_be_renamed(signed_in, user_factory):
    client_logged_in = signed_in
    theirs = stored_passkey(user_factory(), SoftAuthenticator())
    response = client_logged_in.post(f"/2fa/passkey/{theirs.pk}/rename/", {"name": "Mine"})
    assert response.status_code in (200, 302)
    theirs.refresh_from_db()
    assert theirs.data["name"] == "Phone"


def test_the_card_offers_rename(signed_in, passkey):
    client_logged_in = signed_in
    page = client_logged_in.get("/2fa/").content.decode()
    assert f'href="/2fa/passkey/{passkey.pk}/rename/"' in page
    assert 'aria-label="Rename the passkey Phone"' in page


# The code page's heading


def test_the_code_page_heading_says_what_to_do_for_each_factor(client, user, password, key):
    make_device(user)
    stored_passkey(user, key)
    login(client, user.username, password)
    page = page_text(client.get(VERIFY_URL))
    assert '<h1 tabindex="-1">Use your passkey</h1>' in page
    assert "<title>Use your passkey" in page
    swapped = page_text(client.get(f"{VERIFY_URL}?factor=sms", **HX))
    assert '<h1 tabindex="-1">Enter your code</h1>' in swapped
    assert "Use your passkey</h1>" not in swapped


# The user handle a new passkey keeps


def test_the_user_handle_given_to_the_authenticator_is_the_one_stored(
    client_logged_in, user, password
):
    """What the authenticator keeps as the user's id is what it returns at a
    passwordless sign-in: it must be the handle stored with the passkey, and
    the same for all of the user's passkeys."""
    from tests.twofactor.test_passkeys import ADD_URL, REGISTER_OPTIONS_URL, REGISTER_URL

    handles = []
    for name in ("First", "Second"):
        client_logged_in.post(ADD_URL, {"name": name, "password": password})
        options = post_json(client_logged_in, REGISTER_OPTIONS_URL).json()
        handles.append(options["user"]["id"])
        created = SoftAuthenticator().create(options, origin=ORIGIN)
        assert post_json(client_logged_in, REGISTER_URL, created).status_code == 200
    stored = [f.data["user_handle"] for f in credentials.passkey_rows(user)]
    assert stored == handles
    assert handles[0] == handles[1]


def test_adding_a_phone_beside_a_passkey_needs_the_password(signed_in, user, password):
    """Two-factor is on (by the passkey): a phone added now needs the password,
    so a stolen session can't put its own number beside the owner's passkey."""
    from twofactor.factors.sms.backends import locmem

    locmem.outbox.clear()
    response = signed_in.post("/2fa/enable/", {"country": "US", "number": "2015550123"}, **HX)
    assert response.status_code == 422
    assert 'name="password"' in response.content.decode()
    assert locmem.outbox == [], "no code went out"
    response = signed_in.post(
        "/2fa/enable/", {"country": "US", "number": "2015550123", "password": password}, **HX
    )
    assert response.status_code == 200
    assert len(locmem.outbox) == 1


def test_an_anonymous_visitors_challenge_session_ends_with_the_challenge(client, passkey, key):
    """The sign-in page asks for options on every visit (the autofill): the
    session row that holds the challenge lasts 5 minutes, not a month; a
    sign-in then gives the session its own lifetime."""
    post_json(client, OPTIONS_URL)
    assert client.session.get_expiry_age() == 300
    assert passwordless(client, key).status_code == 200
    assert client.session.get_expire_at_browser_close(), "a sign-in not remembered"
