"""Trusted browsers: "Trust this browser" on the code page, the cookie's bindings
(user, factors, password, expiry, signature), the gate letting a trusted browser
through after the password, and forgetting them (the panel, turning two-factor
off, a reset, a new password)."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.test import Client

from accounts.models import SecurityEvent, User
from tests.twofactor.conftest import (
    DISABLE_URL,
    HX,
    LOGIN_URL,
    OTHER_NUMBER,
    PANEL_URL,
    VERIFY_URL,
    field,
    last_code,
    login,
    make_device,
    page_text,
    wrong_code,
)
from twofactor import flows, session, trust
from twofactor.factors.sms.backends import locmem
from twofactor.models import Factor, TrustedBrowser

pytestmark = pytest.mark.django_db

COOKIE = "twofactor_trust"  # plain name: the test settings have no HTTPS
FORGET_URL = "/2fa/trusted/forget/"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
NEW_PASSWORD = "a whole new passphrase 42"


def trust_this_browser(client: Client, **extra):
    """Open the code page and enter the right code with the box ticked."""
    client.get(VERIFY_URL)
    return client.post(VERIFY_URL, {"code": last_code(), "trust_browser": "on"}, **extra)


def sign_out(client: Client) -> None:
    client.post("/accounts/logout/")
    assert SESSION_KEY not in client.session


def passed(client: Client) -> bool:
    return session.PASSED in client.session


def signs_in_without_a_code(client: Client, user, password) -> bool:
    """Sign in with the password; True when the site opens without a code."""
    locmem.outbox.clear()
    response = login(client, user.username, password)
    assert response.status_code == 302
    landed = client.get("/accounts/profile/edit/")
    if landed.status_code == 200:
        assert passed(client)
        assert locmem.outbox == []
        return True
    assert landed["Location"].startswith(VERIFY_URL)
    assert not passed(client)
    return False


@pytest.fixture
def trusted_client(half_signed_in_client, enrolled_user, password) -> Client:
    """Alice's browser, trusted once and signed out again."""
    response = trust_this_browser(half_signed_in_client, headers={"User-Agent": FIREFOX})
    assert response.status_code == 302
    assert COOKIE in half_signed_in_client.cookies
    sign_out(half_signed_in_client)
    return half_signed_in_client


# The checkbox and the cookie


def test_the_code_page_offers_the_checkbox(half_signed_in_client):
    response = half_signed_in_client.get(VERIFY_URL)
    box = field(response, "trust_browser")
    assert box.attrs["type"] == "checkbox"
    assert "checked" not in box.attrs
    assert "Trust this browser for 30 days" in page_text(response)


def test_the_days_follow_the_setting_and_zero_takes_the_box_away(half_signed_in_client, settings):
    settings.TWOFACTOR_TRUST_DAYS = 1
    assert "Trust this browser for 1 day" in page_text(half_signed_in_client.get(VERIFY_URL))
    settings.TWOFACTOR_TRUST_DAYS = 0
    assert 'name="trust_browser"' not in page_text(half_signed_in_client.get(VERIFY_URL))
    # Ticked anyway (an old form): nothing is trusted.
    response = trust_this_browser(half_signed_in_client)
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert not TrustedBrowser.objects.exists()


def test_a_right_code_with_the_box_sets_a_signed_httponly_lax_cookie(
    half_signed_in_client, enrolled_user
):
    response = trust_this_browser(half_signed_in_client, headers={"User-Agent": FIREFOX})
    assert response.status_code == 302
    morsel = response.cookies[COOKIE]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) == 30 * 24 * 3600
    assert not morsel["secure"]  # the test settings have no HTTPS
    payload = signing.loads(morsel.value, salt=trust.SALT)
    assert payload["u"] == enrolled_user.pk
    [row] = TrustedBrowser.objects.all()
    assert row.user == enrolled_user
    # SECURITY: the row keeps only the id's hash.
    assert row.id_hash == trust.hash_id(payload["id"])
    assert payload["id"] not in row.id_hash
    assert row.label == "Firefox on Linux"
    assert row.expires_at - row.created_at == timedelta(days=30)


