"""Text message attempts for staff: what the codes cost, by country and prefix.

The figures are Verify's Attempts Summary (`GET /v2/Attempts/Summary`: attempts,
converted, conversion rate), from the backend in use; the console and locmem
backends count their own sends the same way. A pumping wave shows as a country
with many attempts and few converted.

Verify's summary has no "group by": it answers one filter at a time. So the
report asks once for everything, then once per country: each country the site
sent a code to in the range (`note_sent` keeps, per country, the last day a
code went there; no number, in the cache), each allowed country, and each
country or prefix staff asked for.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import babel
import phonenumbers
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from twofactor.conf import app_settings
from twofactor.factors.sms.backends import get_backend
from twofactor.factors.sms.backends.base import (
    AttemptsFilter,
    AttemptsSummary,
    BackendConfigurationError,
    BackendUnavailable,
)
from twofactor.factors.sms.policy import country_of

logger = logging.getLogger("twofactor")

# Longer than any range staff would look back over.
KEPT_FOR = timedelta(days=400)
# One request to Verify per row: a page stays quick even in a wave that
# touches many countries (the rows past this are named, not fetched).
MAX_COUNTRIES = 30
# A row worth a look: this many attempts with fewer than this share converted.
SUSPICIOUS_ATTEMPTS = 10
SUSPICIOUS_RATE = 50.0


def _key(region: str) -> str:
    return f"twofactor:attempts:last_sent:{region}"


def note_sent(number: str) -> None:
    """Remember that a code went to `number`'s country today (no number kept)."""
    region = country_of(number)
    if region:
        cache.set(_key(region), timezone.now().date().isoformat(), KEPT_FOR.total_seconds())


def countries_sent_since(day: date) -> list[str]:
    """The countries a code went to on `day` or later, as far as the cache knows."""
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    found = cache.get_many([_key(region) for region in regions])
    return [
        region
        for region in regions
        if (last := found.get(_key(region))) and date.fromisoformat(last) >= day
    ]


def country_name(region: str) -> str:
    """The country's name in the staff user's language (Babel, as the phone form)."""
    try:
        locale = babel.Locale.parse(get_language() or "en", sep="-")
    except (ValueError, babel.UnknownLocaleError):
        return region
    return locale.territories.get(region, region)


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    summary: AttemptsSummary
    country: str = ""
    prefix: str = ""

    @property
    def suspicious(self) -> bool:
        rate = self.summary.conversion_rate
        return (
            self.summary.total_attempts >= SUSPICIOUS_ATTEMPTS
            and rate is not None
            and rate < SUSPICIOUS_RATE
        )


@dataclass(slots=True)
class Report:
    total: AttemptsSummary | None = None
    countries: list[Row] = field(default_factory=list)
    prefixes: list[Row] = field(default_factory=list)
    # Countries not fetched (past MAX_COUNTRIES).
    left_out: list[str] = field(default_factory=list)
    # Why there are no figures (the service is down or misconfigured); "" when fine.
    error: str = ""


def report(
    *,
    since: datetime,
    until: datetime,
    countries: list[str] | None = None,
    prefixes: list[str] | None = None,
) -> Report:
    """The attempts in [since, until): in all, per country, per prefix.

    Never raises for the service being down: the report says so instead.
    """
    asked = [c.upper() for c in countries or []]
    seen = countries_sent_since(since.date())
    chosen = list(dict.fromkeys([*asked, *app_settings.ALLOWED_COUNTRIES, *seen]))
    fetched, left_out = chosen[:MAX_COUNTRIES], chosen[MAX_COUNTRIES:]
    backend = get_backend()
    try:
        total = backend.attempts_summary(where=AttemptsFilter(since=since, until=until))
        country_rows = [
            Row(
                label=f"{country_name(region)} ({region})",
                country=region,
                prefix=f"+{phonenumbers.country_code_for_region(region)}",
                summary=backend.attempts_summary(
                    where=AttemptsFilter(since=since, until=until, country=region)
                ),
            )
            for region in fetched
        ]
        prefix_rows = [
            Row(
                label=prefix,
                prefix=prefix,
                summary=backend.attempts_summary(
                    where=AttemptsFilter(since=since, until=until, prefix=prefix)
                ),
            )
            for prefix in prefixes or []
        ]
    except (BackendUnavailable, BackendConfigurationError) as exc:
        logger.error("twofactor attempts summary unavailable (%s): %s", backend.name, exc)
        return Report(
            error=_(
                "The text message service didn't give the figures (%(reason)s). "
                "Try again in a minute; if it goes on, run manage.py twofactor_check."
            )
            % {"reason": exc}
        )
    # Most unconverted first: that is where a pumping wave shows. A country
    # nothing went to is left out unless staff asked for it.
    country_rows = [
        row for row in country_rows if row.summary.total_attempts or row.country in asked
    ]
    country_rows.sort(key=lambda row: (-row.summary.total_unconverted, row.country))
    return Report(total=total, countries=country_rows, prefixes=prefix_rows, left_out=left_out)
