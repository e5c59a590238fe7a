"""TWOFACTOR_REQUIRED_FOR_STAFF: a staff user without a second factor is sent to
set one up (/2fa/) before any admin page opens; the setup pages stay open."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings

from tests.twofactor.conftest import (
    CONFIRM_URL,
    ENABLE_URL,
    HX,
    PANEL_URL,
    last_code,
    make_device,
    page_text,
    pass_code,
)
from twofactor.conf import app_settings

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ("/admin/", "/admin/accounts/user/", "/admin/twofactor/factor/")
MESSAGE = "Staff accounts need two-factor authentication before the admin opens."


@pytest.fixture
def staff(user_factory):
    return user_factory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff, settings):
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = True
    client.force_login(staff)
    return client


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_staff_without_a_factor_are_sent_to_set_one_up(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == PANEL_URL
    page = staff_client.get(PANEL_URL)
    assert page.status_code == 200
    assert MESSAGE in page_text(page)


def test_an_htmx_request_to_the_admin_gets_a_client_redirect(staff_client):
    response = staff_client.get("/admin/", **HX)
    assert response["HX-Redirect"] == PANEL_URL


def test_a_post_to_the_admin_is_refused_too(staff_client, user):
    response = staff_client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert response["Location"] == PANEL_URL
    assert type(user).objects.filter(pk=user.pk).exists()


def test_the_setup_pages_stay_open_and_after_a_phone_the_admin_opens(staff_client):
    assert staff_client.get(PANEL_URL).status_code == 200
    assert staff_client.get(ENABLE_URL).status_code == 200
    response = staff_client.post(ENABLE_URL, {"country": "US", "number": "(201) 555-0123"})
    assert response.status_code == 200
    response = staff_client.post(CONFIRM_URL, {"code": last_code()})
    assert response.status_code == 302
    # This session proved the new phone: the admin opens without another code.
    assert staff_client.get("/admin/").status_code == 200


def test_the_admin_sign_out_stays_open(staff_client):
    response = staff_client.post("/admin/logout/")
    assert response["Location"] != PANEL_URL
    assert SESSION_KEY not in staff_client.session


def test_staff_with_a_factor_past_the_code_get_the_admin(client, staff, password, settings):
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = True
    make_device(staff)
    client.post("/admin/login/", {"username": "root", "password": password})
    assert client.get("/admin/")["Location"].startswith("/2fa/verify/")  # the code first
    pass_code(client)
    assert client.get("/admin/").status_code == 200


def test_off_staff_without_a_factor_get_the_admin(client, staff, settings):
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_users_who_are_not_staff_get_the_admins_own_answer(client_logged_in, settings):
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = True
    response = client_logged_in.get("/admin/")
    # The admin's own sign-in page ("not authorised"), not the two-factor panel.
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_rest_of_the_site_stays_open_to_staff_without_a_factor(staff_client):
    assert staff_client.get("/").status_code == 200
    assert staff_client.get("/user/root/").status_code == 200


@pytest.mark.parametrize("debug, expected", [(False, True), (True, False)])
def test_the_default_is_on_unless_debug(settings, debug, expected):
    del settings.TWOFACTOR_REQUIRED_FOR_STAFF
    with override_settings(DEBUG=debug):
        assert app_settings.REQUIRED_FOR_STAFF is expected


def test_the_setting_is_read_from_the_environment_only_when_present():
    from tests.accounts.test_settings import settings_in_subprocess

    code = "print(getattr(s, 'TWOFACTOR_REQUIRED_FOR_STAFF', 'unset'))"
    base = {"DEBUG": "1"}
    assert settings_in_subprocess(base, code).stdout.split() == ["unset"]
    on = settings_in_subprocess({**base, "TWOFACTOR_REQUIRED_FOR_STAFF": "1"}, code)
    assert on.stdout.split() == ["True"], on.stderr
    off = settings_in_subprocess({**base, "TWOFACTOR_REQUIRED_FOR_STAFF": "0"}, code)
    assert off.stdout.split() == ["False"], off.stderr
