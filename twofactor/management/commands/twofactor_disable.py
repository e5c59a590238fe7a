from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from twofactor import factors, flows
from twofactor.models import Factor


class Command(BaseCommand):
    help = (
        "Turn two-factor authentication off for a user (a lost phone): removes "
        "every factor (phone, app, recovery codes), their trusted browsers, and "
        "ends all of their sessions."
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
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No such user: {username}") from None
        mine = list(Factor.objects.of(user))
        if not mine:
            self.stdout.write(f"Two-factor authentication is already off for {username}.")
            return
        described = ", ".join(str(factors.get(f.kind).describe(f)) for f in mine)
        if interactive:
            try:
                answer = input(
                    f"Remove {described} from {username} and end all their "
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
