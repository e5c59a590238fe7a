"""The admin: the phone on the user page and as its own list (masked), the
two-factor column and filter, and "Reset two-factor authentication"."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth import SESSION_KEY

from tests.twofactor.conftest import LOGIN_URL, MASKED, NUMBER, make_device, page_text
from twofactor.models import Factor

pytestmark = pytest.mark.django_db

USERS_URL = "/admin/accounts/user/"
DEVICES_URL = "/admin/twofactor/factor/"
# The full number in any format a page might show it in.
UNMASKED = (NUMBER, "2015550123", "201-555-0123", "(201) 555-0123", "201 555 0123")


@pytest.fixture
def admin_client(client, user_factory, settings):
    # Staff without a factor are sent to set one up first (test_staff_required.py);
    # these tests are about what the admin shows.
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = False
    root = user_factory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


def assert_masked(response):
    text = page_text(response)
    assert MASKED in text
    for form in UNMASKED:
        assert form not in text


def test_the_user_page_has_the_device_inline_masked(admin_client, enrolled_user):
    response = admin_client.get(f"{USERS_URL}{enrolled_user.pk}/change/")
    assert response.status_code == 200
    assert "Second factors" in page_text(response)
    assert_masked(response)


def test_the_device_list_shows_masked_numbers_only(admin_client, enrolled_user):
    response = admin_client.get(DEVICES_URL)
    assert response.status_code == 200
    assert "alice" in page_text(response)
    assert_masked(response)
    device = Factor.objects.phones().get(user=enrolled_user)
    assert_masked(admin_client.get(f"{DEVICES_URL}{device.pk}/change/"))


def test_the_user_list_has_a_two_factor_column(admin_client, enrolled_user, user_factory):
    user_factory(username="bob")
    response = admin_client.get(USERS_URL)
    rows = {u.username: admin_two_factor(u) for u in response.context["cl"].result_list}
    assert rows == {"alice": MASKED, "bob": "Off", "root": "Off"}
    assert 'class="column-two_factor' in response.content.decode()
    assert_masked(response)


def admin_two_factor(user) -> str:
    from django.contrib import admin

    from accounts.models import User

    return str(admin.site.get_model_admin(User).two_factor(user))


@pytest.mark.parametrize(("value", "expected"), [("on", ["alice"]), ("off", ["bob", "root"])])
def test_the_user_list_filters_by_two_factor(
    admin_client, enrolled_user, user_factory, value, expected
):
    bob = user_factory(username="bob")
    # A device that was never confirmed is "off".
    Factor.objects.create(kind="sms", channel="sms", user=bob, number="+12025550199")
    response = admin_client.get(USERS_URL, {"twofactor": value})
    assert response.status_code == 200
    assert sorted(u.username for u in response.context["cl"].result_list) == expected


def test_the_filter_is_offered(admin_client, enrolled_user):
    text = page_text(admin_client.get(USERS_URL))
    assert "By two-factor" in text
    assert "?twofactor=on" in text
    assert "?twofactor=off" in text


def action(pks, **extra):
    return {"action": "reset_two_factor", helpers.ACTION_CHECKBOX_NAME: pks, **extra}


def test_reset_asks_for_confirmation_first(admin_client, enrolled_user):
    response = admin_client.post(USERS_URL, action([enrolled_user.pk]))
    assert response.status_code == 200
    text = page_text(response)
    assert "Reset two-factor authentication?" in text
    assert "alice" in text
    assert_masked(response)
    assert Factor.objects.phones().filter(user=enrolled_user).exists()


def test_reset_on_confirm_removes_the_device_and_signs_the_user_out(
    admin_client, enrolled_user, signed_in_user_client
):
    assert signed_in_user_client.get("/user/alice/").status_code == 200
    response = admin_client.post(USERS_URL, action([enrolled_user.pk], post="yes"), follow=True)
    assert response.redirect_chain[-1][0] == USERS_URL
    assert "Two-factor authentication was reset for 1 user; their sessions ended." in page_text(
        response
    )
    assert not Factor.objects.phones().filter(user=enrolled_user).exists()
    response = signed_in_user_client.get("/user/alice/")
    assert response["Location"].startswith(LOGIN_URL)
    assert SESSION_KEY not in signed_in_user_client.session
    # The admin's own session is untouched.
    assert admin_client.get(USERS_URL).status_code == 200


def test_reset_several_users(admin_client, enrolled_user, user_factory):
    bob = user_factory(username="bob")
    make_device(bob, number="+12025550199")
    response = admin_client.post(
        USERS_URL, action([enrolled_user.pk, bob.pk], post="yes"), follow=True
    )
    assert "reset for 2 users" in page_text(response)
    assert not Factor.objects.exists()


def test_the_reset_action_needs_staff(client, enrolled_user, user_factory):
    mallory = user_factory(username="mallory")
    client.force_login(mallory)
    client.post(USERS_URL, action([enrolled_user.pk], post="yes"))
    assert Factor.objects.phones().filter(user=enrolled_user).exists()


def test_deleting_a_device_in_the_admin_is_a_reset(
    admin_client, enrolled_user, signed_in_user_client
):
    device = Factor.objects.phones().get(user=enrolled_user)
    response = admin_client.post(f"{DEVICES_URL}{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Factor.objects.phones().filter(user=enrolled_user).exists()
    assert signed_in_user_client.get("/user/alice/")["Location"].startswith(LOGIN_URL)


def test_the_user_page_shows_passkeys_and_trusted_browsers_never_a_key(admin_client, enrolled_user):
    from datetime import timedelta

    from django.utils import timezone

    from tests.twofactor.authenticator import SoftAuthenticator
    from tests.twofactor.test_passkeys import stored_passkey
    from twofactor.models import TrustedBrowser

    passkey = stored_passkey(enrolled_user, SoftAuthenticator(), name="Work laptop")
    browser = TrustedBrowser.objects.create(
        user=enrolled_user,
        id_hash="f" * 64,
        binding="b" * 64,
        label="Firefox on Linux",
        expires_at=timezone.now() + timedelta(days=30),
    )
    text = page_text(admin_client.get(f"{USERS_URL}{enrolled_user.pk}/change/"))
    assert "passkey “Work laptop”" in text
    assert "Trusted browsers" in text
    assert "Firefox on Linux" in text
    for secret in (passkey.data["public_key"], passkey.data["credential_id"], browser.id_hash):
        assert secret not in text
