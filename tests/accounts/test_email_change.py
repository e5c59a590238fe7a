"""Your email on your own profile; changing it needs the password, is confirmed
from the new address (nothing changes before) and is told to the old one."""

import html
import re

import pytest
from django.core import mail

from accounts.models import SecurityEvent, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/accounts/email/"


def link_in(email) -> str:
    [link] = re.findall(r"http://testserver(/accounts/email/confirm/\S+/)", email.body)
    return link


def test_your_email_is_on_your_own_profile_only(client_logged_in, user_factory):
    own = client_logged_in.get("/user/alice/")
    assert "alice@example.com" in own.text
    assert 'href="/accounts/email/"' in own.text
    bob = user_factory(username="bob", email="bob@example.com")
    other = client_logged_in.get(f"/user/{bob.username}/")
    assert "bob@example.com" not in other.text


def test_a_change_needs_the_password(client_logged_in, user):
    response = client_logged_in.post(URL, {"email": "new@example.com", "password": "wrong"})
    assert response.status_code == 422
    assert "That password isn't right." in html.unescape(response.text)
    assert mail.outbox == []
    assert User.objects.get(pk=user.pk).email == "alice@example.com"


def test_a_change_is_confirmed_from_the_new_address_and_told_to_the_old(client_logged_in, user):
    response = client_logged_in.post(URL, {"email": "New@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    confirm, notice = sorted(mail.outbox, key=lambda m: m.to[0] == "alice@example.com")
    assert confirm.to == ["New@Example.org"]
    assert notice.to == ["alice@example.com"]
    assert "New@Example.org" in notice.body and "Nothing changes until" in notice.body
    # Nothing changed yet, and a GET of the link changes nothing either.
    assert User.objects.get(pk=user.pk).email == "alice@example.com"
    link = link_in(confirm)
    assert "Use this address" in client_logged_in.get(link).text
    assert User.objects.get(pk=user.pk).email == "alice@example.com"

    mail.outbox.clear()
    done = client_logged_in.post(link, follow=True)
    assert "Your email address is now New@Example.org." in done.text
    assert User.objects.get(pk=user.pk).email == "New@Example.org"
    [changed] = mail.outbox
    assert changed.to == ["alice@example.com"]
    assert "is now New@Example.org" in changed.body
    assert SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.EMAIL_CHANGED).exists()
    # The link works once.
    assert client_logged_in.post(link).status_code == 400


def test_the_link_works_without_being_signed_in(client, user, password):
    other = type(client)()
    other.force_login(user)
    other.post(URL, {"email": "new@example.com", "password": password})
    link = link_in(next(m for m in mail.outbox if m.to == ["new@example.com"]))
    response = client.post(link)
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).email == "new@example.com"


def test_an_address_with_an_account_is_not_revealed(client_logged_in, user, user_factory):
    user_factory(username="bob", email="bob@example.com")
    taken = client_logged_in.post(URL, {"email": "BOB@example.com", "password": PASSWORD})
    free = client_logged_in.post(URL, {"email": "free@example.com", "password": PASSWORD})
    assert taken.status_code == free.status_code == 302
    to_bob = [m for m in mail.outbox if m.to == ["BOB@example.com"]]
    assert len(to_bob) == 1 and "/accounts/email/confirm/" not in to_bob[0].body
    assert User.objects.get(pk=user.pk).email == "alice@example.com"


def test_an_address_taken_meanwhile_is_not_applied(client_logged_in, user, user_factory):
    client_logged_in.post(URL, {"email": "new@example.com", "password": PASSWORD})
    link = link_in(next(m for m in mail.outbox if m.to == ["new@example.com"]))
    user_factory(username="quick", email="NEW@example.com")
    response = client_logged_in.post(link, follow=True)
    assert "That address can" in response.text
    assert User.objects.get(pk=user.pk).email == "alice@example.com"


def test_your_own_address_is_not_a_change(client_logged_in):
    response = client_logged_in.post(URL, {"email": "ALICE@example.com", "password": PASSWORD})
    assert response.status_code == 422
    assert "That is already your address." in response.text


def test_the_password_tries_are_limited(client_logged_in, settings):
    settings.ACCOUNTS_LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        client_logged_in.post(URL, {"email": "new@example.com", "password": "wrong"})
    response = client_logged_in.post(URL, {"email": "new@example.com", "password": PASSWORD})
    assert response.status_code == 422
    assert "Too many wrong passwords" in response.text
    assert mail.outbox == []


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
