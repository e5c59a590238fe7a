"""Abuse a stranger could try against someone else's phone or the SMS bill."""

import html

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.client import client_ip
from twofactor.factors.sms.backends import locmem
from twofactor.models import Factor
from twofactor.session import required_fingerprint

NUMBER_NATIONAL = "2015550123"
NUMBER = "+12015550123"


@pytest.fixture
def victim(user_factory):
    victim = user_factory(username="victim")
    Factor.objects.create(
        kind="sms", channel="sms", user=victim, number=NUMBER, confirmed_at=timezone.now()
    )
    return victim


@pytest.mark.django_db
def test_a_number_confirmed_by_another_account_cannot_be_enrolled(client: Client, victim, user):
    client.force_login(user)
    response = client.post(
        reverse("twofactor:enable"), {"country": "US", "number": NUMBER_NATIONAL}
    )
    assert response.status_code == 422
    assert "This number can't be used for two-factor authentication." in html.unescape(
        response.content.decode()
    )
    assert locmem.outbox == []


@pytest.mark.django_db
def test_the_owner_can_re_enrol_their_own_number(client: Client, victim):
    client.force_login(victim)
    session = client.session
    session["twofactor_passed"] = required_fingerprint(victim)
    session["twofactor_passed_at"] = timezone.now().isoformat()
    session.save()
    response = client.post(
        reverse("twofactor:enable"),
        {"country": "US", "number": NUMBER_NATIONAL, "password": "correct horse battery staple"},
    )
    assert response.status_code == 200
    assert [m.to for m in locmem.outbox] == [NUMBER]


@pytest.mark.django_db
def test_enrolment_sends_to_a_number_do_not_use_up_its_owners_sign_in_codes(
    user_factory, password, settings
):
    """Sign-in sends are counted per account, enrolment sends per number too:
    a full window of enrolment texts to a (not yet taken) number doesn't block
    its later owner's sign-in. (4, not 5: Verify itself refuses a 6th send.)"""
    settings.TWOFACTOR_SEND_LIMIT = 4
    stranger = user_factory(username="stranger")
    for _ in range(4):
        other = Client()
        other.force_login(stranger)
        other.post(reverse("twofactor:enable"), {"country": "US", "number": NUMBER_NATIONAL})
        stranger = user_factory()  # a new account each time, as an abuser would
    owner = user_factory(username="owner")
    Factor.objects.create(
        kind="sms", channel="sms", user=owner, number=NUMBER, confirmed_at=timezone.now()
    )
    client = Client()
    client.post(reverse("login"), {"username": owner.username, "password": password})
    sent_before = len(locmem.outbox)
    response = client.get(reverse("twofactor:verify"))
    assert response.status_code == 200
    assert len(locmem.outbox) == sent_before + 1


@pytest.mark.django_db
def test_enrolment_sends_to_one_number_are_limited_across_accounts(user_factory, settings):
    settings.TWOFACTOR_SEND_LIMIT = 3
    statuses = []
    for _ in range(5):
        client = Client()
        client.force_login(user_factory())
        response = client.post(
            reverse("twofactor:enable"), {"country": "US", "number": NUMBER_NATIONAL}
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429, 429]
    assert len(locmem.outbox) == 3


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "", "203.0.113.7"),
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # not trusted: ignored
        (1, "127.0.0.1", "198.51.100.1", "198.51.100.1"),
        (1, "127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # forged hop ignored
        (2, "127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (1, "127.0.0.1", "", "127.0.0.1"),  # header missing: the proxy itself
        (0, "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::/64"),
        (0, "::ffff:203.0.113.7", "", "203.0.113.7"),
        (0, "not-an-address", "", None),
    ],
)
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_one_ipv6_subscriber_shares_one_limit(user_factory, settings):
    settings.TWOFACTOR_IP_SEND_LIMIT = 2
    statuses = []
    for i in range(3):
        client = Client(REMOTE_ADDR=f"2001:db8:1:2::{i + 1}")
        client.force_login(user_factory())
        response = client.post(
            reverse("twofactor:enable"), {"country": "US", "number": f"20155501{i:02d}"}
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_a_number_confirmed_elsewhere_meanwhile_is_refused_at_confirmation(
    client: Client, user, user_factory
):
    """Two accounts enrolling one number: whoever confirms second is told, not a 500."""
    client.force_login(user)
    client.post(reverse("twofactor:enable"), {"country": "US", "number": NUMBER_NATIONAL})
    code = locmem.outbox[-1].code
    Factor.objects.create(
        kind="sms", channel="sms", user=user_factory(), number=NUMBER, confirmed_at=timezone.now()
    )
    response = client.post(reverse("twofactor:enable_confirm"), {"code": code})
    assert response.status_code == 422
    assert "This number can't be used for two-factor authentication." in html.unescape(
        response.content.decode()
    )
    assert not Factor.objects.phones().filter(user=user).exists()
