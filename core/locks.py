"""A short mutex in Django's cache, shared by every process that shares the cache.

For steps that must take turns but must not hold a database transaction while
they wait on someone else's server (a Verify check over HTTP): on SQLite a
write transaction locks the whole database for that long.
"""

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

POLL_SECONDS = 0.05


@contextmanager
def cache_lock(key: str, *, hold: float, wait: float) -> Iterator[bool]:
    """Yield True holding `key` (for at most `hold` seconds, in case the holder
    dies), or False if it stayed taken for `wait` seconds."""
    owner = secrets.token_hex(8)
    deadline = time.monotonic() + wait
    seconds = max(int(hold + 0.999), 1)
    while not cache.add(key, owner, timeout=seconds):
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(POLL_SECONDS)
    try:
        yield True
    finally:
        # Only our own lock: if it expired and someone else holds it now, leave it.
        if cache.get(key) == owner:
            cache.delete(key)
