"""Fixtures for the two-factor flows through Django's test client (locmem backend).

- `enrolled_user`: alice with a confirmed phone, NUMBER ("+1 ••• ••• 0123").
- `half_signed_in_client`: alice signed in by POSTing her password to the login
  page, not yet past the code page.
- `signed_in_client`: alice signed in with her password and the code.
- `frozen`: the clock stopped at a known instant (time-machine); shift it with
  `frozen.shift(seconds)`.
- `last_code()`, `page_text()`, `login()`, `pass_code()` and HX for the tests.
"""

import html
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.accounts.html import Tag, tags
from twofactor.factors.sms.backends import locmem
from twofactor.models import Factor

NUMBER = "+12015550123"
MASKED = "+1 ••• ••• 0123"
OTHER_NUMBER = "+12025550199"
OTHER_MASKED = "+1 ••• ••• 0199"

LOGIN_URL = "/accounts/login/"
VERIFY_URL = "/2fa/verify/"
RESEND_URL = "/2fa/verify/resend/"
CANCEL_URL = "/2fa/verify/cancel/"
ENABLE_URL = "/2fa/enable/"
CONFIRM_URL = "/2fa/enable/confirm/"
ENABLE_RESEND_URL = "/2fa/enable/resend/"
DISABLE_URL = "/2fa/disable/"
PANEL_URL = "/2fa/"

# Extra arguments for an htmx request through the test client.
HX = {"headers": {"HX-Request": "true"}}

START = datetime(2030, 1, 15, 9, 0, 0, tzinfo=UTC)


def last_code(to: str | None = None) -> str:
    """The code of the last message in the locmem outbox (to `to`, if given)."""
    messages = [m for m in locmem.outbox if to is None or m.to == to]
    assert messages, f"no code was sent{f' to {to}' if to else ''}: {locmem.outbox}"
    return messages[-1].code


def wrong_code(code: str) -> str:
    """A code of the same shape that is not `code`."""
    return f"{(int(code) + 1) % 10**6:06d}"


def page_text(response) -> str:
    """The response body with HTML entities decoded ("isn&#x27;t" -> "isn't")."""
    return html.unescape(response.content.decode())


def field(response, name: str) -> Tag:
    """The first <input>/<select>/<textarea> called `name` in the response."""
    body = response.content.decode()
    # Fields live in the body; the head is none of this helper's business.
    body = body[body.find("<body") :] if "<body" in body else body
    found = [
        t
        for t in tags(body)
        if t.name in {"input", "select", "textarea"} and t.attrs.get("name") == name
    ]
    assert found, f"no field {name!r} in the response"
    return found[0]


def is_fragment(response) -> bool:
    return "<html" not in response.content.decode().lower()


def session_cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def pass_code(client: Client, **extra):
    """Open the code page (which sends the code) and enter the code."""
    client.get(VERIFY_URL)
    return client.post(VERIFY_URL, {"code": last_code(), **extra})


def make_device(user, number: str = NUMBER, channel: str = "sms") -> Factor:
    now = timezone.now()
    return Factor.objects.create(
        kind="sms",
        preferred=True,
        user=user,
        number=number,
        channel=channel,
        confirmed_at=now,
        last_used_at=now,
    )


@pytest.fixture
def enrolled_user(user):
    make_device(user)
    return user


@pytest.fixture
def half_signed_in_client(client: Client, enrolled_user, password) -> Client:
    response = login(client, enrolled_user.username, password)
    assert response.status_code == 302
    return client


@pytest.fixture
def signed_in_client(half_signed_in_client: Client) -> Client:
    response = pass_code(half_signed_in_client)
    assert response.status_code == 302, page_text(response)
    locmem.outbox.clear()
    return half_signed_in_client


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def signed_in_user_client(enrolled_user, password) -> Client:
    """Alice past the code in a client of her own (when `client` is someone else)."""
    own = Client()
    login(own, enrolled_user.username, password)
    response = pass_code(own)
    assert response.status_code == 302, page_text(response)
    return own
