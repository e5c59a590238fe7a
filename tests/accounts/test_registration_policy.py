"""Registration tells a stranger nothing about which addresses have accounts,
confirms the address by a link before the first sign-in, and is limited per
client address."""

import html
import re

import pytest
from django.core import mail

from accounts.models import User
from tests.accounts.test_register import URL, follow_confirmation_link, form_data

pytestmark = pytest.mark.django_db


def visible(response) -> str:
    """The page as a person sees it: without the per-request tokens and nonces."""
    text = response.content.decode()
    return re.sub(r'(nonce|value|content)="[^"]*"|"X-CSRFToken": "[^"]*"', "", text)


def test_a_taken_and_a_new_address_look_the_same(client, user):
    taken = client.post(URL, form_data(username="one", email="ALICE@example.com"), follow=True)
    new = client.post(URL, form_data(username="two", email="new@example.com"), follow=True)
    assert taken.redirect_chain == new.redirect_chain
    assert taken.status_code == new.status_code == 200
    assert visible(taken) == visible(new)
    assert "A user with that email address already exists" not in taken.text


def test_a_taken_address_gets_its_owner_a_note_and_no_account(client, user):
    client.post(URL, form_data(username="intruder", email="Alice@Example.com"))
    assert not User.objects.filter(username="intruder").exists()
    [note] = mail.outbox
    assert note.to == ["alice@example.com"]
    assert "Someone tried to register" in note.subject
    assert "/accounts/login/" in note.body and "/accounts/password_reset/" in note.body
    assert "/accounts/confirm/" not in note.body  # nothing to confirm: no account


def test_a_new_address_gets_a_link_and_sign_in_waits_for_it(client):
    client.post(URL, form_data())
    [email] = mail.outbox
    assert email.to == ["newcomer@example.com"]
    credentials = {"username": "newcomer", "password": "a-long-unusual-passphrase"}

    refused = client.post("/accounts/login/", credentials)
    assert refused.status_code == 200
    assert "Please confirm your email address first" in refused.text
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 2  # the link again

    again = client.post("/accounts/login/", credentials)
    assert "Please confirm your email address first" in again.text
    assert len(mail.outbox) == 2  # not on every attempt: at most every few minutes

    follow_confirmation_link(client)
    assert User.objects.get(username="newcomer").email_confirmed
    assert client.post("/accounts/login/", credentials).status_code == 302


def test_a_wrong_password_on_an_unconfirmed_account_says_nothing_of_it(client):
    client.post(URL, form_data())
    response = client.post("/accounts/login/", {"username": "newcomer", "password": "wrong"})
    assert "confirm your email" not in response.text
    assert "don't match an account" in html.unescape(response.text)


def test_the_link_works_once_and_is_refused_when_forged(client):
    client.post(URL, form_data())
    [link] = re.findall(r"http://testserver(/accounts/confirm/\S+/)", mail.outbox[0].body)
    follow_confirmation_link(client)
    used = client.post(link)
    assert used.status_code == 400
    assert "This link doesn't work any more" in used.text
    forged = client.get(link[:-3] + "xx/")
    assert forged.status_code == 400


def test_a_get_of_the_link_confirms_nothing(client):
    client.post(URL, form_data())
    [link] = re.findall(r"http://testserver(/accounts/confirm/\S+/)", mail.outbox[0].body)
    page = client.get(link)
    assert "Confirm my address" in page.text
    assert not User.objects.get(username="newcomer").email_confirmed


def test_the_link_expires(client, settings, time_machine):
    settings.ACCOUNTS_EMAIL_LINK_TIMEOUT = 60
    time_machine.move_to("2030-01-15 09:00:00+00:00", tick=False)
    client.post(URL, form_data())
    [link] = re.findall(r"http://testserver(/accounts/confirm/\S+/)", mail.outbox[0].body)
    time_machine.shift(120)
    assert client.post(link).status_code == 400
    assert not User.objects.get(username="newcomer").email_confirmed


def test_a_password_reset_confirms_the_address_too(client):
    client.post(URL, form_data())
    client.post("/accounts/password_reset/", {"email": "newcomer@example.com"})
    [link] = re.findall(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[-1].body)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    new = "another-long-unusual-passphrase"
    client.post(set_url, {"new_password1": new, "new_password2": new})
    assert User.objects.get(username="newcomer").email_confirmed


def test_accounts_made_by_staff_are_confirmed(user_factory):
    assert user_factory().email_confirmed
    assert User.objects.create_superuser("root", "root@example.com", "x" * 20).email_confirmed


def test_registrations_are_limited_per_client_address(client, settings):
    settings.ACCOUNTS_REGISTRATION_IP_LIMIT = 2
    for n in range(2):
        response = client.post(URL, form_data(username=f"u{n}", email=f"u{n}@example.com"))
        assert response.status_code == 302
    refused = client.post(URL, form_data(username="u2", email="u2@example.com"))
    assert refused.status_code == 429
    assert "Too many registrations from your network. Try again in" in refused.text
    assert not User.objects.filter(username="u2").exists()
    assert len(mail.outbox) == 2
    # Another address is not held back.
    other = client.post(
        URL, form_data(username="u3", email="u3@example.com"), REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 302


def test_taken_addresses_count_against_the_limit_too(client, settings, user):
    settings.ACCOUNTS_REGISTRATION_IP_LIMIT = 1
    client.post(URL, form_data(username="x1", email="alice@example.com"))
    refused = client.post(URL, form_data(username="x2", email="new@example.com"))
    assert refused.status_code == 429


def test_invalid_forms_do_not_count(client, settings):
    settings.ACCOUNTS_REGISTRATION_IP_LIMIT = 1
    client.post(URL, form_data(password2="mismatch"))
    assert client.post(URL, form_data()).status_code == 302
