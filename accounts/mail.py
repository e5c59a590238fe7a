"""Development email backend: prints like Django's console backend and keeps
the last messages in the development outbox (`core.outbox`) so `/dev/outbox/`
can list them."""

from dataclasses import dataclass

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

from core import outbox


@dataclass(frozen=True, slots=True)
class OutboxEmail:
    """What the outbox page shows of a message (picklable, unlike the message)."""

    subject: str
    to: list[str]
    body: str


class ConsoleOutboxEmailBackend(ConsoleEmailBackend):
    def send_messages(self, email_messages):
        count = super().send_messages(email_messages)
        for message in email_messages or []:
            outbox.record(
                outbox.EMAILS,
                OutboxEmail(subject=message.subject, to=list(message.to), body=message.body),
            )
        return count
