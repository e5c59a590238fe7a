from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Show who has two-factor authentication on: user, on/off, number, channel, confirmed."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="Only these users (default: all).")

    def handle(self, *args, usernames, **options):
        User = get_user_model()
        users = User.objects.select_related("phone_device").order_by("username")
        if usernames:
            users = users.filter(username__in=usernames)
            missing = sorted(set(usernames) - set(users.values_list("username", flat=True)))
            if missing:
                raise CommandError(f"No such user: {', '.join(missing)}")
        rows = [("USER", "2FA", "NUMBER", "CHANNEL", "CONFIRMED")]
        for user in users:
            device = getattr(user, "phone_device", None)
            if device is not None and device.is_confirmed:
                rows.append(
                    (
                        user.username,
                        "on",
                        device.masked_number,
                        device.channel,
                        device.confirmed_at.strftime("%Y-%m-%d %H:%M"),
                    )
                )
            else:
                rows.append((user.username, "off", "-", "-", "-"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
