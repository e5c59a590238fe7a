"""Two app servers on one database and one cache behave as one site.

Two gunicorn processes, each from gunicorn.conf.py on its own loopback port,
DEBUG off, the Twilio backend aimed at the Verify fake. On SQLite: one database
file and the database cache in it; on PostgreSQL (`make test-pg`): a database
of their own beside the test database, and Redis with a key prefix of their
own. The accounts, with a confirmed phone each, are made in that database
before the servers start.

A browser's cookies are per host, not per port, so one `SiteClient` moves
between the servers by changing its `base`, as a browser behind a load
balancer would.
"""

import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

import dj_database_url
import pytest
import requests

from tests import servers
from twofactor.factors.sms.testing.fake_verify import FakeVerifyControl

PASSWORD = "two servers, one site"
GATED = "/accounts/profile/edit/"
LOGIN = "/accounts/login/"
VERIFY = "/2fa/verify/"
RESEND = "/2fa/verify/resend/"


@dataclass
class Site:
    a: str
    b: str
    fake: FakeVerifyControl


def _postgres_database(tmp_name: str) -> Iterator[str]:
    """A database of the servers' own on the server the suite's URL names."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_{tmp_name}"
    admin = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def site(fake_verify_server, collected_static, tmp_path_factory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("two-servers")
    fake = FakeVerifyControl(url=fake_verify_server.url)
    fake.reset()
    extra = {
        "STATIC_ROOT": str(collected_static),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        # A resend waits 1 s (not 30), and an account's third code within
        # the hour is refused: the limit the test reaches through both servers.
        "TWOFACTOR_RESEND_COOLDOWN": "1",
        "TWOFACTOR_SEND_LIMIT": "2",
        # A loaded machine must not turn a slow answer of the fake into "Twilio
        # is down" (which gives the slot back).
        "TWILIO_TIMEOUT": "10",
    }
    postgres = "DATABASE_URL" in os.environ and os.environ["DATABASE_URL"].startswith("postgres")
    databases = _postgres_database("servers") if postgres else None
    if databases is not None:
        extra["DATABASE_URL"] = next(databases)
        prefix = f"servers-{secrets.token_hex(4)}"
        extra["REDIS_URL"] = os.environ["REDIS_URL"]
        extra["CACHE_KEY_PREFIX"] = prefix
    else:
        extra["DATABASE_URL"] = f"sqlite:///{tmp / 'db.sqlite3'}"
        extra["REDIS_URL"] = ""
    env = servers.production_env(fake_url=fake_verify_server.url, **extra)
    try:
        servers.prepare_database(env=env)
        servers.create_accounts(env=env, accounts=ACCOUNTS, password=PASSWORD)
        port_a, port_b = servers.free_port(), servers.free_port()
        with (
            servers.gunicorn(env=env, port=port_a, log=tmp / "a.log") as a,
            servers.gunicorn(env=env, port=port_b, log=tmp / "b.log") as b,
        ):
            yield Site(a=a.url, b=b.url, fake=fake)
    finally:
        if databases is not None:
            import redis

            store = redis.Redis.from_url(os.environ["REDIS_URL"])
            for key in store.scan_iter(f"{prefix}:*"):
                store.delete(key)
            next(databases, None)
        fake.reset()


ACCOUNTS = {f"user{n}": f"+1201555{n:04d}" for n in (124, 125, 126)}
_accounts = iter(ACCOUNTS.items())


def enrolled_account(site: Site) -> tuple[str, str]:
    """An account of its own for each test, with SMS two-factor; (username, number)."""
    return next(_accounts)


def sign_in_password(client: servers.SiteClient, username: str) -> None:
    response = client.post(LOGIN, data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    gated = client.get(GATED)
    assert gated.status_code == 302
    assert gated.headers["Location"].startswith(VERIFY)


def test_password_on_one_server_and_code_on_the_other(site):
    username, number = enrolled_account(site)
    client = servers.SiteClient(site.a)
    sign_in_password(client, username)
    assert client.get(VERIFY).status_code == 200  # A sends the code
    client.base = site.b
    assert client.get(GATED).status_code == 302  # B knows: half signed in
    response = client.post(VERIFY, data={"code": site.fake.last_code(to=number)})
    assert response.status_code == 302, response.text
    assert client.get(GATED).status_code == 200
    client.base = site.a
    assert client.get(GATED).status_code == 200


def test_a_send_limit_reached_through_one_server_holds_on_the_other(site):
    username, number = enrolled_account(site)
    sent_before = len([m for m in site.fake.messages() if m["to"] == number])
    client = servers.SiteClient(site.a)
    sign_in_password(client, username)
    assert client.get(VERIFY).status_code == 200  # code 1, through A
    client.base = site.b
    # The resend cooldown A started holds on B.
    assert client.post(RESEND, data={"channel": "sms"}).status_code == 429
    time.sleep(1.1)
    second = client.post(RESEND, data={"channel": "sms"})  # code 2, through B
    assert second.status_code == 200, second.text
    time.sleep(1.1)
    client.base = site.a
    refused = client.post(RESEND, data={"channel": "sms"})  # the limit B reached holds on A
    assert refused.status_code == 429
    assert re.search(r"too many codes", refused.text, re.I), refused.text
    sent = [m for m in site.fake.messages() if m["to"] == number]
    assert len(sent) - sent_before == 2


def test_a_session_ended_on_one_server_is_dead_on_the_other(site):
    username, number = enrolled_account(site)
    client = servers.SiteClient(site.a)
    sign_in_password(client, username)
    client.get(VERIFY)
    assert client.post(VERIFY, data={"code": site.fake.last_code(to=number)}).status_code == 302
    cookie = client.cookies["sessionid"]
    client.base = site.b
    assert client.get(GATED).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302  # ended on B
    # The same cookie, replayed to A, signs nobody in.
    replay = servers.SiteClient(site.a)
    replay.cookies.set("sessionid", cookie)
    response = replay.get(GATED)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(LOGIN)


def test_both_servers_answer(site):
    for base in (site.a, site.b):
        assert requests.get(base + LOGIN, timeout=10).status_code == 200
