"""The factor design: the migration keeps every phone, the gate's mark names
the whole factor setup, recovery codes alone don't turn two-factor on, and
every failure reason has its HTTP status."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from core.locks import cache_lock
from tests.twofactor.conftest import make_device
from twofactor import selectors, session
from twofactor.models import Factor, Kind
from twofactor.outcomes import Failure
from twofactor.panel import STATUS_FOR


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_every_confirmed_phone_over(django_user_model):
    executor = MigrationExecutor(connection)
    before = [("twofactor", "0003_number_one_account")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    User = apps.get_model("accounts", "User")
    PhoneDevice = apps.get_model("twofactor", "PhoneDevice")
    alice = User.objects.create(username="alice", email="alice@example.com")
    bob = User.objects.create(username="bob", email="bob@example.com")
    token = uuid.uuid4()
    confirmed = timezone.now()
    PhoneDevice.objects.create(
        user=alice, number="+12015550123", channel="call", confirmed_at=confirmed, token=token
    )
    PhoneDevice.objects.create(user=bob, number="+12015550124")  # never confirmed

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    factors = list(Factor.objects.all())
    assert len(factors) == 1
    phone = factors[0]
    assert (phone.user_id, phone.kind, str(phone.number), phone.channel) == (
        alice.pk,
        Kind.SMS,
        "+12015550123",
        "call",
    )
    assert phone.token == token and phone.confirmed_at == confirmed and phone.preferred


@pytest.mark.django_db
def test_recovery_codes_alone_do_not_turn_two_factor_on(user):
    Factor.objects.create(user=user, kind=Kind.RECOVERY, confirmed_at=timezone.now())
    assert session.required_fingerprint(user) is None
    assert not selectors.is_enabled(user)
    make_device(user)
    assert session.required_fingerprint(user) is not None
    assert selectors.is_enabled(user)


@pytest.mark.django_db
def test_the_fingerprint_changes_with_any_factor(user):
    phone = make_device(user)
    first = session.required_fingerprint(user)
    assert first == session.required_fingerprint(user)  # stable while nothing changes
    recovery = Factor.objects.create(user=user, kind=Kind.RECOVERY, confirmed_at=timezone.now())
    added = session.required_fingerprint(user)
    assert added != first
    Factor.objects.filter(pk=recovery.pk).update(token=uuid.uuid4())
    renewed = session.required_fingerprint(user)
    assert renewed not in {first, added}
    Factor.objects.filter(pk=phone.pk).update(token=uuid.uuid4())
    assert session.required_fingerprint(user) not in {first, added, renewed}
    recovery.delete()
    assert session.required_fingerprint(user) not in {first, added, renewed}


@pytest.mark.django_db
def test_the_fingerprint_is_keyed(user, settings):
    make_device(user)
    first = session.required_fingerprint(user)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert session.required_fingerprint(user) != first


@pytest.mark.django_db
def test_a_factor_added_elsewhere_sends_this_session_back_to_the_code_page(
    signed_in_client, enrolled_user
):
    assert signed_in_client.get("/").status_code == 200
    Factor.objects.create(user=enrolled_user, kind=Kind.RECOVERY, confirmed_at=timezone.now())
    response = signed_in_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/2fa/verify/")


def test_every_failure_has_its_status():
    assert set(STATUS_FOR) == set(Failure)
    assert {STATUS_FOR[f] for f in Failure} <= {422, 429, 503}
    assert STATUS_FOR[Failure.UNAVAILABLE] == 503
    assert STATUS_FOR[Failure.LOCKED] == STATUS_FOR[Failure.THROTTLED] == 429


def test_the_cache_lock_is_exclusive_and_gives_up_after_its_wait():
    with cache_lock("test:lock", hold=5, wait=0) as first:
        assert first
        with cache_lock("test:lock", hold=5, wait=0.1) as second:
            assert not second
    with cache_lock("test:lock", hold=5, wait=0) as again:
        assert again
    assert cache.get("test:lock") is None


@pytest.mark.django_db
def test_the_gate_costs_one_query_with_several_factors(enrolled_user, django_assert_num_queries):
    Factor.objects.create(user=enrolled_user, kind=Kind.RECOVERY, confirmed_at=timezone.now())
    client = Client()
    client.force_login(enrolled_user)
    request_session = client.session
    request_session[session.PASSED] = session.required_fingerprint(enrolled_user)
    request_session["twofactor_passed_at"] = timezone.now().isoformat()
    request_session.save()
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = enrolled_user
    request.session = request_session
    with django_assert_num_queries(1):
        assert not session.needs_code(request)
        assert not session.needs_code(request)


def test_the_code_is_asked_again_after_a_day_or_an_idle_hour(
    time_machine, signed_in_client, enrolled_user, settings
):
    from datetime import timedelta

    time_machine.move_to(timezone.now(), tick=False)
    assert signed_in_client.get("/").status_code == 200
    time_machine.shift(timedelta(minutes=50))
    assert signed_in_client.get("/").status_code == 200  # active: the idle clock restarts
    settings.ACCOUNTS_SESSION_MAX_AGE = 3 * 3600
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    session_data = signed_in_client.session
    session_data[session.PASSED_AT] = (timezone.now() - timedelta(hours=3, minutes=1)).isoformat()
    session_data.save()
    response = signed_in_client.get("/")
    assert response.status_code == 302, response
    assert response["Location"].startswith("/2fa/verify/")


def test_a_mark_without_a_time_is_due(signed_in_client):
    session_data = signed_in_client.session
    del session_data[session.PASSED_AT]
    session_data.save()
    assert signed_in_client.get("/")["Location"].startswith("/2fa/verify/")
