"""What a request writes to the database (issue 11): on SQLite the whole file is
written by one request at a time, so a page that only shows something must not
write. Sessions are saved only when changed; last-seen at most every 5 minutes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from twofactor.factors.sms.backends import locmem
from twofactor.models import Factor, Kind

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def writes_of(step) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = step()
    assert response.status_code < 500
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]


def test_pages_that_only_show_write_nothing(client, user, password):
    Factor.objects.create(
        user=user,
        kind=Kind.SMS,
        number="+15555550100",
        channel="sms",
        preferred=True,
        confirmed_at=timezone.now(),
    )
    assert writes_of(lambda: client.get("/accounts/login/")) == []
    assert writes_of(
        lambda: client.post("/accounts/login/", {"username": "alice", "password": password})
    )
    # Half signed in: the gate's redirect writes nothing; the code page writes
    # the challenge once, and a reload of it nothing.
    assert writes_of(lambda: client.get("/accounts/profile/edit/")) == []
    assert writes_of(lambda: client.get("/2fa/verify/"))
    assert writes_of(lambda: client.get("/2fa/verify/")) == []
    assert writes_of(
        lambda: client.post("/2fa/verify/", {"code": locmem.outbox[-1].code, "factor": "sms"})
    )
    assert client.get("/accounts/profile/edit/").status_code == 200  # signed in
    # Signed in: browsing writes nothing (last-seen was just written).
    for url in ("/", "/accounts/profile/edit/", "/user/alice/", "/accounts/password_change/"):
        assert writes_of(lambda url=url: client.get(url)) == [], url
