"""The owner is emailed about every change to their second factor; a mail
outage never undoes or blocks the change."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from twofactor.factors.sms.backends import locmem
from twofactor.models import Factor
from twofactor.session import required_fingerprint


def _enrol(client, number="2015550123"):
    data = {"country": "US", "number": number, "password": "correct horse battery staple"}
    client.post(reverse("twofactor:enable"), data)
    return client.post(reverse("twofactor:enable_confirm"), {"code": locmem.outbox[-1].code})


@pytest.mark.django_db
def test_turning_it_on_and_changing_the_number_are_emailed(client, user):
    client.force_login(user)
    _enrol(client)
    assert [m.subject for m in mail.outbox] == ["Two-factor authentication is on · Accounts"]
    on = mail.outbox[0]
    assert on.to == ["alice@example.com"]
    assert "+1 ••• ••• 0123" in on.body and "2015550123" not in on.body
    assert "+1 ••• ••• 0123" in on.alternatives[0].content
    _enrol(client, number="2015550199")
    assert mail.outbox[-1].subject.startswith("Your two-factor phone number changed")
    assert "+1 ••• ••• 0199" in mail.outbox[-1].body


@pytest.mark.django_db
def test_turning_it_off_is_emailed(client, user, password):
    Factor.objects.create(
        kind="sms", channel="sms", user=user, number="+12015550123", confirmed_at=timezone.now()
    )
    client.force_login(user)
    session = client.session
    session["twofactor_passed"] = required_fingerprint(user)
    session["twofactor_passed_at"] = timezone.now().isoformat()
    session.save()
    client.post(reverse("twofactor:disable"), {"password": password})
    assert [m.subject for m in mail.outbox] == ["Two-factor authentication is off · Accounts"]


@pytest.mark.django_db
def test_a_staff_reset_is_emailed_only_when_there_was_a_phone(user):
    call_command("twofactor_disable", user.username, "--no-input", stdout=None)
    assert mail.outbox == []
    Factor.objects.create(
        kind="sms", channel="sms", user=user, number="+12015550123", confirmed_at=timezone.now()
    )
    call_command("twofactor_disable", user.username, "--no-input")
    assert [m.subject for m in mail.outbox] == ["Two-factor authentication was reset · Accounts"]


class BrokenBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.mark.django_db
def test_a_mail_outage_does_not_stop_the_change(client, user, settings, caplog):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BrokenBackend"}}
    client.force_login(user)
    response = _enrol(client)
    assert response.status_code == 302
    assert Factor.objects.phones().filter(user=user).exists()
    assert "enabled email to user" in caplog.text
