from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from twofactor import flows


class Command(BaseCommand):
    help = (
        "Turn two-factor authentication off for a user (a lost phone): removes "
        "their phone and ends all of their sessions."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, username, interactive, **options):
        User = get_user_model()
        try:
            user = User.objects.select_related("phone_device").get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No such user: {username}") from None
        device = getattr(user, "phone_device", None)
        if device is None:
            self.stdout.write(f"Two-factor authentication is already off for {username}.")
            return
        if interactive:
            try:
                answer = input(
                    f"Remove {device.masked_number} from {username} and end all their "
                    "sessions? Type 'yes' to continue: "
                )
            except EOFError:  # no terminal to answer from (a script, cron)
                raise CommandError(
                    "No answer to the confirmation; nothing changed. Use --no-input to skip it."
                ) from None
            if answer.strip().lower() != "yes":
                raise CommandError("Cancelled; nothing changed.")
        flows.reset(user=user, actor="manage.py twofactor_disable")
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-factor authentication is off for {username}; their sessions have ended."
            )
        )
