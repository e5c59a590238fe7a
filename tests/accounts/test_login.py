import html

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User

URL = "/accounts/login/"
INVALID = "That username or email and password don't match an account."


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def test_the_url_is_the_named_one():
    assert reverse("login") == URL


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.com", "Alice@Example.COM"])
def test_sign_in_by_username_or_email_in_any_case(client, user, password, login):
    response = client.post(URL, {"username": login, "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("index")
    assert signed_in_as(client) == str(user.pk)


@pytest.mark.django_db
def test_an_email_shaped_login_matches_emails_only(client, user_factory, password):
    # An account from before usernames were refused an "@": bob's username is
    # carol's address. Signing in with it is carol's email sign-in, never bob's.
    bob = User.objects.create_user("carol@example.com", "bob@example.com", password)
    carol = user_factory(username="carol", email="carol@example.com", password="carols-own-pass")
    client.post(URL, {"username": "carol@example.com", "password": password})
    assert signed_in_as(client) is None
    client.post(URL, {"username": "Carol@Example.com", "password": "carols-own-pass"})
    assert signed_in_as(client) == str(carol.pk)
    client.logout()
    # bob still signs in, by his own email.
    client.post(URL, {"username": "bob@example.com", "password": password})
    assert signed_in_as(client) == str(bob.pk)


@pytest.mark.django_db
def test_wrong_password_and_unknown_user_get_the_same_message(client, user):
    wrong = client.post(URL, {"username": "alice", "password": "not her password"})
    unknown = client.post(URL, {"username": "nobody", "password": "not her password"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert INVALID in html.unescape(response.text)
        assert response.context["form"].non_field_errors() == [
            "That username or email and password don't match an account."
        ]
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_an_inactive_user_cannot_sign_in(client, user_factory, password):
    user_factory(username="sleepy", is_active=False)
    response = client.post(URL, {"username": "sleepy", "password": password})
    assert response.status_code == 200
    # Same message as a wrong password: it does not tell whether the account exists.
    assert INVALID in html.unescape(response.text)
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_remember_me_keeps_the_session_for_session_cookie_age(client, user, password):
    response = client.post(URL, {"username": "alice", "password": password, "remember_me": "on"})
    assert signed_in_as(client) == str(user.pk)
    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE
    assert cookie["expires"]


@pytest.mark.django_db
def test_the_remembered_session_lasts_the_configured_age(client, user, password, settings):
    settings.SESSION_COOKIE_AGE = 3600
    response = client.post(URL, {"username": "alice", "password": password, "remember_me": "on"})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 3600


@pytest.mark.django_db
def test_without_remember_me_the_session_ends_with_the_browser(client, user, password):
    response = client.post(URL, {"username": "alice", "password": password})
    assert signed_in_as(client) == str(user.pk)
    assert client.session.get_expire_at_browser_close() is True
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""


@pytest.mark.django_db
def test_a_safe_next_is_followed(client, user, password):
    response = client.post(
        f"{URL}?next=/user/alice/",
        {"username": "alice", "password": password, "next": "/user/alice/"},
    )
    assert response["Location"] == "/user/alice/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/", "https:///evil.example", "javascript:x"]
)
def test_an_unsafe_next_is_ignored(client, user, password, unsafe):
    response = client.post(URL, {"username": "alice", "password": password, "next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == reverse("index")


@pytest.mark.django_db
def test_the_sign_in_page_carries_next_into_its_form(client):
    response = client.get(URL, {"next": "/user/alice/"})
    assert '<input type="hidden" name="next" value="/user/alice/">' in response.text


@pytest.mark.django_db
def test_a_page_that_needs_sign_in_sends_to_the_sign_in_page_with_next(client, user):
    response = client.get("/user/alice/")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?next=/user/alice/"


@pytest.mark.django_db
def test_a_signed_in_user_visiting_the_sign_in_page_goes_home(client_logged_in):
    response = client_logged_in.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("index")


@pytest.mark.django_db
def test_sign_in_changes_the_session_key(client, user, password):
    # An anonymous session exists before sign-in (session fixation).
    session = client.session
    session["marker"] = 1
    session.save()
    before = session.session_key
    client.post(URL, {"username": "alice", "password": password})
    assert client.session.session_key != before


# Sign out.


@pytest.mark.django_db
def test_sign_out_by_get_is_refused(client_logged_in, user):
    response = client_logged_in.get("/accounts/logout/")
    assert response.status_code == 405
    assert signed_in_as(client_logged_in) == str(user.pk)


@pytest.mark.django_db
def test_sign_out_by_post_ends_the_session_and_says_so(client_logged_in):
    response = client_logged_in.post("/accounts/logout/", follow=True)
    assert response.redirect_chain == [(reverse("login"), 302)]
    assert "You have been signed out." in response.text
    assert signed_in_as(client_logged_in) is None


@pytest.mark.django_db
def test_sign_out_when_signed_out_says_nothing(client):
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain == [(reverse("login"), 302)]
    assert "You have been signed out." not in response.text


@pytest.mark.django_db
def test_the_navbar_changes_with_the_sign_in_state(client, user):
    signed_out = client.get("/").text
    assert 'href="/accounts/login/"' in signed_out
    assert 'href="/accounts/register/"' in signed_out
    assert 'action="/accounts/logout/"' not in signed_out

    client.force_login(user)
    signed_in = client.get("/").text
    assert 'action="/accounts/logout/"' in signed_in
    assert 'href="/user/alice/"' in signed_in
    assert 'href="/accounts/login/"' not in signed_in


# The home page.


@pytest.mark.django_db
def test_home_for_a_visitor_says_what_the_site_is_with_links(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "A small accounts site" in response.text
    assert 'class="btn btn-primary" href="/accounts/login/"' in response.text


@pytest.mark.django_db
def test_home_for_a_signed_in_user_welcomes_and_links_the_profile(client_logged_in):
    response = client_logged_in.get("/")
    assert "Welcome, Alice!" in response.text
    assert "Go to your profile" in response.text
    assert "A small accounts site" not in response.text
