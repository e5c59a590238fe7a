"""The security activity log: written through one function, seen by the
owner on their profile and by staff in the admin, read-only, pruned by a
command."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts import security
from accounts.models import SecurityEvent
from tests.accounts.test_password import reset_link

Kind = SecurityEvent.Kind
HERE = "203.0.113.9"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"
NEW = "another-long-passphrase-here"

pytestmark = pytest.mark.django_db


def kinds(user=None) -> list[str]:
    events = (
        SecurityEvent.objects.all() if user is None else SecurityEvent.objects.filter(user=user)
    )
    return [e.kind for e in events.order_by("at", "pk")]


def post_login(client, login, password, path="/accounts/login/"):
    return client.post(
        path, {"username": login, "password": password}, REMOTE_ADDR=HERE, HTTP_USER_AGENT=AGENT
    )


def test_a_sign_in_is_recorded_with_address_and_browser(client, user, password):
    post_login(client, "alice", password)
    [event] = SecurityEvent.objects.filter(kind=Kind.SIGN_IN)
    assert (event.user, event.ip, event.user_agent) == (user, HERE, AGENT)
    assert event.details == {"via": "site"}


def test_the_admin_sign_in_is_recorded_too(client, user_factory, password):
    sam = user_factory(username="sam", is_staff=True)
    post_login(client, "sam", password, path="/admin/login/")
    assert SecurityEvent.objects.get(kind=Kind.SIGN_IN).details == {"via": "admin"}
    assert kinds(sam) == [Kind.SIGN_IN]


def test_a_failed_sign_in_is_recorded_against_the_account_it_names(client, user):
    post_login(client, "ALICE@example.com", "wrong password")
    [event] = SecurityEvent.objects.all()
    assert (event.kind, event.user, event.ip) == (Kind.SIGN_IN_FAILED, user, HERE)
    assert event.details == {"via": "site", "known_account": True}


def test_a_failed_sign_in_naming_no_account_keeps_nothing_typed(client, user):
    post_login(client, "my-password-typed-as-login", "wrong password")
    [event] = SecurityEvent.objects.all()
    assert event.user is None
    assert event.details == {"via": "site", "known_account": False}
    stored = f"{event.details} {event.user_agent} {event.ip}"
    assert "my-password-typed-as-login" not in stored
    assert "wrong password" not in stored


def test_a_sign_in_refused_by_the_limit_is_recorded(client, user, password, settings):
    settings.ACCOUNTS_LOGIN_FAILURE_LIMIT = 2
    post_login(client, "alice", "wrong")
    post_login(client, "alice", "wrong")
    assert post_login(client, "alice", password).status_code == 429
    assert kinds(user) == [Kind.SIGN_IN_FAILED, Kind.SIGN_IN_FAILED, Kind.SIGN_IN_LOCKED]


def test_sign_out_and_password_change_are_recorded(client, user, password):
    post_login(client, "alice", password)
    client.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": NEW, "new_password2": NEW},
    )
    client.post("/accounts/logout/")
    assert kinds(user) == [Kind.SIGN_IN, Kind.PASSWORD_CHANGED, Kind.SIGN_OUT]
    # What was typed never reaches the log.
    for event in SecurityEvent.objects.all():
        assert password not in str(event.details) and NEW not in str(event.details)


def test_a_password_reset_is_recorded_when_asked_for_and_when_done(client, user, mailoutbox):
    client.post("/accounts/password_reset/", {"email": "alice@example.com"}, REMOTE_ADDR=HERE)
    client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    form_page = client.get(reset_link(mailoutbox[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert kinds() == [Kind.PASSWORD_RESET_REQUESTED, Kind.PASSWORD_RESET]
    assert SecurityEvent.objects.get(kind=Kind.PASSWORD_RESET_REQUESTED).ip == HERE


def test_record_drops_details_that_name_a_secret(user, caplog):
    event = security.record(
        user=user,
        kind=Kind.TWOFACTOR_CODE_FAILED,
        code="123456",
        new_password="x",
        auth_token="y",
        factor="sms",
        tries_left=3,
        when=timezone.now(),
    )
    assert set(event.details) == {"factor", "tries_left", "when"}
    assert event.details["tries_left"] == 3
    assert isinstance(event.details["when"], str)
    assert "detail 'code' dropped" in caplog.text


def test_record_takes_the_signed_in_user_of_the_request(rf, user):
    request = rf.get("/", REMOTE_ADDR=HERE)
    request.user = user
    event = security.record(request=request, kind=Kind.FACTOR_ADDED, factor="sms")
    assert (event.user, event.ip) == (user, HERE)


def test_record_with_a_staff_actor(user, user_factory):
    staff = user_factory(username="sam", is_staff=True)
    event = security.record(user=user, actor=staff, kind=Kind.TWOFACTOR_RESET_BY_STAFF)
    assert (event.user, event.actor) == (user, staff)


def test_record_never_raises(user, monkeypatch, caplog):
    from django.db import DatabaseError

    def broken(self, *args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(SecurityEvent, "save", broken)
    assert security.record(user=user, kind=Kind.SIGN_IN) is None
    assert "not recorded" in caplog.text


def test_the_kinds_already_include_the_two_factor_ones():
    assert {
        "twofactor_passed",
        "twofactor_code_failed",
        "twofactor_locked",
        "twofactor_send_refused",
        "factor_added",
        "factor_changed",
        "factor_removed",
        "twofactor_reset_by_staff",
        "email_changed",
    } <= set(Kind.values)


def test_the_owner_sees_recent_activity_on_their_profile(client, user, password):
    client.post(
        "/accounts/login/",
        {"username": "alice", "password": password},
        REMOTE_ADDR=HERE,
        HTTP_USER_AGENT="<script>alert(1)</script>",
    )
    response = client.get("/user/alice/")
    text = response.text
    assert "Recent security activity" in text
    assert "Signed in with the password" in text
    assert HERE in text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_profile_shows_the_latest_ten(client_logged_in, user):
    for n in range(12):
        security.record(user=user, kind=Kind.SIGN_IN_FAILED, n=n)
    assert [
        e.details.get("n") for e in client_logged_in.get("/user/alice/").context["security_events"]
    ] == [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]


def test_nobody_else_sees_it(client_logged_in, user, user_factory):
    bob = user_factory(username="bob")
    security.record(user=bob, kind=Kind.SIGN_IN, ip="198.51.100.77")
    response = client_logged_in.get("/user/bob/")
    assert "Recent security activity" not in response.text
    assert "198.51.100.77" not in response.text


def test_staff_see_all_events_read_only_with_filters(admin_client, user):
    security.record(user=user, kind=Kind.SIGN_IN_FAILED)
    security.record(user=user, kind=Kind.PASSWORD_CHANGED)
    changelist = "/admin/accounts/securityevent/"
    everything = admin_client.get(changelist)
    assert everything.status_code == 200
    # Every account's: admin_client's own sign-in is there too.
    assert {(e.user.username, e.kind) for e in everything.context["cl"].result_list} == {
        ("admin", Kind.SIGN_IN),
        ("alice", Kind.SIGN_IN_FAILED),
        ("alice", Kind.PASSWORD_CHANGED),
    }
    filtered = admin_client.get(changelist, {"kind__exact": "password_changed"})
    assert [e.kind for e in filtered.context["cl"].result_list] == [Kind.PASSWORD_CHANGED]
    searched = admin_client.get(changelist, {"q": "alice@example.com"})
    assert len(searched.context["cl"].result_list) == 2
    event = SecurityEvent.objects.first()
    assert admin_client.get(f"{changelist}add/").status_code == 403
    page = admin_client.get(f"{changelist}{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="kind"' not in page.text  # nothing to edit
    assert admin_client.post(f"{changelist}{event.pk}/change/", {}).status_code == 403
    assert admin_client.post(f"{changelist}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.count() == 3


def test_a_plain_user_cannot_open_the_log(client_logged_in):
    response = client_logged_in.get("/admin/accounts/securityevent/")
    assert response.status_code == 302


def test_prune_removes_events_older_than_n_days(user, time_machine):
    now = timezone.now()
    old = security.record(user=user, kind=Kind.SIGN_IN)
    SecurityEvent.objects.filter(pk=old.pk).update(at=now - timedelta(days=31))
    kept = security.record(user=user, kind=Kind.SIGN_IN)
    SecurityEvent.objects.filter(pk=kept.pk).update(at=now - timedelta(days=29))
    out = __import__("io").StringIO()
    call_command("prune_security_events", "--days", "30", stdout=out)
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert "Removed 1 security events older than 30 days." in out.getvalue()


def test_prune_wants_a_positive_number_of_days():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_security_events", "--days", "0")


def test_a_deleted_account_leaves_its_events_for_staff(user):
    security.record(user=user, kind=Kind.SIGN_IN)
    user.delete()
    [event] = SecurityEvent.objects.all()
    assert event.user is None


def test_force_login_is_not_a_client_event(user):
    # The test client's force_login passes a bare request: recorded without address.
    Client().force_login(user)
    assert SecurityEvent.objects.get(kind=Kind.SIGN_IN).ip == ""
