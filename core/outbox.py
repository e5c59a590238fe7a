"""The development outbox: the codes and emails the console backends "sent",
for `/dev/outbox/`.

Kept in Django's cache, not in one process's memory, so every worker of a
development or staging server sees the same list. Only the console/locmem
backends write here; they never run in production (twofactor.E002,
accounts.E001).
"""

from django.core.cache import cache

MAX_ITEMS = 50
CODES = "codes"
EMAILS = "emails"


def _key(kind: str) -> str:
    return f"core:outbox:{kind}"


def record(kind: str, item) -> None:
    """Keep `item` (picklable) as the newest of its kind. Development only: two
    workers writing in the same instant may drop one entry."""
    items = cache.get(_key(kind), [])
    items.append(item)
    cache.set(_key(kind), items[-MAX_ITEMS:], timeout=None)


def recent(kind: str) -> list:
    """The kept items of `kind`, newest first."""
    return list(reversed(cache.get(_key(kind), [])))


def clear(kind: str) -> None:
    cache.delete(_key(kind))
