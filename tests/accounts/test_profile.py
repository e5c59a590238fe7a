from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User

EDIT = "/accounts/profile/edit/"


def test_urls_are_the_named_ones():
    assert reverse("profile", args=["alice"]) == "/user/alice/"
    assert reverse("edit_profile") == EDIT


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/user/alice/", EDIT])
def test_profile_pages_need_sign_in(client, user, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
def test_own_profile_shows_the_details_and_the_edit_link(client_logged_in, user):
    User.objects.filter(pk=user.pk).update(last_name="Liddell", about_me="Down the rabbit hole.")
    response = client_logged_in.get("/user/alice/")
    assert response.status_code == 200
    text = response.text
    assert '<h1 class="text-break">Alice Liddell</h1>' in text
    assert "Down the rabbit hole." in text
    assert f'href="{EDIT}"' in text
    assert "Edit profile" in text
    assert 'href="/accounts/password_change/"' in text


@pytest.mark.django_db
def test_someone_elses_profile_has_no_edit_link(client_logged_in, user_factory):
    user_factory(username="bob", about_me="Builder.")
    response = client_logged_in.get("/user/bob/")
    assert response.status_code == 200
    assert "Builder." in response.text
    assert f'href="{EDIT}"' not in response.text
    assert "Edit profile" not in response.text
    assert "Change password" not in response.text


@pytest.mark.django_db
def test_an_unknown_profile_is_a_404(client_logged_in):
    assert client_logged_in.get("/user/nobody/").status_code == 404


@pytest.mark.django_db
def test_profile_shows_messages(client_logged_in):
    response = client_logged_in.post(
        EDIT, {"username": "alice", "first_name": "Alice", "about_me": "Hi"}, follow=True
    )
    assert response.redirect_chain == [("/user/alice/", 302)]
    assert "Your changes have been saved." in response.text


# Editing: only your own profile.


@pytest.mark.django_db
def test_edit_profile_changes_your_own_profile(client_logged_in, user):
    response = client_logged_in.post(
        EDIT,
        {"username": "alice2", "first_name": "Al", "last_name": "Ice", "about_me": "Hello."},
    )
    assert response.status_code == 302
    assert response["Location"] == "/user/alice2/"
    user.refresh_from_db()
    assert (user.username, user.first_name, user.last_name, user.about_me) == (
        "alice2",
        "Al",
        "Ice",
        "Hello.",
    )


@pytest.mark.django_db
def test_edit_profile_cannot_touch_another_user(client_logged_in, user, user_factory):
    bob = user_factory(username="bob", about_me="Builder.")
    # Whatever is posted, there is no way to name another user: only yours changes.
    client_logged_in.post(
        f"{EDIT}?pk={bob.pk}",
        {"id": bob.pk, "pk": bob.pk, "username": "alice", "about_me": "Mine."},
    )
    bob.refresh_from_db()
    user.refresh_from_db()
    assert bob.about_me == "Builder."
    assert user.about_me == "Mine."


@pytest.mark.django_db
def test_edit_profile_does_not_change_protected_fields(client_logged_in, user):
    client_logged_in.post(
        EDIT,
        {
            "username": "alice",
            "email": "mallory@example.com",
            "is_staff": "on",
            "is_superuser": "on",
            "about_me": "x",
        },
    )
    user.refresh_from_db()
    assert user.email == "alice@example.com"
    assert not user.is_staff
    assert not user.is_superuser


@pytest.mark.django_db
@pytest.mark.parametrize("taken", ["bob", "BOB", "Bob"])
def test_edit_profile_refuses_a_taken_username_in_any_case(
    client_logged_in, user, user_factory, taken
):
    user_factory(username="bob")
    response = client_logged_in.post(EDIT, {"username": taken, "about_me": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "A user with that username already exists."
    ]
    user.refresh_from_db()
    assert user.username == "alice"


@pytest.mark.django_db
def test_edit_profile_allows_changing_the_case_of_your_own_username(client_logged_in, user):
    response = client_logged_in.post(EDIT, {"username": "Alice", "about_me": ""})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.username == "Alice"


@pytest.mark.django_db
def test_about_me_is_at_most_140_characters(client_logged_in, user):
    ok = client_logged_in.post(EDIT, {"username": "alice", "about_me": "x" * 140})
    assert ok.status_code == 302
    response = client_logged_in.post(EDIT, {"username": "alice", "about_me": "y" * 141})
    assert response.status_code == 200
    assert response.context["form"].errors["about_me"] == [
        "Ensure this value has at most 140 characters (it has 141)."
    ]
    assert 'maxlength="140"' in response.text
    user.refresh_from_db()
    assert user.about_me == "x" * 140


@pytest.mark.django_db
def test_a_refused_edit_leaves_the_page_pointing_at_the_saved_username(client_logged_in, user):
    # A valid new username with an invalid about_me must not leak into the
    # navbar or the Cancel link: that profile doesn't exist.
    response = client_logged_in.post(EDIT, {"username": "renamed", "about_me": "z" * 141})
    assert response.status_code == 200
    assert 'href="/user/alice/"' in response.text
    assert "/user/renamed/" not in response.text


# last_seen: written at most every five minutes, not on every request.


@pytest.mark.django_db
def test_last_seen_is_updated_at_most_every_five_minutes(client_logged_in, user, time_machine):
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    client_logged_in.get("/")
    user.refresh_from_db()
    assert user.last_seen == start

    time_machine.move_to(start + timedelta(minutes=4, seconds=59), tick=False)
    client_logged_in.get("/")
    user.refresh_from_db()
    assert user.last_seen == start

    later = start + timedelta(minutes=5)
    time_machine.move_to(later, tick=False)
    client_logged_in.get("/")
    user.refresh_from_db()
    assert user.last_seen == later


@pytest.mark.django_db
def test_last_seen_costs_no_write_within_five_minutes(client, user, time_machine):
    time_machine.move_to(datetime(2026, 1, 5, 12, 0, tzinfo=UTC), tick=False)
    client.force_login(user)
    client.get("/")  # writes last_seen
    time_machine.shift(timedelta(minutes=1))
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    # The session's own activity time (accounts/session_limits.py) is written
    # once a minute to the session table; the user row is not written.
    statements = [q["sql"] for q in captured.captured_queries]
    writes = [
        sql
        for sql in statements
        if sql.split()[0].upper() in {"UPDATE", "INSERT", "DELETE"} and "django_session" not in sql
    ]
    assert statements and writes == [], captured.captured_queries


@pytest.mark.django_db
def test_anonymous_requests_write_nothing(client, user):
    client.get("/")
    user.refresh_from_db()
    assert user.last_seen is None


@pytest.mark.django_db
def test_profile_shows_last_seen(client_logged_in, user_factory):
    user_factory(username="bob")
    response = client_logged_in.get("/user/bob/")
    assert "Never" in response.text
    # Your own page: this very request counts as seen... after it is answered.
    client_logged_in.get("/")
    response = client_logged_in.get("/user/alice/")
    assert "<time datetime=" in response.text
