"""Races: code checks for one account take turns on the account lock (in the
cache, so no database transaction is held while Verify answers), and the
rate-limit counters count every hit. Row locks are only real on PostgreSQL
(SQLite locks the whole database), so the tests marked `postgres` run in CI's
PostgreSQL pass (`make test-pg`) and are deselected, not skipped, on SQLite."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.threads import all_at_once
from twofactor import throttles
from twofactor.factors.sms.backends import CheckResult, CheckStatus, locmem
from twofactor.factors.sms.backends.locmem import LocmemVerifyBackend
from twofactor.models import Factor


@pytest.mark.django_db(transaction=True)
def test_concurrent_code_checks_for_one_account_take_turns(user_factory, password, monkeypatch):
    user = user_factory()
    Factor.objects.create(
        kind="sms", channel="sms", user=user, number="+12015550123", confirmed_at=timezone.now()
    )
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
    statuses = all_at_once(
        2, lambda i: clients[i].post(reverse("twofactor:verify"), {"code": "000000"}).status_code
    )
    assert statuses == [422, 422]
    (first_start, first_end), (second_start, _second_end) = sorted(spans)
    # SECURITY: the second check waited for the first to finish (flows.account_lock).
    assert second_start >= first_end - 0.01, spans


@pytest.mark.django_db(transaction=True)
def test_parallel_sends_get_no_more_slots_than_the_limit(settings):
    """Slots are taken before sending: 30 requests at once get exactly 5."""
    settings.TWOFACTOR_SEND_LIMIT = 5
    reservations = all_at_once(
        30,
        lambda i: throttles.reserve_send(
            user_id=7,
            number=f"+1201555{i:04d}",
            ip="192.0.2.1",
            purpose=throttles.Purpose.ENROL,
            resend=False,
        ),
    )
    allowed = [r for r in reservations if r.decision.allowed]
    assert len(allowed) == 5
    refused = {r.decision.reason for r in reservations if not r.decision.allowed}
    assert refused == {throttles.Reason.USER_SENDS}
    # A failed send gives its slot back.
    allowed[0].release()
    again = throttles.reserve_send(
        user_id=7, number="+12015559999", ip=None, purpose=throttles.Purpose.ENROL, resend=False
    )
    assert again.decision.allowed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_enrolments_cannot_pump_texts(user_factory, password, monkeypatch, settings):
    """One account, many sessions, many numbers, all at once, with a slow
    provider: no more texts go out than TWOFACTOR_SEND_LIMIT."""
    assert connection.vendor == "postgresql"
    settings.TWOFACTOR_SEND_LIMIT = 5
    user = user_factory()
    clients = []
    for _ in range(12):
        client = Client()
        client.force_login(user)
        clients.append(client)
    original_start = LocmemVerifyBackend.start

    def slow_start(self, **kwargs):
        time.sleep(0.3)
        return original_start(self, **kwargs)

    monkeypatch.setattr(LocmemVerifyBackend, "start", slow_start)
    statuses = all_at_once(
        12,
        lambda i: (
            clients[i]
            .post(reverse("twofactor:enable"), {"country": "US", "number": f"20155501{i:02d}"})
            .status_code
        ),
    )
    assert sorted(statuses) == [200] * 5 + [429] * 7
    assert len(locmem.outbox) == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_codes_all_count_towards_the_lock(settings):
    settings.TWOFACTOR_CHECK_LIMIT = 30
    all_at_once(29, lambda i: throttles.record_wrong_code(user_id=9))
    assert throttles.may_check(user_id=9).allowed
    throttles.record_wrong_code(user_id=9)
    assert not throttles.may_check(user_id=9).allowed
