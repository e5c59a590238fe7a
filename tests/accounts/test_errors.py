import pytest
from django.db import OperationalError, connection
from django.test import Client

from accounts.views import server_error
from tests.accounts.html import csp_problems

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls_errors")]


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


@pytest.fixture
def client():
    # Answer with the error page instead of re-raising into the test.
    return Client(raise_request_exception=False)


def in_site_look(response):
    text = response.text
    assert "vendor/bootstrap/bootstrap.min.css" in text
    assert 'class="navbar-brand"' in text
    assert csp_problems(text) == []
    assert "Traceback" not in text


@pytest.mark.parametrize(
    "url, status, heading",
    [
        ("/test-errors/400/", 400, "Bad request"),
        ("/test-errors/403/", 403, "Not allowed"),
        ("/no/such/page/", 404, "Page not found"),
        ("/test-errors/500/", 500, "Something went wrong"),
    ],
)
def test_error_pages_in_the_sites_look(client, url, status, heading):
    response = client.get(url)
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in response.text
    in_site_look(response)
    # A strict policy on error pages too.
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy


def test_a_disallowed_host_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text


def test_the_500_page_renders_without_the_database(client, user):
    client.force_login(user)

    def database_down(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    # Every query fails, from the session lookup on.
    with connection.execute_wrapper(database_down):
        response = client.get("/user/alice/")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.text
    in_site_look(response)


def test_the_500_view_itself_needs_neither_database_nor_middleware(rf):
    # Django calls handler500 whatever broke, possibly before any middleware ran.
    request = rf.get("/anything/")

    def database_down(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    with connection.execute_wrapper(database_down):
        response = server_error(request)
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in response.content.decode()


def test_a_session_ended_by_another_request_gets_a_clear_page(client, user):
    # Django raises SessionInterrupted when it can't save a session another
    # request deleted: a page that says what happened, not a 500 or "bad request".
    client.force_login(user)
    response = client.get("/test-errors/session-ended/")
    assert response.status_code == 400
    assert "<h1>Your session ended</h1>" in response.text
    assert "You were signed out somewhere else" in response.text
    assert 'href="/accounts/login/"' in response.text
    in_site_look(response)
    # The navbar of someone signed out, which they now are.
    assert "alice" not in response.text
    assert client.get("/accounts/profile/edit/").status_code == 302


def test_the_csrf_failure_page_says_to_reload(user, password):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 403
    assert "Reload the page and try again." in response.text
    in_site_look(response)
    assert "_auth_user_id" not in client.session


def test_the_csrf_failure_page_for_a_stale_token(user, password):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.context["csrf_token"]
    client.cookies.clear()  # the cookie expired: the form's token no longer matches
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": password, "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 403
    assert "Reload the page and try again." in response.text
