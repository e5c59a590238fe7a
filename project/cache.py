"""Django's database cache, with an `incr` the rate limits can count on.

Without REDIS_URL the cache lives in the database, so every worker process and
every app server sees the same counters. Django's `DatabaseCache.incr` is the
generic get-then-set: two requests counting at once can both read 3 and both
write 4, and the `set` also restarts the key's expiry at the default timeout
(300 s), so a counter of a one-hour window would vanish after five quiet
minutes. Here `incr` locks the row first (PostgreSQL's row lock; SQLite's write
lock), then adds, and keeps the key's expiry; and `add` sees a key expire
when `get` does (see there).
"""

import base64
import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now


class AtomicDatabaseCache(DatabaseCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's `add` compares the stored expiry (whole seconds) with the
        # time cut to whole seconds, so for up to a second after a key has
        # expired — `get` already says it's gone — `add` still finds it there.
        # A cooldown then looks both over and not over, and a resend got
        # through uncounted. The expired row goes first, as `get` sees it.
        made = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote_name(self._table)} WHERE {quote_name('cache_key')} = %s"  # noqa: S608
                f" AND {quote_name('expires')} < %s",
                [made, connection.ops.adapt_datetimefield_value(now())],
            )
        return super().add(key, value, timeout=timeout, version=version)

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table, cache_key = quote_name(self._table), quote_name("cache_key")
        value, expires = quote_name("value"), quote_name("expires")
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # SECURITY: a write first, so the row is locked (and on SQLite the
            # database's write lock held) before it is read: two requests can't
            # both read the same count and each take the last slot of a limit.
            cursor.execute(
                f"UPDATE {table} SET {expires} = {expires} WHERE {cache_key} = %s",  # noqa: S608
                [key],
            )
            cursor.execute(
                f"SELECT {value}, {expires} FROM {table} WHERE {cache_key} = %s",  # noqa: S608
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._converted(connection, row[1]) < now():
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            new_value = pickle.loads(base64.b64decode(stored.encode(), validate=True)) + delta  # noqa: S301  (our own rows)
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol))
            cursor.execute(
                f"UPDATE {table} SET {value} = %s WHERE {cache_key} = %s",  # noqa: S608
                [encoded.decode("latin1"), key],
            )
        return new_value

    def decr(self, key, delta=1, version=None):
        return self.incr(key, -delta, version=version)

    @staticmethod
    def _converted(connection, expires):
        """The stored expiry as an aware datetime, as Django's own `get` reads it."""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression)
        for converter in converters + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return expires
