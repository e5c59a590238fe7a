"""The SMS-pumping attack, scripted end to end through the site's own pages.

An attacker holds many accounts (their passwords are the attacker's own) and
many numbers, some of them in countries the site doesn't serve, on blocked
prefixes or premium-rate ranges; they sign in and enrol from one address or
many, with or without forged X-Forwarded-For headers, in bursts. What reaches
the Verify backend (the locmem outbox) must equal the configured cap
*exactly*, never go to a refused number, and leave a legitimate user on
another address able to get a code in the same minute (unless the site-wide
cap is what stopped the attack: then nobody does, and staff hear once).

Every scenario runs twice: one request after another (on any database), and
as a burst of threads with a Django test client each, on PostgreSQL with the
shared cache (Redis), where the race between "count" and "send" is real
(`make test-pg`; deselected on SQLite). The provider is slowed down in the
burst, so the requests overlap while the texts are "in flight".
"""

import time
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from tests.threads import all_at_once
from tests.twofactor.conftest import (
    ENABLE_URL,
    RESEND_URL,
    VERIFY_URL,
    login,
    make_device,
    page_text,
)
from twofactor import throttles
from twofactor.factors.sms import policy
from twofactor.factors.sms.backends import locmem
from twofactor.factors.sms.backends.locmem import LocmemVerifyBackend

ATTACKER = "203.0.113.9"
LEGITIMATE = "198.51.100.7"
PROXY = "10.0.0.1"

# Numbers the attacker enrolled before the rules changed, or tries to enrol:
# none of them may ever get a code.
REFUSED_NUMBERS = [
    "+447911123456",  # a UK mobile: outside the allow-list below
    "+881612345678",  # satellite: a blocked prefix
    "+19005550123",  # US premium rate
    "+18005550199",  # US toll free
]


def burst(count: int, work: Callable[[int], object], *, concurrent: bool) -> list:
    """work(i) for i < count: one after another, or in threads released together."""
    if not concurrent:
        return [work(i) for i in range(count)]
    return all_at_once(count, work, timeout=30)


MODES = [
    pytest.param(False, id="one-after-another", marks=pytest.mark.django_db),
    pytest.param(
        True,
        id="burst",
        marks=[pytest.mark.postgres, pytest.mark.django_db(transaction=True)],
    ),
]


@pytest.fixture
def attack(settings, monkeypatch, request):
    """Small caps that don't get in each other's way (each scenario lowers the
    one it is about), the allow-list, and a slow provider for bursts."""
    settings.TWOFACTOR_ALLOWED_COUNTRIES = ["US", "CA"]
    settings.TWOFACTOR_SEND_LIMIT = 50
    settings.TWOFACTOR_IP_SEND_LIMIT = 50
    settings.TWOFACTOR_GLOBAL_SEND_LIMIT = 500
    settings.ADMINS = ["ops@example.com"]
    concurrent = request.node.callspec.params["concurrent"]
    if concurrent:
        assert connection.vendor == "postgresql"
        original = LocmemVerifyBackend.start

        def slow_start(self, **kwargs):
            time.sleep(0.2)
            return original(self, **kwargs)

        monkeypatch.setattr(LocmemVerifyBackend, "start", slow_start)
    return concurrent


def sent_to() -> list[str]:
    return [message.to for message in locmem.outbox]


def assert_none_refused() -> None:
    refused = [to for to in sent_to() if policy.refusal(to) is not None]
    assert refused == [], f"codes went to refused numbers: {refused}"


def half_signed_in(user, password: str, **client_kwargs) -> Client:
    """A client that typed the account's password; its code page sends the code."""
    client = Client(**client_kwargs)
    response = login(client, user.username, password)
    assert response.status_code == 302, page_text(response)
    return client


def attacker_accounts(user_factory, count: int, *, first: int = 0) -> list:
    """`count` accounts with a confirmed allowed number, plus one per refused number."""
    accounts = []
    for i in range(count):
        user = user_factory()
        make_device(user, number=f"+1201555{first + i:04d}")
        accounts.append(user)
    for number in REFUSED_NUMBERS:
        user = user_factory()
        make_device(user, number=number)
        accounts.append(user)
    return accounts


def legitimate_user_signs_in(user_factory, password: str, **client_kwargs):
    user = user_factory(username="legit")
    make_device(user, number="+16135550111")  # Canada: allowed
    client = half_signed_in(user, password, **client_kwargs)
    return client.get(VERIFY_URL)


@pytest.mark.parametrize("concurrent", MODES)
@pytest.mark.parametrize(
    ("proxies", "spoofed"),
    [
        (0, False),  # straight from the client
        (0, True),  # no proxy, forged X-Forwarded-For: ignored
        (1, True),  # one trusted proxy, forged hops left of the real one: ignored
    ],
)
def test_many_accounts_from_one_address_stop_at_the_address_cap(
    attack, user_factory, password, settings, proxies, spoofed, concurrent
):
    settings.TWOFACTOR_IP_SEND_LIMIT = 4
    settings.TRUSTED_PROXIES = proxies
    accounts = attacker_accounts(user_factory, 10)

    def from_attacker(i: int) -> dict:
        forged = f"192.0.2.{i + 1}" if spoofed else ""
        if proxies:
            # The proxy appends the address it saw; what the client sent stays left.
            return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{forged}, {ATTACKER}"}
        return {"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": forged}

    clients = [half_signed_in(u, password, **from_attacker(i)) for i, u in enumerate(accounts)]
    statuses = burst(
        len(clients), lambda i: clients[i].get(VERIFY_URL).status_code, concurrent=concurrent
    )

    assert len(sent_to()) == 4, sent_to()
    assert_none_refused()
    assert statuses.count(200) == len(clients)  # the code page shows why, never a 500
    # Someone else, in the same minute, from another address (through the same proxy).
    legit = (
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": LEGITIMATE}
        if proxies
        else {"REMOTE_ADDR": LEGITIMATE}
    )
    response = legitimate_user_signs_in(user_factory, password, **legit)
    assert response.status_code == 200
    assert sent_to()[-1] == "+16135550111"
    assert len(sent_to()) == 5


