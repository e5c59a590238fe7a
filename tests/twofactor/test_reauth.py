"""Re-authentication before a sensitive change (accounts/reauth.py): with
two-factor on, a code passed more than ACCOUNTS_REAUTH_WINDOW ago sends the user
to the confirmation page (the password, then a code on the code page) and back
to where they were; the change's form then doesn't ask for the password again.
Without two-factor, the form's own password is the confirmation."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.twofactor.authenticator import SoftAuthenticator
from tests.twofactor.conftest import (
    DISABLE_URL,
    HX,
    VERIFY_URL,
    last_code,
    page_text,
)
from tests.twofactor.test_passkeys import stored_passkey
from twofactor import session
from twofactor.factors.sms.backends import locmem
from twofactor.models import Factor

CONFIRM_URL = "/2fa/confirm/"
WINDOW = 300  # ACCOUNTS_REAUTH_WINDOW's default, in seconds
PROFILE = "/user/alice/"


@pytest.fixture
def a_while_later(frozen, signed_in_client):
    """Alice signed in with her code, and then longer than the window passed."""
    frozen.shift(WINDOW + 1)
    return signed_in_client


def confirmation_target(response) -> dict:
    location = response.headers.get("HX-Redirect") or response["Location"]
    parts = urlsplit(location)
    assert parts.path == CONFIRM_URL, location
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def sensitive_urls(user) -> list[str]:
    passkey = Factor.objects.get(user=user, kind="webauthn")
    return [
        DISABLE_URL,
        "/2fa/enable/",
        "/2fa/phone/remove/",
        "/2fa/app/",
        "/2fa/passkey/add/",
        f"/2fa/passkey/{passkey.pk}/remove/",
        "/2fa/recovery/",
        "/accounts/email/",
    ]


def test_every_sensitive_change_asks_again_after_the_window(a_while_later, enrolled_user):
    stored_passkey(enrolled_user, SoftAuthenticator())
    # Adding the passkey changed the setup; this session keeps its (old) mark time.
    session_store = a_while_later.session
    session_store[session.PASSED] = session.required_fingerprint(enrolled_user)
    session_store.save()
    for url in sensitive_urls(enrolled_user):
        response = a_while_later.get(url)
        assert response.status_code == 302, url
        assert confirmation_target(response) == {"next": url}, url


def test_within_the_window_of_the_sign_in_code_no_confirmation(frozen, signed_in_client):
    frozen.shift(WINDOW - 10)
    response = signed_in_client.get(DISABLE_URL)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode(), "the form asks the password itself"


def test_an_htmx_request_goes_to_the_page_and_comes_back_to_the_one_it_came_from(
    a_while_later,
):
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{PROFILE}"}
    response = a_while_later.post(DISABLE_URL, {"password": "x"}, headers=headers)
    assert response.status_code == 200
    assert confirmation_target(response) == {"next": PROFILE}
    assert Factor.objects.filter(user__username="alice").exists(), "nothing changed"


def test_a_foreign_page_to_come_back_to_is_ignored(a_while_later):
    headers = {"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"}
    response = a_while_later.post(DISABLE_URL, {}, headers=headers)
    assert confirmation_target(response) == {"next": "/"}


def test_confirming_the_password_and_a_code_then_the_change_without_the_password(
    a_while_later, enrolled_user, password
):
    client = a_while_later
    page = page_text(client.get(f"{CONFIRM_URL}?next={DISABLE_URL}"))
    assert "Confirm it's you" in page
    assert 'name="password"' in page

    wrong = client.post(CONFIRM_URL, {"password": "not it", "next": DISABLE_URL})
    assert wrong.status_code == 422
    assert "That password isn't right." in page_text(wrong)

    right = client.post(CONFIRM_URL, {"password": password, "next": DISABLE_URL})
    assert right.status_code == 302
    assert right["Location"] == f"{VERIFY_URL}?next=%2F2fa%2Fdisable%2F"

    locmem.outbox.clear()
    code_page = page_text(client.get(right["Location"]))
    assert "confirm it's you with your second factor" in code_page
    assert "Cancel and sign out" not in code_page
    assert "Trust this browser" not in code_page, "trust is for signing in"
    assert len(locmem.outbox) == 1, "the code page sent a code"

    passed = client.post(VERIFY_URL, {"code": last_code(), "next": DISABLE_URL})
    assert passed.status_code == 302
    assert passed["Location"] == DISABLE_URL
    assert session.RECONFIRM not in client.session

    form = client.get(DISABLE_URL)
    assert form.status_code == 200
    assert 'name="password"' not in form.content.decode(), "not asked twice in a row"
    assert "Turn two-factor authentication off?" in page_text(form)
    assert "enter your password" not in page_text(form), "no prompt for a field that isn't there"
    done = client.post(DISABLE_URL, {}, **HX)
    assert "Two-factor authentication is off." in page_text(done)
    assert not Factor.objects.filter(user=enrolled_user).exists()


def test_the_password_counts_for_the_window_only(a_while_later, frozen, password):
    client = a_while_later
    client.post(CONFIRM_URL, {"password": password, "next": DISABLE_URL})
    client.get(VERIFY_URL)
    client.post(VERIFY_URL, {"code": last_code(), "next": DISABLE_URL})
    frozen.shift(WINDOW + 1)
    response = client.get(DISABLE_URL)
    assert response.status_code == 302, "the code is due again"
    assert confirmation_target(response) == {"next": DISABLE_URL}
    page = page_text(client.get(f"{CONFIRM_URL}?next={DISABLE_URL}"))
    assert 'name="password"' in page, "and the password too"


def test_cancelling_the_code_keeps_the_user_signed_in(a_while_later, password):
    client = a_while_later
    client.post(CONFIRM_URL, {"password": password, "next": PROFILE})
    response = client.post("/2fa/verify/cancel/", {"next": PROFILE})
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert session.RECONFIRM not in client.session
    assert client.get(PROFILE).status_code == 200, "still signed in"
    assert client.get(VERIFY_URL).status_code == 302, "no code page left to show"


def test_without_two_factor_the_password_alone_confirms(client_logged_in, password):
    response = client_logged_in.get("/accounts/email/")
    assert response.status_code == 200, "no code to ask for"
    assert 'name="password"' in response.content.decode()
    right = client_logged_in.post(CONFIRM_URL, {"password": password, "next": "/accounts/email/"})
    assert right.status_code == 302
    assert right["Location"] == "/accounts/email/"
    form = client_logged_in.get("/accounts/email/").content.decode()
    assert 'name="password"' not in form


def test_the_confirmation_page_needs_a_signed_in_user(client, db):
    response = client.get(CONFIRM_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_without_two_factor_a_first_factor_late_asks_for_the_password(
    frozen, client_logged_in, password
):
    """Adding the first factor is sensitive too (a thief's own phone would lock
    the owner out): a sign-in older than the window asks for the password."""
    assert client_logged_in.get("/2fa/enable/").status_code == 200, "just signed in"
    frozen.shift(WINDOW + 1)
    for url in ("/2fa/enable/", "/2fa/app/", "/accounts/email/"):
        response = client_logged_in.get(url)
        assert response.status_code == 302, url
        assert confirmation_target(response) == {"next": url}
    right = client_logged_in.post(CONFIRM_URL, {"password": password, "next": "/2fa/enable/"})
    assert right["Location"] == "/2fa/enable/", "no code to ask for: straight back"
    assert client_logged_in.get("/2fa/enable/").status_code == 200


def test_a_confirmation_left_unfinished_ends_with_the_window(a_while_later, frozen, password):
    """The password entered on the confirmation page opens the code page for the
    window only: a session left there is not a code page for ever."""
    client = a_while_later
    client.post(CONFIRM_URL, {"password": password, "next": PROFILE})
    assert client.get(VERIFY_URL).status_code == 200
    frozen.shift(WINDOW + 1)
    response = client.get(VERIFY_URL)
    assert response.status_code == 302, "no code page any more"
    assert client.get(PROFILE).status_code == 200, "still signed in"
