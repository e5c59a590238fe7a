"""/dev/outbox/: with DEBUG on, what the console backends sent; never in production."""

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from twofactor.factors.sms.backends import Channel
from twofactor.factors.sms.backends.console import ConsoleVerifyBackend

OUTBOX_SETTINGS = {
    "DEBUG": True,
    "TWOFACTOR_VERIFY_BACKEND": "twofactor.factors.sms.backends.console.ConsoleVerifyBackend",
    "MAILERS": {"default": {"BACKEND": "accounts.mail.ConsoleOutboxEmailBackend"}},
}


@pytest.mark.django_db
def test_outbox_lists_codes_and_emails_with_debug_on(client: Client, capsys):
    with override_settings(**OUTBOX_SETTINGS):
        ConsoleVerifyBackend().start(to="+12015550123", channel=Channel.SMS)
        mail.send_mail("Reset your password", "the body", "from@example.com", ["a@example.com"])
        response = client.get(reverse("dev_outbox"))
    html = response.content.decode()
    assert response.status_code == 200
    printed = capsys.readouterr().out
    code_line = next(line for line in printed.splitlines() if line.startswith("[twofactor]"))
    code = code_line.rsplit(" ", 1)[-1]
    assert code_line.startswith("[twofactor] sms to +12015550123: Your ")
    assert code in html
    assert "+12015550123" in html
    assert "Reset your password" in html


@pytest.mark.django_db
def test_outbox_is_not_found_with_debug_off(client: Client):
    ConsoleVerifyBackend().start(to="+12015550123", channel=Channel.SMS)
    response = client.get(reverse("dev_outbox"))
    assert response.status_code == 404
    assert b"+12015550123" not in response.content


@pytest.mark.django_db
def test_outbox_is_reachable_while_half_signed_in_with_debug_on(client: Client, user, password):
    """A person trying the site without a phone reads the code there."""
    from django.utils import timezone

    from twofactor.models import Factor

    Factor.objects.create(
        kind="sms", channel="sms", user=user, number="+12015550123", confirmed_at=timezone.now()
    )
    client.post(reverse("login"), {"username": user.username, "password": password})
    with override_settings(**OUTBOX_SETTINGS):
        assert client.get(reverse("index")).status_code == 302  # gated
        response = client.get(reverse("dev_outbox"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_outbox_is_only_for_this_machine_even_with_debug_on():
    ConsoleVerifyBackend().start(to="+12015550123", channel=Channel.SMS)
    with override_settings(**OUTBOX_SETTINGS):
        response = Client(REMOTE_ADDR="203.0.113.5").get(reverse("dev_outbox"))
    assert response.status_code == 404
    assert b"+12015550123" not in response.content
