"""A completed password reset lifts the failed sign-in lockout of that
account, from every address, and only of that account."""

import pytest

from tests.accounts.test_login_throttle import ELSEWHERE, HERE, TOO_MANY, fail, sign_in
from tests.accounts.test_password import reset_link

NEW = "a-fresh-passphrase-after-reset"

pytestmark = pytest.mark.django_db


def reset_password(client, email: str, mailoutbox) -> None:
    client.post("/accounts/password_reset/", {"email": email})
    form_page = client.get(reset_link(mailoutbox[-1]), follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302


def test_the_reported_sequence_now_signs_in(client, user, mailoutbox):
    """From one address: 11 wrong passwords, reset through the link, the new password."""
    fail(client, "alice", 10)
    refused = sign_in(client, "alice", "still wrong")
    assert refused.status_code == 429
    assert TOO_MANY in refused.text
    reset_password(client, "alice@example.com", mailoutbox)
    response = sign_in(client, "alice", NEW)
    assert response.status_code == 302


def test_it_lifts_the_lockout_of_the_email_login_and_of_every_address(client, user, mailoutbox):
    fail(client, "alice@example.com", 10, ip=HERE)
    fail(client, "ALICE", 10, ip=ELSEWHERE)
    assert sign_in(client, "alice@example.com", "x", ip=HERE).status_code == 429
    assert sign_in(client, "alice", "x", ip=ELSEWHERE).status_code == 429
    reset_password(client, "alice@example.com", mailoutbox)
    assert sign_in(client, "Alice@Example.com", NEW, ip=HERE).status_code == 302
    client.post("/accounts/logout/")
    assert sign_in(client, "alice", NEW, ip=ELSEWHERE).status_code == 302


def test_the_count_starts_again_after_the_reset(client, user, mailoutbox):
    fail(client, "alice", 10)
    reset_password(client, "alice@example.com", mailoutbox)
    fail(client, "alice", 10)
    assert sign_in(client, "alice", NEW).status_code == 429


def test_other_accounts_stay_locked(client, user, user_factory, mailoutbox):
    user_factory(username="bob", email="bob@example.com")
    fail(client, "bob", 10)
    reset_password(client, "alice@example.com", mailoutbox)
    assert sign_in(client, "bob", "x").status_code == 429


def test_a_reset_that_is_only_asked_for_lifts_nothing(client, user, mailoutbox, password):
    fail(client, "alice", 10)
    client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert sign_in(client, "alice", password).status_code == 429
