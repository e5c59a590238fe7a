"""`{% twofactor_panel %}` on the profile: the panel renders in the page with
the factors the gate read for this request, and with the page-wide names its
templates may use (an inclusion tag sees only what it is given)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.template import Context
from django.test import RequestFactory

from twofactor import session
from twofactor.templatetags.twofactor import twofactor_panel

pytestmark = pytest.mark.django_db


def test_the_panel_gets_the_pages_names_and_the_requests_factors(enrolled_user, settings):
    request = RequestFactory().get(f"/user/{enrolled_user.username}/")
    request.user = enrolled_user
    request.session = SessionStore()
    mine = session.request_factors(request)
    page = Context({"request": request, "user": enrolled_user, "site_name": settings.SITE_NAME})
    panel = twofactor_panel(page)
    assert panel["site_name"] == settings.SITE_NAME
    assert panel["request"] is request and panel["user"] is enrolled_user
    assert panel["factors"] is mine  # the gate's rows, not a second query
    assert panel["enabled"] is True


def test_a_new_default_is_seen_by_the_rest_of_the_request(enrolled_user):
    """The request's factor rows are read again after the default changes."""
    import pyotp
    from django.utils import timezone

    from twofactor import flows
    from twofactor.factors.totp import secrets
    from twofactor.models import Factor, Kind

    Factor.objects.create(
        user=enrolled_user,
        kind=Kind.TOTP,
        data={"secret": secrets.encrypt(pyotp.random_base32()), "last_step": 0},
        confirmed_at=timezone.now(),
    )
    request = RequestFactory().post("/2fa/default/")
    request.user = enrolled_user
    request.session = SessionStore()
    before = {f.kind: f.preferred for f in session.request_factors(request)}
    assert before == {Kind.SMS: True, Kind.TOTP: False}
    assert flows.set_default(request=request, kind=Kind.TOTP)
    after = {f.kind: f.preferred for f in session.request_factors(request)}
    assert after == {Kind.SMS: False, Kind.TOTP: True}
