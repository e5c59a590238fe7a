""" "in 5 minutes": when a user may try again, in words."""

import math
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import ngettext


def wait_phrase(wait: timedelta) -> str:
    """ "in 9 minutes" / "in 25 seconds" (rounded up: never sooner than true)."""
    seconds = max(math.ceil(wait.total_seconds()), 1)
    if seconds < 60:
        return ngettext("in %(n)d second", "in %(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("in %(n)d minute", "in %(n)d minutes", minutes) % {"n": minutes}


def until_phrase(when: datetime | None) -> str:
    return wait_phrase((when or timezone.now()) - timezone.now())