def test_with_https_the_cookie_is_secure_and_host_only(half_signed_in_client, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = trust_this_browser(half_signed_in_client)
    morsel = response.cookies["__Host-twofactor_trust"]
    assert morsel["secure"] is True
    assert morsel["path"] == "/"
    assert not morsel["domain"]


def test_without_the_box_nothing_is_trusted(half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    response = half_signed_in_client.post(VERIFY_URL, {"code": last_code()})
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert not TrustedBrowser.objects.exists()


def test_a_wrong_code_trusts_nothing_and_keeps_the_box_ticked(half_signed_in_client):
    half_signed_in_client.get(VERIFY_URL)
    response = half_signed_in_client.post(
        VERIFY_URL, {"code": wrong_code(last_code()), "trust_browser": "on"}, **HX
    )
    assert response.status_code == 422
    assert COOKIE not in response.cookies
    assert not TrustedBrowser.objects.exists()
    assert "checked" in field(response, "trust_browser").attrs


def test_with_htmx_the_cookie_comes_with_the_client_redirect(half_signed_in_client):
    response = trust_this_browser(half_signed_in_client, **HX)
    assert response["HX-Redirect"] == "/"
    assert COOKIE in response.cookies


# Using it


def test_a_trusted_browser_signs_in_with_the_password_alone(
    trusted_client, enrolled_user, password, caplog
):
    row = TrustedBrowser.objects.get()
    TrustedBrowser.objects.filter(pk=row.pk).update(last_used_at=None)
    with caplog.at_level(logging.INFO, logger="twofactor"):
        assert signs_in_without_a_code(trusted_client, enrolled_user, password)
    assert f"sign-in approved for user {enrolled_user.pk} by trusted browser" in caplog.text
    # In the account's security activity too, named for what let it through.
    events = SecurityEvent.objects.filter(user=enrolled_user, kind="twofactor_passed")
    latest = events.order_by("pk").last()
    assert latest is not None and latest.details == {"factor": "trusted browser"}
    assert TrustedBrowser.objects.get().last_used_at is not None
    # The code page has nothing left to ask: it sends on, and no code goes out.
    assert trusted_client.get(VERIFY_URL)["Location"] == "/"
    assert locmem.outbox == []


def test_the_trusted_sign_in_gets_a_new_session_key(trusted_client, enrolled_user, password):
    login(trusted_client, enrolled_user.username, password)
    after_password = trusted_client.session.session_key
    trusted_client.get("/")
    assert passed(trusted_client)
    assert trusted_client.session.session_key != after_password


def test_next_is_kept_on_a_trusted_sign_in(trusted_client, password):
    response = trusted_client.post(
        f"{LOGIN_URL}?next=/accounts/profile/edit/",
        {"username": "alice", "password": password},
        follow=True,
    )
    assert response.redirect_chain == [("/accounts/profile/edit/", 302)]
    assert response.status_code == 200


def test_trust_is_only_asked_right_after_the_password(trusted_client, enrolled_user, password):
    assert signs_in_without_a_code(trusted_client, enrolled_user, password)
    # The mark runs out later in the same session (asked again after a while):
    # the code is due, trusted browser or not.
    stored = trusted_client.session
    del stored[session.PASSED]
    stored.save()
    assert trusted_client.get("/accounts/profile/edit/")["Location"].startswith(VERIFY_URL)
    assert not passed(trusted_client)


def test_a_code_passed_without_trust_leaves_no_trust_for_later(
    half_signed_in_client, enrolled_user
):
    # Signed in with a code, trusting the browser; the mark runs out later.
    trust_this_browser(half_signed_in_client)
    stored = half_signed_in_client.session
    del stored[session.PASSED]
    stored.save()
    response = half_signed_in_client.get("/accounts/profile/edit/")
    assert response["Location"].startswith(VERIFY_URL)


def test_trust_does_not_reach_a_session_that_never_passed_the_password(trusted_client):
    # Signed out: the cookie alone is nobody.
    response = trusted_client.get("/accounts/profile/edit/")
    assert response["Location"].startswith(LOGIN_URL)
    assert SESSION_KEY not in trusted_client.session


# Refused


def test_refused_after_a_password_change(trusted_client, enrolled_user, password):
    assert signs_in_without_a_code(trusted_client, enrolled_user, password)
    response = trusted_client.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, page_text(response)
    assert not TrustedBrowser.objects.exists()  # forgotten at once
    sign_out(trusted_client)
    assert not signs_in_without_a_code(trusted_client, enrolled_user, NEW_PASSWORD)


def test_refused_after_a_password_change_that_skipped_save(trusted_client, enrolled_user, password):
    # Even a change no signal sees (a bulk update) ends it: the cookie and the
    # row name the old password hash.
    User.objects.filter(pk=enrolled_user.pk).update(password=make_password(NEW_PASSWORD))
    assert not signs_in_without_a_code(trusted_client, enrolled_user, NEW_PASSWORD)


def test_a_hash_upgrade_at_sign_in_is_not_a_password_change(enrolled_user):
    # Django's check_password() re-saves an outdated hash; that must not forget.
    TrustedBrowser.objects.create(
        user=enrolled_user, id_hash="x" * 64, binding="y", expires_at=enrolled_user.date_joined
    )
    enrolled_user.set_password("whatever it was")
    enrolled_user._password = None  # what Django's hash-upgrade setter does
    enrolled_user.save(update_fields=["password"])
    assert TrustedBrowser.objects.count() == 1
    enrolled_user.set_password(NEW_PASSWORD)
    enrolled_user.save()
    assert TrustedBrowser.objects.count() == 0


def test_refused_after_a_factor_change(trusted_client, enrolled_user, password):
    # A new number (any factor change gives it a new token).
    Factor.objects.filter(user=enrolled_user).update(number=OTHER_NUMBER)
    assert signs_in_without_a_code(trusted_client, enrolled_user, password)  # same token
    sign_out(trusted_client)
    factor = Factor.objects.get(user=enrolled_user)
    factor.token = factor._meta.get_field("token").default()
    factor.save()
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_refused_after_a_factor_is_added(trusted_client, enrolled_user, password):
    Factor.objects.create(user=enrolled_user, kind="totp", confirmed_at=enrolled_user.date_joined)
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_refused_after_expiry(frozen, trusted_client, enrolled_user, password):
    frozen.shift(timedelta(days=29, hours=23))
    assert signs_in_without_a_code(trusted_client, enrolled_user, password)
    sign_out(trusted_client)
    frozen.shift(timedelta(hours=1, minutes=1))
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_refused_when_the_record_expired_though_the_signature_is_fresh(
    trusted_client, enrolled_user, password
):
    TrustedBrowser.objects.update(expires_at=enrolled_user.date_joined)
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_refused_when_the_setting_shrinks_below_the_cookies_age(
    frozen, trusted_client, enrolled_user, password, settings
):
    frozen.shift(timedelta(days=2))
    settings.TWOFACTOR_TRUST_DAYS = 1
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_refused_for_another_user(trusted_client, user_factory, password):
    bob = user_factory(username="bob")
    make_device(bob, number=OTHER_NUMBER)
    assert not signs_in_without_a_code(trusted_client, bob, password)


def test_refused_for_another_user_even_with_a_row_of_theirs(
    trusted_client, enrolled_user, user_factory, password
):
    # Alice's cookie, re-pointed at Bob's row and id: the signature no longer matches.
    bob = user_factory(username="bob")
    make_device(bob, number=OTHER_NUMBER)
    cookie = trusted_client.cookies[COOKIE].value
    payload = signing.loads(cookie, salt=trust.SALT)
    forged = cookie.replace(
        signing.b64_encode(signing.JSONSerializer().dumps(payload)).decode(),
        signing.b64_encode(signing.JSONSerializer().dumps({**payload, "u": bob.pk})).decode(),
    )
    assert forged != cookie
    trusted_client.cookies[COOKIE] = forged
    assert not signs_in_without_a_code(trusted_client, bob, password)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda value: value[:-1] + ("A" if value[-1] != "A" else "B"),  # the signature
        lambda value: "x" + value,  # the payload
        lambda value: signing.dumps(signing.loads(value, salt=trust.SALT), salt="other"),
        lambda value: "",
    ],
    ids=["signature", "payload", "other-salt", "empty"],
)
def test_refused_when_tampered(trusted_client, enrolled_user, password, tamper):
    trusted_client.cookies[COOKIE] = tamper(trusted_client.cookies[COOKIE].value)
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def cookie_of(client: Client) -> dict:
    return signing.loads(client.cookies[COOKIE].value, salt=trust.SALT)


