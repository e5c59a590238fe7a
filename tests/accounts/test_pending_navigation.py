"""A half-signed-in session (password given, code not yet) is shown no
signed-in navigation and leaves no trace in last_seen, also on pages the
two-factor gate never sees (404, CSRF failure)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from twofactor import session
from twofactor.models import Factor

LOGIN_URL = "/accounts/login/"
EDIT_PROFILE_URL = "/accounts/profile/edit/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_off(settings):
    # The site's own 404 page (in base.html), not Django's technical one.
    settings.DEBUG = False


@pytest.fixture
def staff(user_factory):
    return user_factory(username="sam", email="sam@example.com", is_staff=True)


def enable_twofactor(user) -> Factor:
    return Factor.objects.create(
        kind="sms", channel="sms", user=user, number="+12015550123", confirmed_at=timezone.now()
    )


def log_in(client: Client, user, password: str) -> None:
    """Sign in through the login page, as a browser does (with a CSRF token)."""
    client.get(LOGIN_URL)
    response = client.post(
        LOGIN_URL,
        {
            "username": user.username,
            "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302


def pass_code(client: Client, device: Factor) -> None:
    data = client.session
    data[session.PASSED] = session.required_fingerprint(device.user)
    data["twofactor_passed_at"] = timezone.now().isoformat()
    data.save()


def shows_signed_in_navigation(response, user) -> bool:
    text = response.text
    profile = f'href="{reverse("profile", args=[user.username])}"'
    admin = f'href="{reverse("admin:index")}"'
    assert (profile in text) == (admin in text)  # sam is staff: both or neither
    return profile in text


# The navbar.


def test_a_404_hides_signed_in_navigation_until_the_code(client, staff, password):
    device = enable_twofactor(staff)
    log_in(client, staff, password)

    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert not shows_signed_in_navigation(response, staff)

    pass_code(client, device)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert shows_signed_in_navigation(response, staff)


def test_a_404_shows_the_navigation_to_a_user_without_twofactor(client, staff, password):
    log_in(client, staff, password)
    assert shows_signed_in_navigation(client.get("/no-such-page/"), staff)


def test_the_csrf_failure_page_hides_signed_in_navigation_until_the_code(staff, password):
    device = enable_twofactor(staff)
    client = Client(enforce_csrf_checks=True)
    log_in(client, staff, password)

    response = client.post(EDIT_PROFILE_URL, {"username": "mallory"})
    assert response.status_code == 403
    assert "<h1>Please try again</h1>" in response.text
    assert not shows_signed_in_navigation(response, staff)

    pass_code(client, device)
    response = client.post(EDIT_PROFILE_URL, {"username": "mallory"})
    assert response.status_code == 403
    assert shows_signed_in_navigation(response, staff)


def test_needs_code_costs_one_query_per_request(staff, django_assert_num_queries):
    enable_twofactor(staff)
    request = RequestFactory().get("/")
    request.user = staff
    request.session = Client().session
    with django_assert_num_queries(1):
        assert session.needs_code(request) is True
        assert session.needs_code(request) is True
        # A code passed during the request counts at once, without a query.
        session.mark_passed(request)
        assert session.needs_code(request) is False


# last_seen.


def test_a_half_signed_in_session_does_not_update_last_seen(client, staff, password, time_machine):
    start = datetime(2030, 2, 1, 9, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    device = enable_twofactor(staff)

    log_in(client, staff, password)
    client.get("/")  # sent to the code page
    client.get("/no-such-page/")
    staff.refresh_from_db()
    assert staff.last_seen is None

    time_machine.shift(timedelta(minutes=1))
    pass_code(client, device)
    client.get("/")
    staff.refresh_from_db()
    assert staff.last_seen == start + timedelta(minutes=1)


def test_signing_in_without_twofactor_updates_last_seen(client, staff, password, time_machine):
    start = datetime(2030, 2, 1, 9, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    log_in(client, staff, password)
    staff.refresh_from_db()
    assert staff.last_seen == start
