"""Fixed-window limits in Django's cache that say why and until when.

Counters live in the cache (Redis when REDIS_URL is set), so they hold across
processes and `cache.incr` is atomic. Each window starts with its first event;
`Decision.retry_at` is when it ends. The apps name their own reasons
(a `StrEnum` each); a window only carries one.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone


@dataclass(frozen=True, slots=True)
class Decision:
    """Allowed, or not until `retry_at` because of `reason`."""

    allowed: bool
    retry_at: datetime | None = None
    reason: str | None = None

    def wait(self, now: datetime | None = None) -> timedelta:
        if self.retry_at is None:
            return timedelta(0)
        return max(self.retry_at - (now or timezone.now()), timedelta(0))


ALLOWED = Decision(allowed=True)


@dataclass(frozen=True, slots=True)
class Window:
    key: str
    limit: int
    length: timedelta
    reason: str

    def _start_key(self) -> str:
        return f"{self.key}:start"

    def _stale(self, started=None) -> bool:
        # The cache's own expiry runs on the server's clock; this check keeps
        # the window honest when the clock is moved in tests, whatever the cache.
        if started is None:
            started = cache.get(self._start_key())
        return started is not None and started + self.length <= timezone.now()

    def peek(self) -> Decision:
        # Both keys in one round trip: pages show a cooldown on every view
        # (with the database cache each read is a query).
        values = cache.get_many([self.key, self._start_key()])
        started = values.get(self._start_key())
        if values.get(self.key, 0) < self.limit or self._stale(started):
            return ALLOWED
        return self._full(started)

    def _seconds(self) -> int:
        return max(int(self.length.total_seconds()), 1)

    def _open(self, count: int) -> None:
        cache.set(self.key, count, timeout=self._seconds())
        cache.set(self._start_key(), timezone.now(), timeout=self._seconds())

    def take(self) -> int:
        """Count one event atomically; returns the count including it."""
        if self._stale():
            self.clear()
        if cache.add(self.key, 1, timeout=self._seconds()):
            cache.set(self._start_key(), timezone.now(), timeout=self._seconds())
            return 1
        try:
            return cache.incr(self.key)
        except ValueError:  # expired between add and incr: a new window
            self._open(1)
            return 1

    def give_back(self) -> None:
        with contextlib.suppress(ValueError):  # the window expired meanwhile
            cache.decr(self.key)

    def full(self) -> Decision:
        return self._full(cache.get(self._start_key()))

    def _full(self, started) -> Decision:
        retry_at = (started or timezone.now()) + self.length
        return Decision(allowed=False, retry_at=retry_at, reason=self.reason)

    def claim(self) -> bool:
        """For a one-event window (a cooldown): take it if free, atomically."""
        if self._stale():
            self.clear()
        if cache.add(self.key, 1, timeout=self._seconds()):
            cache.set(self._start_key(), timezone.now(), timeout=self._seconds())
            return True
        return False

    def restart(self) -> None:
        self._open(1)

    def clear(self) -> None:
        cache.delete_many([self.key, self._start_key()])
