"""A username can never look like an email address, so it can never be (or
become) another account's email and take over that person's email sign-in."""

import html

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.models import User
from tests.accounts.test_admin import CHANGELIST, add_form_defaults
from tests.accounts.test_register import form_data

EMAIL_SHAPED = "A username can't contain @: it would look like an email address."

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["v@example.com", "V@EXAMPLE.COM", "vic@", "@vic", "a@b"])
def test_registration_refuses_an_email_shaped_username(client, username):
    response = client.post("/accounts/register/", form_data(username=username))
    assert response.status_code == 200
    assert EMAIL_SHAPED in html.unescape(response.text)
    assert not User.objects.filter(username=username).exists()


def test_the_reported_takeover_no_longer_works(client, user_factory, password):
    """V registers; A tries to register with V's email as username; V still
    signs in by email, and A's failures don't count against V's login."""
    vic = user_factory(username="vic", email="v@example.com")
    response = client.post(
        "/accounts/register/",
        form_data(username="V@example.com", email="attacker@example.com"),
    )
    assert EMAIL_SHAPED in html.unescape(response.text)
    assert User.objects.count() == 1
    client.post("/accounts/login/", {"username": "v@example.com", "password": password})
    assert client.session[SESSION_KEY] == str(vic.pk)


def test_profile_edit_refuses_an_email_shaped_username(client_logged_in, user, user_factory):
    user_factory(username="bob", email="bob@example.com")
    response = client_logged_in.post(
        "/accounts/profile/edit/", {"username": "BOB@example.com", "about_me": ""}
    )
    assert response.status_code == 200
    assert EMAIL_SHAPED in html.unescape(response.text)
    user.refresh_from_db()
    assert user.username == "alice"


def test_the_admin_add_page_refuses_an_email_shaped_username(admin_client, user):
    data = add_form_defaults(admin_client) | {
        "username": "alice@example.com",
        "email": "other@example.com",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
        "usable_password": "true",
    }
    response = admin_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 200
    assert EMAIL_SHAPED in html.unescape(response.text)
    assert not User.objects.filter(email="other@example.com").exists()


def test_the_admin_change_page_refuses_an_email_shaped_username(admin_client, user):
    page = admin_client.get(f"{CHANGELIST}{user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {
        "username": "someone@example.com",
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.pop("password", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = admin_client.post(f"{CHANGELIST}{user.pk}/change/", data)
    assert response.status_code == 200
    assert EMAIL_SHAPED in html.unescape(response.text)
    user.refresh_from_db()
    assert user.username == "alice"


def test_the_model_refuses_it_too(user):
    user.username = "x@y"
    with pytest.raises(Exception, match="would look like an email address"):
        user.full_clean()


def test_createsuperuser_refuses_it(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-unusual-passphrase")
    with pytest.raises(CommandError, match="would look like an email address"):
        call_command(
            "createsuperuser", "--noinput", "--username", "boss@example.com", "--email", "b@e.com"
        )
    assert not User.objects.exists()
