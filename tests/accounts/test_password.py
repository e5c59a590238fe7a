import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User

NEW = "a-brand-new-passphrase"


def reset_link(message) -> str:
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_urls_are_the_named_ones():
    assert reverse("password_reset") == "/accounts/password_reset/"
    assert reverse("password_reset_done") == "/accounts/password_reset/done/"
    assert reverse("password_reset_complete") == "/accounts/reset/done/"
    assert reverse("password_reset_confirm", args=["MQ", "tok-en"]) == "/accounts/reset/MQ/tok-en/"
    assert reverse("password_change") == "/accounts/password_change/"
    assert reverse("password_change_done") == "/accounts/password_change/done/"


@pytest.mark.django_db
def test_password_reset_end_to_end(client, user, mailoutbox, password, settings):
    settings.SITE_NAME = "Example Accounts"
    response = client.post("/accounts/password_reset/", {"email": "ALICE@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Reset your password on Example Accounts"
    assert "Hello alice," in message.body
    assert "Example Accounts" in message.body
    # Plain text and HTML, with the same link in both.
    link = reset_link(message)
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="http://testserver{link}"' in html
    assert "Example Accounts" in html

    # The link leads to the form (Django moves the token into the session).
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Your password has been set" in done.text

    # No automatic sign-in; the new password works, the old one doesn't.
    assert SESSION_KEY not in client.session
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert not user.check_password(password)

    # The link works once.
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False
    assert "This link doesn" in again.text


@pytest.mark.django_db
def test_a_tampered_link_does_not_work(client, user, mailoutbox):
    client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    link = reset_link(mailoutbox[0])
    response = client.get(link[:-2] + "x/", follow=True)
    assert response.context["validlink"] is False


@pytest.mark.django_db
def test_the_reset_form_refuses_a_weak_password(client, user, mailoutbox, password):
    client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    form_page = client.get(reset_link(mailoutbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert "This password is too common." in response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(password)


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_email(client, user, mailoutbox):
    known = client.post("/accounts/password_reset/", {"email": "alice@example.com"}, follow=True)
    mailoutbox.clear()
    unknown = client.post("/accounts/password_reset/", {"email": "who@example.com"}, follow=True)
    assert mailoutbox == []
    assert unknown.redirect_chain == known.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert "Check your email" in unknown.text


@pytest.mark.django_db
def test_an_inactive_account_gets_no_reset_email(client, user_factory, mailoutbox):
    user_factory(email="sleepy@example.com", is_active=False)
    client.post("/accounts/password_reset/", {"email": "sleepy@example.com"})
    assert mailoutbox == []


@pytest.mark.django_db
def test_password_reset_asks_for_a_valid_address(client, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "not an address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]


# Password change.


@pytest.mark.django_db
def test_password_change_needs_sign_in(client):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_password_change_keeps_you_signed_in(client_logged_in, user, password):
    response = client_logged_in.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "Your password has been changed." in response.text
    user.refresh_from_db()
    assert user.check_password(NEW)
    # Still signed in: the session's auth hash was updated with the password.
    assert client_logged_in.get("/accounts/password_change/").status_code == 200


@pytest.mark.django_db
def test_password_change_ends_the_other_sessions(client, user, password, django_user_model):
    other = type(client)()
    other.force_login(user)
    client.force_login(user)
    client.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": NEW, "new_password2": NEW},
    )
    assert other.get("/accounts/password_change/").status_code == 302


@pytest.mark.django_db
def test_password_change_wants_the_old_password(client_logged_in, user, password):
    response = client_logged_in.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(password)


@pytest.mark.django_db
def test_password_change_refuses_a_mismatch(client_logged_in, user, password):
    response = client_logged_in.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": NEW, "new_password2": NEW + "x"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert User.objects.get(pk=user.pk).check_password(password)


@pytest.mark.django_db
def test_a_password_change_emails_the_owner(client_logged_in, user, password, mailoutbox):
    client_logged_in.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": NEW, "new_password2": NEW},
    )
    [message] = mailoutbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Your password was changed · Accounts"
    assert "The password of your account on Accounts was just changed." in message.body
    assert "If you didn't make this change" in message.body
    [(html, _)] = message.alternatives
    assert "was just changed" in html
    assert NEW not in message.body and NEW not in html


@pytest.mark.django_db
def test_a_refused_password_change_emails_nobody(client_logged_in, user, mailoutbox):
    client_logged_in.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_completed_reset_emails_the_owner(client, user, mailoutbox):
    client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    form_page = client.get(reset_link(mailoutbox[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert len(mailoutbox) == 2
    notice = mailoutbox[1]
    assert notice.to == ["alice@example.com"]
    assert notice.subject == "Your password was reset · Accounts"
    assert "was just reset through the link we emailed" in notice.body


@pytest.mark.django_db
def test_a_mail_outage_does_not_undo_the_change(client_logged_in, user, password, monkeypatch):
    def broken(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    response = client_logged_in.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
