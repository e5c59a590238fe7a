"""Development email backend: prints each email readably and keeps the last
messages in the development outbox (`core.outbox`) so `/dev/outbox/` can list
them.

Django's console backend prints the raw MIME message, where quoted-printable
breaks long lines with `=`: a password reset link printed that way can't be
copied. This one prints the headers a person reads and each text part decoded,
and names the other parts (the HTML version, attachments) without their bytes.
"""

from dataclasses import dataclass

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

from core import outbox

SHOWN_HEADERS = ("Subject", "From", "To", "Cc", "Reply-To", "Date")
RULE = "-" * 79


@dataclass(frozen=True, slots=True)
class OutboxEmail:
    """What the outbox page shows of a message (picklable, unlike the message)."""

    subject: str
    to: list[str]
    body: str


def _decoded(part) -> str:
    payload = part.get_payload(decode=True) or b""
    return payload.decode(part.get_content_charset() or "utf-8", errors="replace")


def readable(message) -> str:
    """An email as a person reads it: headers, then its plain text, decoded."""
    mime = message.message()
    lines = [f"{name}: {mime[name]}" for name in SHOWN_HEADERS if mime[name] is not None]
    texts, others = [], []
    for part in mime.walk():
        if part.is_multipart():
            continue
        attachment = part.get_content_disposition() == "attachment"
        if part.get_content_type() == "text/plain" and not attachment:
            texts.append(_decoded(part).rstrip("\n"))
        else:
            name = part.get_filename()
            others.append(part.get_content_type() + (f" ({name})" if name else ""))
    lines.append("")
    lines.extend(texts)
    if others:
        lines.append("")
        lines.append("[also sent: " + ", ".join(others) + "]")
    return "\n".join(lines)


class ConsoleOutboxEmailBackend(ConsoleEmailBackend):
    def write_message(self, message):
        self.stream.write(readable(message) + "\n" + RULE + "\n")

    def send_messages(self, email_messages):
        count = super().send_messages(email_messages)
        for message in email_messages or []:
            outbox.record(
                outbox.EMAILS,
                OutboxEmail(subject=message.subject, to=list(message.to), body=message.body),
            )
        return count
