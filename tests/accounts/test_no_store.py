"""Pages that show a signed-in user's data are never stored by the browser or
a cache; signing out clears what the browser kept."""

import pytest

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = ["/", "/user/alice/", "/accounts/profile/edit/", "/accounts/password_change/"]


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_signed_in_pages_answer_no_store(client_logged_in, url, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client_logged_in.get(url, headers=headers)
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")
    assert "private" in response["Cache-Control"]


def test_someone_elses_profile_is_not_stored_either(client_logged_in, user_factory):
    user_factory(username="bob")
    assert no_store(client_logged_in.get("/user/bob/"))


def test_a_signed_in_404_is_not_stored(client_logged_in):
    # The error page's navbar names the user too.
    response = client_logged_in.get("/no-such-page/")
    assert response.status_code == 404
    assert no_store(response)


def test_signed_out_pages_stay_cacheable(client):
    # Nothing personal on them: the header is about the user's data, not a blanket rule.
    assert not no_store(client.get("/"))


def test_signing_out_clears_the_browser_cache_and_storage(client_logged_in):
    response = client_logged_in.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert no_store(response)


def test_signing_out_when_not_signed_in_clears_nothing(client):
    response = client.post("/accounts/logout/")
    assert "Clear-Site-Data" not in response


def test_every_response_carries_a_permissions_policy(client, client_logged_in):
    for response in (client.get("/accounts/login/"), client_logged_in.get("/")):
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy
        assert "geolocation=()" in policy
        assert "microphone=()" in policy


def test_the_permissions_policy_is_a_setting(client, settings):
    settings.ACCOUNTS_PERMISSIONS_POLICY = "camera=()"
    assert client.get("/accounts/login/")["Permissions-Policy"] == "camera=()"
