"""The profile lists the user's signed-in sessions (browser, address, last
used) with "Sign out" for each and "Sign out everywhere else"."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.active_sessions import browser_label
from accounts.models import ActiveSession
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
EDGE = CHROME_WINDOWS + " Edg/126.0.0.0"


def signed_in(user, *, agent: str, ip: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize(
    "agent, label",
    [
        (FIREFOX, "Firefox on Linux"),
        (SAFARI_IPHONE, "Safari on iOS"),
        (CHROME_WINDOWS, "Chrome on Windows"),
        (EDGE, "Edge on Windows"),
        ("", "Unknown browser"),
    ],
)
def test_browser_labels(agent, label):
    assert browser_label(agent) == label


def test_the_profile_lists_each_session_with_this_one_first(user):
    laptop = signed_in(user, agent=FIREFOX, ip="198.51.100.7")
    signed_in(user, agent=SAFARI_IPHONE, ip="203.0.113.5")
    page = laptop.get("/user/alice/").text
    assert page.index("Firefox on Linux") < page.index("Safari on iOS")
    assert "From 198.51.100.7" in page and "From 203.0.113.5" in page
    assert "This browser" in page
    assert page.count('Sign out<span class="visually-hidden">') == 1  # not this one
    assert "Sign out everywhere else" in page
    assert "Places aren" in page  # says why there is no place


def test_signing_out_another_session_ends_it(user):
    laptop = signed_in(user, agent=FIREFOX, ip="198.51.100.7")
    phone = signed_in(user, agent=SAFARI_IPHONE, ip="203.0.113.5")
    row = ActiveSession.objects.get(user_agent=SAFARI_IPHONE)
    response = laptop.post(f"/accounts/sessions/{row.pk}/sign-out/", follow=True)
    assert "That session is signed out." in response.text
    assert phone.get("/accounts/profile/edit/").status_code == 302  # back to sign in
    assert laptop.get("/accounts/profile/edit/").status_code == 200
    assert not ActiveSession.objects.filter(pk=row.pk).exists()


def test_you_cannot_sign_out_someone_elses_session_or_this_one(user, user_factory):
    bob = user_factory(username="bob")
    laptop = signed_in(user, agent=FIREFOX, ip="198.51.100.7")
    signed_in(bob, agent=FIREFOX, ip="198.51.100.8")
    bobs = ActiveSession.objects.get(user=bob)
    assert laptop.post(f"/accounts/sessions/{bobs.pk}/sign-out/").status_code == 404
    own = ActiveSession.objects.get(user=user)
    assert laptop.post(f"/accounts/sessions/{own.pk}/sign-out/").status_code == 404
    assert laptop.get(f"/accounts/sessions/{own.pk}/sign-out/").status_code == 405
    assert Session.objects.count() == 2


def test_sign_out_everywhere_else_keeps_only_this_session(user):
    laptop = signed_in(user, agent=FIREFOX, ip="198.51.100.7")
    phone = signed_in(user, agent=SAFARI_IPHONE, ip="203.0.113.5")
    tablet = signed_in(user, agent=CHROME_WINDOWS, ip="203.0.113.6")
    response = laptop.post("/accounts/sessions/sign-out-others/", follow=True)
    assert "signed out everywhere else (2 other sessions)" in response.text
    for other in (phone, tablet):
        assert other.get("/accounts/profile/edit/").status_code == 302
    assert laptop.get("/accounts/profile/edit/").status_code == 200
    assert list(ActiveSession.objects.values_list("user_agent", flat=True)) == [FIREFOX]


def test_ended_sessions_drop_off_the_list(user):
    laptop = signed_in(user, agent=FIREFOX, ip="198.51.100.7")
    phone = signed_in(user, agent=SAFARI_IPHONE, ip="203.0.113.5")
    phone.post("/accounts/logout/")
    assert "Safari on iOS" not in laptop.get("/user/alice/").text
    signed_in(user, agent=CHROME_WINDOWS, ip="203.0.113.6")
    # A password change ends the other sessions (Django's session hash).
    new = "another-long-unusual-passphrase"
    laptop.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert "Chrome on Windows" not in laptop.get("/user/alice/").text
    assert ActiveSession.objects.filter(user=user).count() == 1


def test_the_row_follows_the_key_the_two_factor_step_rotates(user):
    from django.conf import settings

    from tests.twofactor.conftest import make_device, pass_code

    make_device(user)
    enrolled_user = user

    client = signed_in(enrolled_user, agent=FIREFOX, ip="198.51.100.7")
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert pass_code(client).status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before  # the code rotated the session key
    client.get("/")
    assert ActiveSession.objects.get(user=enrolled_user).session_key == after
    assert "This browser" in client.get(f"/user/{enrolled_user.username}/").text


def test_the_other_sessions_are_checked_in_one_query_however_many(user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    laptop = signed_in(user, agent=FIREFOX, ip="198.51.100.7")
    laptop.get("/user/alice/")

    def session_reads() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert laptop.get("/user/alice/").status_code == 200
        return sum('FROM "django_session"' in q["sql"] for q in captured.captured_queries)

    signed_in(user, agent=SAFARI_IPHONE, ip="203.0.113.5")
    with_one_other = session_reads()
    for n in range(4):
        signed_in(user, agent=CHROME_WINDOWS, ip=f"203.0.113.{10 + n}")
    assert session_reads() == with_one_other
    assert laptop.get("/user/alice/").text.count("<strong>Chrome on Windows</strong>") == 4


def test_a_session_signed_in_as_someone_else_since_is_not_listed(user, user_factory):
    """The row's session key now holds another user's sign-in (or was cut
    short by an expiry): it is not this user's session any more."""
    laptop = signed_in(user, agent=FIREFOX, ip="198.51.100.7")
    phone = signed_in(user, agent=SAFARI_IPHONE, ip="203.0.113.5")
    row = ActiveSession.objects.get(user=user, user_agent=SAFARI_IPHONE)
    session = Session.objects.get(session_key=row.session_key)
    data = session.get_decoded()
    data["_auth_user_id"] = str(user_factory(username="bob").pk)
    Session.objects.filter(pk=session.pk).update(session_data=phone.session.encode(data))
    assert "Safari on iOS" not in laptop.get("/user/alice/").text
    assert not ActiveSession.objects.filter(pk=row.pk).exists()