@pytest.mark.parametrize("concurrent", MODES)
def test_one_account_from_many_addresses_stops_at_the_account_cap(
    attack, user_factory, password, settings, concurrent
):
    """Enrolment: one account, a session per address, a different number each
    (refused ones among them), all at once."""
    settings.TWOFACTOR_SEND_LIMIT = 3
    user = user_factory()
    numbers = [f"20155502{i:02d}" for i in range(9)]
    refused = [("GB", "07911 123456"), ("US", "900 555 0123"), ("US", "800 555 0199")]
    tries = [("US", n) for n in numbers] + refused
    clients = []
    for i in range(len(tries)):
        client = Client(REMOTE_ADDR=f"192.0.2.{i + 1}")
        client.force_login(user)
        clients.append(client)

    def enrol(i: int) -> int:
        country, number = tries[i]
        return clients[i].post(ENABLE_URL, {"country": country, "number": number}).status_code

    statuses = burst(len(tries), enrol, concurrent=concurrent)

    assert len(sent_to()) == 3, sent_to()
    assert_none_refused()
    assert sorted(statuses) == [200] * 3 + [422] * 3 + [429] * 6
    response = legitimate_user_signs_in(user_factory, password, REMOTE_ADDR=LEGITIMATE)
    assert response.status_code == 200
    assert len(sent_to()) == 4


@pytest.mark.parametrize("concurrent", MODES)
def test_one_number_from_many_accounts_and_addresses_stops_at_the_number_cap(
    attack, user_factory, password, settings, concurrent
):
    settings.TWOFACTOR_SEND_LIMIT = 3
    clients = []
    for i in range(10):
        client = Client(REMOTE_ADDR=f"192.0.2.{i + 1}")
        client.force_login(user_factory())
        clients.append(client)
    statuses = burst(
        len(clients),
        lambda i: (
            clients[i].post(ENABLE_URL, {"country": "US", "number": "2015550300"}).status_code
        ),
        concurrent=concurrent,
    )

    assert sent_to() == ["+12015550300"] * 3
    assert sorted(statuses) == [200] * 3 + [429] * 7
    response = legitimate_user_signs_in(user_factory, password, REMOTE_ADDR=LEGITIMATE)
    assert response.status_code == 200
    assert len(sent_to()) == 4


@pytest.mark.parametrize("concurrent", MODES)
def test_a_distributed_attack_stops_at_the_site_wide_cap(
    attack, user_factory, password, settings, concurrent
):
    """Many accounts, many addresses: only the site-wide cap binds. When it is
    reached, the legitimate user gets no code either, and staff hear once."""
    settings.TWOFACTOR_GLOBAL_SEND_LIMIT = 5
    accounts = attacker_accounts(user_factory, 12)
    clients = [
        half_signed_in(u, password, REMOTE_ADDR=f"192.0.2.{i + 1}") for i, u in enumerate(accounts)
    ]
    burst(len(clients), lambda i: clients[i].get(VERIFY_URL).status_code, concurrent=concurrent)

    assert len(sent_to()) == 5, sent_to()
    assert_none_refused()
    response = legitimate_user_signs_in(user_factory, password, REMOTE_ADDR=LEGITIMATE)
    # (The code page itself answers 200 and says why; a resend would be a 503.)
    assert "Sending codes is temporarily unavailable." in page_text(response)
    assert len(sent_to()) == 5
    staff = [m for m in mail.outbox if "site-wide limit" in m.subject]
    assert len(staff) == 1


@pytest.mark.parametrize("concurrent", MODES)
def test_resend_bursts_of_one_account_send_one_code_per_cooldown(
    attack, user_factory, password, settings, concurrent
):
    """ "Resend" pressed in many sessions of one account at once, once the
    cooldown is over: exactly one code goes (the cooldown is claimed atomically)."""
    settings.TWOFACTOR_RESEND_COOLDOWN = 30
    user = user_factory()
    make_device(user, number="+12015550400")
    clients = [half_signed_in(user, password, REMOTE_ADDR=ATTACKER) for _ in range(4)]
    for client in clients:
        client.get(VERIFY_URL)  # each session's first code
    assert len(sent_to()) == 4
    locmem.outbox.clear()
    throttles._cooldown_window(user.pk).clear()  # as if the 30 seconds were over

    statuses = burst(
        len(clients),
        lambda i: clients[i].post(RESEND_URL, {"channel": "sms"}).status_code,
        concurrent=concurrent,
    )

    assert sent_to() == ["+12015550400"]
    assert sorted(statuses) == [200] + [429] * 3
