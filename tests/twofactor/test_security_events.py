"""Two-factor writes its events to the security activity log (through
`accounts.security.record`): a code passed or failed, a lock, a send refused,
every factor change, a staff reset with the staff user; never a code."""

import pytest

from accounts.models import SecurityEvent
from tests.twofactor.conftest import (
    ENABLE_URL,
    HX,
    NUMBER,
    OTHER_NUMBER,
    VERIFY_URL,
    last_code,
    login,
    pass_code,
    wrong_code,
)
from twofactor.factors.sms.backends import locmem

Kind = SecurityEvent.Kind


def kinds(user) -> list[str]:
    return list(
        SecurityEvent.objects.filter(user=user).order_by("at", "pk").values_list("kind", flat=True)
    )


def test_a_passed_code_is_logged(client, enrolled_user, password):
    login(client, enrolled_user.username, password)
    pass_code(client)
    event = SecurityEvent.objects.filter(user=enrolled_user, kind=Kind.TWOFACTOR_PASSED).get()
    assert event.details == {"factor": "sms"}
    assert event.ip == "127.0.0.1"


def test_wrong_codes_and_the_lock_are_logged_without_the_code(
    client, enrolled_user, password, settings
):
    settings.TWOFACTOR_CHECK_LIMIT = 2
    login(client, enrolled_user.username, password)
    client.get(VERIFY_URL)
    bad = wrong_code(last_code())
    client.post(VERIFY_URL, {"code": bad})
    client.post(VERIFY_URL, {"code": bad})
    logged = kinds(enrolled_user)
    assert logged.count(Kind.TWOFACTOR_CODE_FAILED) == 2
    assert Kind.TWOFACTOR_LOCKED in logged
    for event in SecurityEvent.objects.filter(user=enrolled_user):
        assert bad not in str(event.details)


def test_a_refused_send_is_logged(client, enrolled_user, password, settings):
    settings.TWOFACTOR_RESEND_COOLDOWN = 30
    login(client, enrolled_user.username, password)
    client.get(VERIFY_URL)
    assert client.post("/2fa/verify/resend/", {"channel": "sms"}).status_code == 429
    event = SecurityEvent.objects.filter(user=enrolled_user, kind=Kind.TWOFACTOR_SEND_REFUSED).get()
    assert event.details["reason"] == "cooldown"


def test_factor_changes_are_logged(client_logged_in, user, password):
    client_logged_in.post(ENABLE_URL, {"country": "US", "number": NUMBER[2:]}, **HX)
    client_logged_in.post("/2fa/enable/confirm/", {"code": last_code()}, **HX)
    locmem.outbox.clear()
    client_logged_in.post(
        ENABLE_URL, {"country": "US", "number": OTHER_NUMBER[2:], "password": password}, **HX
    )
    client_logged_in.post("/2fa/enable/confirm/", {"code": last_code()}, **HX)
    client_logged_in.post("/2fa/disable/", {"password": password}, **HX)
    events = list(SecurityEvent.objects.filter(user=user).order_by("at", "pk"))
    changes = [(e.kind, e.details.get("change")) for e in events if e.kind.startswith("factor")]
    assert changes == [
        (Kind.FACTOR_ADDED, "enabled"),
        (Kind.FACTOR_CHANGED, "number_changed"),
        (Kind.FACTOR_REMOVED, "disabled"),
    ]
    added = next(e for e in events if e.kind == Kind.FACTOR_ADDED)
    assert added.details["number"] == "+1 ••• ••• 0123"


@pytest.mark.django_db
def test_a_staff_reset_names_the_staff_user(admin_client, admin_user, enrolled_user):
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [enrolled_user.pk], "post": "yes"},
    )
    assert response.status_code == 302
    event = SecurityEvent.objects.filter(
        user=enrolled_user, kind=Kind.TWOFACTOR_RESET_BY_STAFF
    ).get()
    assert event.actor == admin_user
