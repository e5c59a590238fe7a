"""Races in the tests: `all_at_once(count, work)` runs work(i) for i < count in
threads released together by a barrier, each closing its database connections
when done, and returns the results in order (re-raising the first error)."""

import threading
from collections.abc import Callable

from django.db import connections


def all_at_once(count: int, work: Callable[[int], object], *, timeout: float = 60) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results
