import pytest

from accounts.models import User
from tests.accounts.html import tags

CHANGELIST = "/admin/accounts/user/"


@pytest.fixture
def people(user_factory):
    return {
        "staff": user_factory(username="sam", email="sam@staff.example", is_staff=True),
        "plain": user_factory(username="pat", email="pat@example.com", last_name="Quill"),
        "gone": user_factory(username="old", email="old@example.com", is_active=False),
    }


def listed(response) -> set[str]:
    return {u.username for u in response.context["cl"].result_list}


@pytest.mark.django_db
def test_the_user_list_for_a_superuser(admin_client, admin_user, people):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert listed(response) == {"admin", "sam", "pat", "old"}
    for column in ("Username", "Email address", "Staff status", "Last seen"):
        assert column in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("PAT@EXAMPLE.COM", {"pat"}),  # email, any case
        ("staff.example", {"sam"}),
        ("quill", {"pat"}),  # last name
        ("sam", {"sam"}),
    ],
)
def test_search_by_email_username_and_name(admin_client, people, query, expected):
    response = admin_client.get(CHANGELIST, {"q": query})
    assert listed(response) == expected


@pytest.mark.django_db
def test_filters_for_staff_and_active(admin_client, people):
    staff = admin_client.get(CHANGELIST, {"is_staff__exact": "1"})
    assert listed(staff) == {"admin", "sam"}
    inactive = admin_client.get(CHANGELIST, {"is_active__exact": "0"})
    assert listed(inactive) == {"old"}
    filters = {spec.title for spec in staff.context["cl"].filter_specs}
    assert {"staff status", "active"} <= filters


@pytest.mark.django_db
def test_the_change_page_shows_the_profile_fields(admin_client, people):
    response = admin_client.get(f"{CHANGELIST}{people['plain'].pk}/change/")
    assert response.status_code == 200
    assert 'name="about_me"' in response.text
    assert "Last seen" in response.text


@pytest.mark.django_db
def add_form_defaults(admin_client) -> dict:
    """The hidden inputs of the add page (inline management forms and the like)."""
    page = admin_client.get(f"{CHANGELIST}add/")
    return {
        t.attrs["name"]: t.attrs.get("value") or ""
        for t in tags(page.content)
        if t.name == "input" and t.attrs.get("type") == "hidden" and t.attrs.get("name")
    }


def test_adding_a_user_in_the_admin_needs_an_email_unique_in_any_case(admin_client, people):
    data = add_form_defaults(admin_client)
    data |= {
        "username": "newbie",
        "email": "PAT@example.com",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
        "usable_password": "true",
    }
    refused = admin_client.post(f"{CHANGELIST}add/", data)
    assert refused.status_code == 200
    assert "A user with that email address already exists." in refused.text
    assert not User.objects.filter(username="newbie").exists()

    data["email"] = "newbie@example.com"
    added = admin_client.post(f"{CHANGELIST}add/", data)
    assert added.status_code == 302, added.context["adminform"].form.errors
    assert User.objects.get(username="newbie").check_password("a-long-unusual-passphrase")


@pytest.mark.django_db
def test_a_user_who_is_not_staff_is_sent_to_the_admin_sign_in(client_logged_in):
    response = client_logged_in.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_see_users(client, people, settings):
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = False  # about the permission, not the factor
    client.force_login(people["staff"])
    assert client.get(CHANGELIST).status_code == 403
