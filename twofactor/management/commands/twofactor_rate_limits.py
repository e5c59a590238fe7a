"""`manage.py twofactor_rate_limits [--dry-run]`: create the Verify Service Rate
Limits that TWOFACTOR_VERIFY_RATE_LIMITS names, and their buckets.

Every send already carries `RateLimits` with those names (the user's id, the
client's address); Verify enforces them only once the Rate Limit and a bucket
exist on the service. Idempotent: it lists what the service has and creates
only what is missing; a bucket that exists with another size is reported and
left alone (change it in the Twilio console, or delete it and run this again).

The buckets copy the site's own limits (twofactor/conf.py), so Verify refuses
exactly what the site would, a second time, on Twilio's side: the site counts
first and says why, and Verify's copy holds even if the site's counters were
lost (a flushed cache, a second deployment with a cache of its own).

    user: TWOFACTOR_SEND_LIMIT codes per TWOFACTOR_SEND_WINDOW (5 per hour)
    ip:   TWOFACTOR_IP_SEND_LIMIT codes per TWOFACTOR_SEND_WINDOW (20 per hour)
"""

from django.core.management.base import BaseCommand, CommandError

from twofactor.conf import app_settings
from twofactor.factors.sms.backends import get_backend
from twofactor.factors.sms.backends.base import BackendConfigurationError, BackendUnavailable
from twofactor.factors.sms.backends.twilio import Bucket, RateLimit, TwilioVerifyBackend

# What each fact is, for the Rate Limit's description (no PII in it).
DESCRIPTIONS = {
    "user": "Codes per user of the site (the user's id)",
    "ip": "Codes per client address of the site",
}


def wanted_bucket(fact: str) -> Bucket:
    """The bucket for a fact, from the site's own limits."""
    window = int(app_settings.SEND_WINDOW.total_seconds())
    if fact == "user":
        return Bucket(max=app_settings.SEND_LIMIT, interval=window)
    return Bucket(max=app_settings.IP_SEND_LIMIT, interval=window)


class Command(BaseCommand):
    help = (
        "Create the Verify Service Rate Limits named by TWOFACTOR_VERIFY_RATE_LIMITS and "
        "their buckets (only what is missing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be created; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        named = app_settings.VERIFY_RATE_LIMITS
        unknown = sorted(set(named) - set(DESCRIPTIONS))
        if unknown:
            raise CommandError(
                f"TWOFACTOR_VERIFY_RATE_LIMITS names unknown facts: {', '.join(unknown)}"
                f" (known: {', '.join(sorted(DESCRIPTIONS))})."
            )
        if not named:
            self.stdout.write("TWOFACTOR_VERIFY_RATE_LIMITS is empty: no Rate Limits to create.")
            return
        backend = get_backend()
        if not isinstance(backend, TwilioVerifyBackend):
            self.stdout.write(
                f"The {backend.name} backend has no Verify service: no Rate Limits to create."
            )
            return
        try:
            self._apply(backend, named, dry_run=dry_run)
        except BackendConfigurationError as exc:
            raise CommandError(f"Configuration problem: {exc}") from None
        except BackendUnavailable as exc:
            raise CommandError(f"Service unavailable: {exc}") from None

    def _apply(self, backend: TwilioVerifyBackend, named: dict[str, str], *, dry_run: bool):
        existing = {limit.unique_name: limit for limit in backend.rate_limits()}
        would = "Would create" if dry_run else "Created"
        for fact, unique_name in sorted(named.items()):
            bucket = wanted_bucket(fact)
            size = f"{bucket.max} per {bucket.interval} s"
            limit: RateLimit | None = existing.get(unique_name)
            if limit is None:
                if not dry_run:
                    limit = backend.create_rate_limit(
                        unique_name=unique_name, description=DESCRIPTIONS[fact]
                    )
                self.stdout.write(self.style.SUCCESS(f"{would} Rate Limit {unique_name} ({fact})."))
            else:
                self.stdout.write(f"Rate Limit {unique_name} ({fact}) exists ({limit.sid}).")
            same_interval = [
                b for b in (limit.buckets if limit else ()) if b.interval == bucket.interval
            ]
            if not same_interval:
                if limit is not None and not dry_run:
                    backend.create_bucket(rate_limit_sid=limit.sid, bucket=bucket)
                self.stdout.write(self.style.SUCCESS(f"  {would} bucket {size}."))
            elif any(b.max == bucket.max for b in same_interval):
                self.stdout.write(f"  Bucket {size} exists.")
            else:
                self.stdout.write(
                    self.style.WARNING(
                        f"  A bucket per {bucket.interval} s exists with max"
                        f" {same_interval[0].max}, not {bucket.max}: left as it is (change it"
                        " in the Twilio console, or delete it and run this again)."
                    )
                )