def test_the_cookies_own_binding_is_checked(trusted_client, enrolled_user, password):
    # The record is fine; the cookie (signed by us) names another setup.
    payload = cookie_of(trusted_client)
    trusted_client.cookies[COOKIE] = signing.dumps({**payload, "b": "0" * 64}, salt=trust.SALT)
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_the_records_binding_is_checked(trusted_client, enrolled_user, password):
    # The cookie is fine; the record was made for another setup.
    TrustedBrowser.objects.update(binding="0" * 64)
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_the_cookie_must_name_the_signed_in_user(
    trusted_client, enrolled_user, user_factory, password
):
    # Bob's own valid trust, in a cookie that says it is Alice's: refused.
    bob = user_factory(username="bob")
    make_device(bob, number=OTHER_NUMBER)
    bobs = Client()
    login(bobs, "bob", password)
    trust_this_browser(bobs)
    sign_out(bobs)
    assert signs_in_without_a_code(bobs, bob, password)
    sign_out(bobs)
    payload = cookie_of(bobs)
    bobs.cookies[COOKIE] = signing.dumps({**payload, "u": enrolled_user.pk}, salt=trust.SALT)
    assert not signs_in_without_a_code(bobs, bob, password)


def test_a_well_signed_cookie_without_a_record_is_refused(trusted_client, enrolled_user, password):
    TrustedBrowser.objects.all().delete()
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_trusting_again_replaces_this_browsers_record(trusted_client, enrolled_user, password):
    login(trusted_client, enrolled_user.username, password)
    trusted_client.get("/")
    assert TrustedBrowser.objects.count() == 1
    # Trusted once more after a factor change: the dead row goes, one stays.
    Factor.objects.filter(user=enrolled_user).update(token=Factor().token)
    sign_out(trusted_client)
    login(trusted_client, enrolled_user.username, password)
    trust_this_browser(trusted_client)
    assert TrustedBrowser.objects.count() == 1
    sign_out(trusted_client)
    assert signs_in_without_a_code(trusted_client, enrolled_user, password)


