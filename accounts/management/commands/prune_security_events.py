"""`manage.py prune_security_events --days N`: remove security events older
than N days (run it from cron; the log otherwise grows without end)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import SecurityEvent


class Command(BaseCommand):
    help = "Remove security activity log entries older than --days days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            required=True,
            help="Keep this many days of events (at least 1).",
        )

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"Removed {deleted} security events older than {days} days.")
