"""Development email backend: prints like Django's console backend and keeps
the last messages in memory so `/dev/outbox/` can list them."""

from collections import deque

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

# The most recent messages, newest last (development only; per process).
recent_messages: deque = deque(maxlen=50)


class ConsoleOutboxEmailBackend(ConsoleEmailBackend):
    def send_messages(self, email_messages):
        count = super().send_messages(email_messages)
        recent_messages.extend(email_messages or [])
        return count
