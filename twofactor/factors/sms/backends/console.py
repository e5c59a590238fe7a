"""Prints each code to stdout, so a developer sees it in the runserver terminal.

Like django.core.mail.backends.console: for DEBUG only (twofactor.E002).
"""

import sys

from twofactor.factors.sms.backends.local import LocalVerifyBackend, VerifyMessage


class ConsoleVerifyBackend(LocalVerifyBackend):
    name = "console"

    def deliver(self, *, message: VerifyMessage) -> None:
        # One line per message, flushed at once so it shows up next to the request log.
        sys.stdout.write(f"[twofactor] {message.channel} to {message.to}: {message.body}\n")
        sys.stdout.flush()