# The panel and forgetting


def test_the_panel_counts_live_trusted_browsers(trusted_client, enrolled_user, password):
    other = Client()
    login(other, "alice", password)
    trust_this_browser(other)
    response = other.get(PANEL_URL)
    assert "Trusted browsers: 2" in page_text(response)
    assert "Forget all trusted browsers" in page_text(response)
    TrustedBrowser.objects.filter(pk=TrustedBrowser.objects.first().pk).update(
        expires_at=enrolled_user.date_joined
    )
    assert "Trusted browsers: 1" in page_text(other.get(PANEL_URL))


def test_the_panel_says_none_without_a_button(signed_in_client):
    text = page_text(signed_in_client.get(PANEL_URL))
    assert "Trusted browsers: 0" in text
    assert "Forget all trusted browsers" not in text


def test_the_panel_says_nothing_of_trust_with_two_factor_off(client_logged_in):
    assert "Trusted browsers" not in page_text(client_logged_in.get(PANEL_URL))


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_forget_all(trusted_client, enrolled_user, password, htmx):
    other = Client()
    login(other, "alice", password)
    trust_this_browser(other)
    assert TrustedBrowser.objects.count() == 2
    response = other.post(FORGET_URL, **(HX if htmx else {}))
    assert not TrustedBrowser.objects.exists()
    # This browser's cookie goes too.
    assert response.cookies[COOKIE].value == ""
    if htmx:
        assert response.status_code == 200
        text = page_text(response)
        assert "We forgot 2 trusted browsers" in text
        assert "Trusted browsers: 0" in text
        assert 'id="twofactor-panel"' in text
    else:
        assert response["Location"] == "/user/alice/"
        assert "We forgot 2 trusted browsers" in page_text(other.get("/user/alice/"))
    # The other browser asks for a code again.
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_forget_all_is_a_post_for_a_signed_in_session(signed_in_client):
    assert signed_in_client.get(FORGET_URL).status_code == 405
    response = Client().post(FORGET_URL)
    assert response["Location"].startswith(LOGIN_URL)


