"""The development email backend prints each email readably: decoded text, a long
link on one line (not split by quoted-printable `=` breaks); `/dev/outbox/` makes
the links in emails clickable."""

import io
import re

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings

from accounts.mail import ConsoleOutboxEmailBackend

LONG_LINK = (
    "http://127.0.0.1:8000/accounts/reset/MQ/" + "c" * 6 + "-" + "0123456789abcdef" * 2 + "/"
)
OUTBOX_SETTINGS = {
    "DEBUG": True,
    "MAILERS": {"default": {"BACKEND": "accounts.mail.ConsoleOutboxEmailBackend"}},
}


def printed(message) -> str:
    stream = io.StringIO()
    ConsoleOutboxEmailBackend(stream=stream).send_messages([message])
    return stream.getvalue()


def test_a_long_link_is_printed_whole_and_the_text_decoded():
    message = EmailMultiAlternatives(
        subject="Réinitialiser · Zurücksetzen",
        body=f"Grüße, open this link to choose a new password right now please:\n\n{LONG_LINK}\n",
        from_email="site@example.com",
        to=["anne@example.com"],
    )
    message.attach_alternative(
        f'<p><a href="{LONG_LINK}">Choose a new password</a></p>', "text/html"
    )
    assert len(LONG_LINK) > 76  # long enough that quoted-printable would break it
    out = printed(message)
    assert LONG_LINK in out.splitlines()
    assert "=\n" not in out and "=3D" not in out
    assert "Subject: Réinitialiser · Zurücksetzen" in out
    assert "To: anne@example.com" in out
    assert "Grüße, open this link" in out
    assert "Content-Transfer-Encoding" not in out
    assert "[also sent: text/html]" in out
    assert out.rstrip().endswith("-" * 79)


def test_attachments_are_named_not_dumped():
    message = mail.EmailMessage("Report", "See the file.", "a@example.com", ["b@example.com"])
    message.attach("report.csv", "a,b\n" * 100, "text/csv")
    out = printed(message)
    assert "[also sent: text/csv (report.csv)]" in out
    assert "a,b" not in out


@pytest.mark.django_db
def test_the_reset_email_is_readable_in_the_console_and_its_link_clickable_in_the_outbox(
    client, user, capsys
):
    with override_settings(**OUTBOX_SETTINGS):
        client.post("/accounts/password_reset/", {"email": user.email}, HTTP_HOST="127.0.0.1:8000")
        page = client.get("/dev/outbox/").content.decode()
    out = capsys.readouterr().out
    [link] = re.findall(r"^http://127\.0\.0\.1:8000/accounts/reset/\S+/$", out, re.MULTILINE)
    assert "=\n" not in out
    assert f'<a href="{link}"' in page
