"""Sign-in input that must get a clear answer, never a 500."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_huge_username_is_refused_cleanly(client, user, url):
    response = client.post(url, {"username": "a" * 100_000, "password": "whatever"})
    assert response.status_code in (200, 422)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_backend_refuses_logins_longer_than_an_email_can_be(user, password):
    from accounts.backends import UsernameOrEmailBackend

    assert UsernameOrEmailBackend().authenticate(None, "a" * 255, password) is None
    assert UsernameOrEmailBackend().authenticate(None, user.username, password) == user