def test_a_half_signed_in_session_cannot_forget(half_signed_in_client, enrolled_user):
    TrustedBrowser.objects.create(
        user=enrolled_user, id_hash="x" * 64, binding="y", expires_at=enrolled_user.date_joined
    )
    response = half_signed_in_client.post(FORGET_URL)
    assert response["Location"].startswith(VERIFY_URL)
    assert TrustedBrowser.objects.count() == 1


def test_turning_two_factor_off_forgets_them(trusted_client, enrolled_user, password):
    assert signs_in_without_a_code(trusted_client, enrolled_user, password)
    # Trust had no code in it: confirming it's the user comes first (test_reauth.py).
    trusted_client.post("/2fa/confirm/", {"password": password, "next": "/"})
    trusted_client.get(VERIFY_URL)
    assert trusted_client.post(VERIFY_URL, {"code": last_code(), "next": "/"}).status_code == 302
    response = trusted_client.post(DISABLE_URL, {})
    assert response.status_code == 302
    assert not TrustedBrowser.objects.exists()


def test_a_reset_forgets_them(trusted_client, enrolled_user, password):
    assert flows.reset(user=enrolled_user, actor="test")
    assert not TrustedBrowser.objects.exists()
    # Two-factor on again later: the old cookie doesn't come back to life.
    make_device(enrolled_user)
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)


def test_the_command_forgets_them(trusted_client, enrolled_user):
    from django.core.management import call_command

    call_command("twofactor_disable", "alice", "--no-input")
    assert not TrustedBrowser.objects.exists()


# The label


@pytest.mark.parametrize(
    "agent, label",
    [
        (FIREFOX, "Firefox on Linux"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_browser_label(agent, label):
    assert trust.browser_label(agent) == label


# A dead cookie is deleted


def test_a_cookie_that_can_never_work_again_is_deleted(trusted_client, enrolled_user, password):
    """After a factor change the cookie's binding is dead for good: the response
    that refused it deletes it, so the browser stops sending it."""
    Factor.objects.create(user=enrolled_user, kind="totp", confirmed_at=enrolled_user.date_joined)
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)
    assert trusted_client.cookies[COOKIE].value == ""
    assert trusted_client.cookies[COOKIE]["max-age"] == 0


def test_a_tampered_cookie_is_deleted(trusted_client, enrolled_user, password):
    trusted_client.cookies[COOKIE] = "x" + trusted_client.cookies[COOKIE].value
    assert not signs_in_without_a_code(trusted_client, enrolled_user, password)
    assert trusted_client.cookies[COOKIE].value == ""


def test_another_users_cookie_is_kept_on_a_shared_computer(trusted_client, user_factory, password):
    cookie = trusted_client.cookies[COOKIE].value
    bob = user_factory(username="bob")
    make_device(bob, number=OTHER_NUMBER)
    assert not signs_in_without_a_code(trusted_client, bob, password)
    assert trusted_client.cookies[COOKIE].value == cookie, "still Alice's trust"


def test_a_trusted_browsers_pass_is_not_a_code_for_a_sensitive_change(
    trusted_client, enrolled_user, password
):
    """Passing the gate by trust had no code in it: turning two-factor off
    right after still asks to confirm it's the user (password and a code)."""
    assert signs_in_without_a_code(trusted_client, enrolled_user, password)
    response = trusted_client.get("/2fa/disable/")
    assert response.status_code == 302
    assert response["Location"].startswith("/2fa/confirm/")
