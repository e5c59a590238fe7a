"""`manage.py twofactor_status`: who has two-factor on, and with which factors
(a masked number, "app", recovery codes left; never a secret)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from twofactor import factors
from twofactor.models import Factor


class Command(BaseCommand):
    help = "Show who has two-factor authentication on: user, on/off, factors, default, confirmed."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="Only these users (default: all).")

    def handle(self, *args, usernames, **options):
        User = get_user_model()
        users = User.objects.prefetch_related(
            Prefetch("twofactor_factors", queryset=Factor.objects.confirmed().order_by("kind"))
        ).order_by("username")
        if usernames:
            users = users.filter(username__in=usernames)
            missing = sorted(set(usernames) - set(users.values_list("username", flat=True)))
            if missing:
                raise CommandError(f"No such user: {', '.join(missing)}")
        rows = [("USER", "2FA", "FACTORS", "DEFAULT", "CONFIRMED")]
        for user in users:
            mine = list(user.twofactor_factors.all())
            second = [f for f in mine if f.is_second_factor]
            if not second:
                described = "; ".join(self._describe(f) for f in mine) or "-"
                rows.append((user.username, "off", described, "-", "-"))
                continue
            default = next((f for f in second if f.preferred), second[0])
            first = min(f.confirmed_at for f in second)
            rows.append(
                (
                    user.username,
                    "on",
                    "; ".join(self._describe(f) for f in mine),
                    default.kind,
                    first.strftime("%Y-%m-%d %H:%M"),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())

    @staticmethod
    def _describe(factor: Factor) -> str:
        text = f"{factor.kind} {factors.get(factor.kind).describe(factor)}"
        if factor.channel == "call":
            text += " (call)"
        return text
