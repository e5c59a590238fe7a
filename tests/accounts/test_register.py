import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User

URL = "/accounts/register/"


def form_data(**overrides) -> dict:
    data = {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "first_name": "New",
        "last_name": "Comer",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    data.update(overrides)
    return data


def errors(response) -> dict:
    return response.context["form"].errors


def test_the_url_is_the_named_one():
    assert reverse("register") == URL


def follow_confirmation_link(client) -> None:
    """Open the link of the last registration email and press its button."""
    from django.core import mail

    [link] = re.findall(r"http://testserver(/accounts/confirm/\S+/)", mail.outbox[-1].body)
    assert client.get(link).status_code == 200  # a GET changes nothing
    assert client.post(link).status_code == 302


@pytest.mark.django_db
def test_register_creates_the_user_and_asks_to_confirm_the_address(client):
    response = client.post(URL, form_data(), follow=True)

    assert response.redirect_chain == [(reverse("register_done"), 302)]
    assert "Check your email" in response.text
    user = User.objects.get(username="newcomer")
    assert user.email == "newcomer@example.com"
    assert (user.first_name, user.last_name) == ("New", "Comer")
    assert user.check_password("a-long-unusual-passphrase")
    assert user.email_confirmed is False
    # Registering does not sign in.
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_names_are_optional(client):
    response = client.post(URL, form_data(first_name="", last_name=""))
    assert response.status_code == 302
    assert User.objects.filter(username="newcomer").exists()


@pytest.mark.django_db
def test_email_is_required(client):
    response = client.post(URL, form_data(email=""))
    assert response.status_code == 200
    assert "email" in errors(response)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_duplicate_username_is_refused_whatever_the_case(client, user):
    response = client.post(URL, form_data(username="ALICE"))
    assert response.status_code == 200
    assert errors(response)["username"] == ["A user with that username already exists."]
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_taken_email_in_another_case_makes_no_second_account(client, user):
    # Not refused on the page (that would tell who has an account): the owner
    # is emailed instead (tests/accounts/test_registration_policy.py).
    response = client.post(URL, form_data(email="  Alice@EXAMPLE.com "))
    assert response.status_code == 302
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "This password is too short. It must contain at least 15 characters."),
        ("password123", "This password is too common."),
        (
            "iloveyou123456",
            "This password appears in lists of passwords leaked in data breaches, "
            "so attackers try it first. Please choose another.",
        ),
        ("newcomer@example.co", "The password is too similar to the email address."),
    ],
)
def test_weak_passwords_are_refused(client, password, message):
    response = client.post(URL, form_data(password1=password, password2=password))
    assert response.status_code == 200
    assert message in errors(response)["password2"]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_mismatched_passwords_are_refused(client):
    response = client.post(URL, form_data(password2="another-long-passphrase"))
    assert response.status_code == 200
    assert errors(response)["password2"] == ["The two password fields didn’t match."]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_signed_in_user_is_sent_home(client_logged_in):
    response = client_logged_in.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("index")


@pytest.mark.django_db
def test_no_message_when_registration_fails(client):
    response = client.post(URL, form_data(password2="nope"))
    assert list(get_messages(response.wsgi_request)) == []


# The database constraint: the form is not the only guard.


@pytest.mark.django_db
def test_the_database_refuses_an_email_that_differs_only_in_case(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="bob", email="ALICE@example.COM", password="x")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_model_validation_reports_the_email_constraint(user):
    other = User(username="bob", email="Alice@Example.com")
    other.set_password("a-long-unusual-passphrase")
    with pytest.raises(ValidationError) as excinfo:
        other.full_clean()
    assert "A user with that email address already exists." in str(excinfo.value)


@pytest.mark.django_db
def test_first_and_last_names_need_not_be_unique(user_factory):
    user_factory(first_name="Sam", last_name="Smith")
    user_factory(first_name="Sam", last_name="Smith")
    assert User.objects.filter(first_name="Sam", last_name="Smith").count() == 2
