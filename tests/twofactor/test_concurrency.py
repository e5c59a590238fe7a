"""Races: code checks for one account take turns on the device row, and the
rate-limit counters count every hit. Row locks are only real on PostgreSQL
(SQLite locks the whole database), so that test runs in CI's PostgreSQL pass."""

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from twofactor import throttles
from twofactor.backends import CheckResult, CheckStatus
from twofactor.backends.locmem import LocmemVerifyBackend
from twofactor.models import PhoneDevice


def _in_threads(count: int, work) -> list:
    """Run work(i) in `count` threads started together; each closes its DB connection."""
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
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_code_checks_for_one_account_take_turns(user_factory, password, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only real on PostgreSQL; CI runs this in its PostgreSQL pass")
    user = user_factory()
    PhoneDevice.objects.create(user=user, number="+12015550123", confirmed_at=timezone.now())
    clients = []
    for _ in range(2):
        client = Client()
        client.post(reverse("login"), {"username": user.username, "password": password})
        client.get(reverse("twofactor:verify"))
        clients.append(client)

    spans: list[tuple[float, float]] = []
    lock = threading.Lock()

    def slow_check(self, *, to, code):
        start = time.monotonic()
        time.sleep(0.4)
        with lock:
            spans.append((start, time.monotonic()))
        return CheckResult(status=CheckStatus.WRONG_CODE, attempts_left=3)

    monkeypatch.setattr(LocmemVerifyBackend, "check", slow_check)
    statuses = _in_threads(
        2, lambda i: clients[i].post(reverse("twofactor:verify"), {"code": "000000"}).status_code
    )
    assert statuses == [400, 400]
    (first_start, first_end), (second_start, _second_end) = sorted(spans)
    # SECURITY: the second check waited for the first to finish (select_for_update).
    assert second_start >= first_end - 0.01, spans


@pytest.mark.django_db(transaction=True)
def test_send_counters_count_every_concurrent_hit(settings):
    settings.TWOFACTOR_SEND_LIMIT = 1000
    settings.TWOFACTOR_IP_SEND_LIMIT = 1000
    hits = 40
    _in_threads(
        hits,
        lambda i: throttles.record_send(user_id=7, number="+12015550123", ip="192.0.2.1"),
    )
    settings.TWOFACTOR_SEND_LIMIT = hits
    decision = throttles.may_send(user_id=7, number="+12015550123", ip=None, resend=False)
    assert not decision.allowed
    assert decision.reason is throttles.Reason.USER_SENDS
    settings.TWOFACTOR_SEND_LIMIT = hits + 1
    assert throttles.may_send(user_id=7, number="+12015550123", ip=None, resend=False).allowed


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_codes_all_count_towards_the_lock(settings):
    settings.TWOFACTOR_CHECK_LIMIT = 30
    _in_threads(29, lambda i: throttles.record_wrong_code(user_id=9))
    assert throttles.may_check(user_id=9).allowed
    throttles.record_wrong_code(user_id=9)
    assert not throttles.may_check(user_id=9).allowed
