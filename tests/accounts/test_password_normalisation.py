"""Passwords are normalised (NFKC) before hashing and on every check
(NIST 800-63B-4): the same password typed with a composed "é" or with "e" and
a combining accent, or in full-width letters, is the same password, on every
path that sets one (registration, change, reset, the admin, createsuperuser,
create_user) and on sign-in. A hash made from an unnormalised password
before this still signs in, and is then re-hashed normalised."""

import unicodedata

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client

from accounts.backends import UsernameOrEmailBackend
from accounts.models import User
from tests.accounts.test_password import reset_link

# "crème brûlée" with each accent as its own code point (NFD) and composed (NFC).
PHRASE = "crème brûlée au café du matin"
DECOMPOSED = unicodedata.normalize("NFD", PHRASE)
COMPOSED = unicodedata.normalize("NFC", PHRASE)
# NFKC also folds compatibility forms: full-width letters, the "ﬁ" ligature.
FULL_WIDTH = "ｆｉｇｓ ａｎｄ ｑｕｉｎｃｅｓ ｔｏｎｉｇｈｔ"
FOLDED = "figs and quinces tonight"
LIGATURE = "ﬁgs and quinces tonight"


def test_the_two_forms_really_differ():
    assert DECOMPOSED != COMPOSED and len(DECOMPOSED) > len(COMPOSED)
    assert FULL_WIDTH != FOLDED != LIGATURE


def signs_in(username: str, password: str) -> bool:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.django_db
def test_registration_then_sign_in_in_the_other_form(client):
    response = client.post(
        "/accounts/register/",
        {
            "username": "zoe",
            "email": "zoe@example.com",
            "password1": DECOMPOSED,
            "password2": DECOMPOSED,
        },
    )
    assert response.status_code == 302
    User.objects.filter(username="zoe").update(email_confirmed=True)
    assert signs_in("zoe", COMPOSED)
    assert signs_in("zoe", DECOMPOSED)
    assert not signs_in("zoe", "creme brulee au cafe du matin")  # not accent-folding


@pytest.mark.django_db
def test_create_user_and_sign_in(user_factory):
    user_factory(username="ann", password=FULL_WIDTH)
    assert signs_in("ann", FOLDED)
    assert signs_in("ann", LIGATURE)


@pytest.mark.django_db
def test_createsuperuser(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", DECOMPOSED)
    call_command("createsuperuser", interactive=False, username="root", email="root@example.com")
    assert User.objects.get(username="root").check_password(COMPOSED)
    assert signs_in("root", COMPOSED)


@pytest.mark.django_db
def test_password_change(client_logged_in, user, password):
    response = client_logged_in.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": COMPOSED, "new_password2": COMPOSED},
    )
    assert response.status_code == 302
    assert signs_in(user.username, DECOMPOSED)
    # The old password is checked normalised too.
    again = client_logged_in.post(
        "/accounts/password_change/",
        {"old_password": DECOMPOSED, "new_password1": FOLDED, "new_password2": FOLDED},
    )
    assert again.status_code == 302
    assert signs_in(user.username, FULL_WIDTH)


@pytest.mark.django_db
def test_password_reset(client, user, mailoutbox):
    client.post("/accounts/password_reset/", {"email": user.email})
    form_page = client.get(reset_link(mailoutbox[-1]), follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": DECOMPOSED, "new_password2": DECOMPOSED},
    )
    assert done.status_code == 302
    assert signs_in(user.username, COMPOSED)


@pytest.mark.django_db
def test_the_admins_password_form(admin_client, user):
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": DECOMPOSED, "password2": DECOMPOSED},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert signs_in(user.username, COMPOSED)


@pytest.mark.django_db
def test_the_stored_hash_is_of_the_normalised_password(user):
    user.set_password(DECOMPOSED)
    user.save()
    # As a plain hasher sees it: only the NFKC form matches.
    from django.contrib.auth.hashers import check_password

    assert check_password(unicodedata.normalize("NFKC", DECOMPOSED), user.password)
    assert not check_password(DECOMPOSED, user.password)


@pytest.mark.django_db
def test_an_older_unnormalised_hash_still_signs_in_and_is_rehashed(user):
    # Made before normalisation, from the password as typed (decomposed).
    User.objects.filter(pk=user.pk).update(password=make_password(DECOMPOSED))
    assert not signs_in(user.username, COMPOSED)  # typed differently from then: no
    assert signs_in(user.username, DECOMPOSED)  # typed as then: yes
    user.refresh_from_db()
    # Re-hashed normalised at that sign-in: now either form works.
    assert signs_in(user.username, COMPOSED)
    assert signs_in(user.username, DECOMPOSED)


@pytest.mark.django_db
def test_an_older_hash_checked_outside_sign_in_is_accepted_but_kept(user):
    """A re-entered password (the email change, a factor change) accepts the
    older hash but doesn't re-hash: a new hash would sign this session out."""
    old_hash = make_password(DECOMPOSED)
    User.objects.filter(pk=user.pk).update(password=old_hash)
    user.refresh_from_db()
    assert user.check_password(DECOMPOSED)
    user.refresh_from_db()
    assert user.password == old_hash


@pytest.mark.django_db
def test_a_wrong_password_in_another_form_still_fails(user):
    assert not UsernameOrEmailBackend().authenticate(
        None, username=user.username, password=COMPOSED
    )
    assert not user.check_password(None)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", [COMPOSED, DECOMPOSED])
def test_an_unknown_login_costs_as_many_hashes_as_a_wrong_password(user, monkeypatch, typed):
    """SECURITY: an unnormalised password is checked twice (as normalised and
    as typed), so an unknown login hashes it as often: timing tells nothing."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls = []
    original = MD5PasswordHasher.encode

    def counted(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted)
    backend = UsernameOrEmailBackend()
    assert backend.authenticate(None, username=user.username, password=typed) is None
    known = len(calls)
    calls.clear()
    assert backend.authenticate(None, username="nobody-at-all", password=typed) is None
    assert len(calls) == known == (1 if typed == COMPOSED else 2)
