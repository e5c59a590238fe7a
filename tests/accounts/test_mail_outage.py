"""A mail server outage on password reset: a clear message, the address kept,
and the same answer whether or not the address has an account."""

import smtplib
from html import unescape

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse


class DownEmailBackend(EmailBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


class SmtpRefusingBackend(EmailBackend):
    def open(self):
        raise smtplib.SMTPServerDisconnected("gone")


@pytest.fixture(params=[DownEmailBackend, SmtpRefusingBackend])
def mail_down(request, settings):
    backend = request.param
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.{backend.__name__}"}}


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["alice@example.com", "nobody@example.com"])
def test_reset_with_the_mail_server_down_says_so_and_keeps_the_address(
    client, user, mail_down, address
):
    response = client.post(reverse("password_reset"), {"email": address})
    assert response.status_code == 503
    html = response.content.decode()
    assert "We can't send email right now. Please try again in a few minutes." in unescape(html)
    assert f'value="{address}"' in html
    assert mail.outbox == []


@pytest.mark.django_db
def test_reset_with_the_mail_server_up_sends(client, user):
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
