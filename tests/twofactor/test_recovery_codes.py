"""Recovery codes: made after two-factor is on, shown once, stored as hashes,
a new set needs the password and kills the old one, each code signs in once
(also under two requests at once, on PostgreSQL), the owner is emailed and
told how many are left."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD
from tests.threads import all_at_once
from tests.twofactor.conftest import HX, VERIFY_URL, login, page_text, pass_code
from twofactor import session
from twofactor.factors.recovery import codes
from twofactor.factors.recovery.flows import remaining
from twofactor.models import Factor, Kind

RECOVERY_URL = "/2fa/recovery/"
CODE_RE = r"[2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4}"


def make_codes(client: Client, password: str = PASSWORD) -> list[str]:
    import re

    response = client.post(RECOVERY_URL, {"password": password}, **HX)
    assert response.status_code == 200, page_text(response)
    found = re.findall(CODE_RE, page_text(response))
    assert len(found) == 10
    return found


def recovery(user) -> Factor | None:
    return Factor.objects.filter(user=user, kind=Kind.RECOVERY).first()


def test_codes_are_easy_to_type_and_carry_at_least_64_bits():
    made = codes.generate()
    assert len(made) == len(set(made)) == 10
    import math

    for code in made:
        assert len(code) == 19 and code.count("-") == 3
        assert not set(codes.normalise(code)) - set(codes.ALPHABET)
    assert not set("01ilo") & set(codes.ALPHABET)
    assert codes.LENGTH * math.log2(len(codes.ALPHABET)) >= 64


def test_typing_is_forgiving_about_case_spaces_and_dashes():
    code = codes.generate(1)[0]
    stored = codes.digest(code)
    assert codes.matches(code.upper().replace("-", " "), stored)
    assert not codes.matches(codes.generate(1)[0], stored)


def test_a_rotated_secret_key_still_matches(settings):
    code = codes.generate(1)[0]
    stored = codes.digest(code)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789abcdef"
    assert codes.matches(code, stored)


def test_not_offered_while_two_factor_is_off(client_logged_in, user):
    response = client_logged_in.post(RECOVERY_URL, **HX)
    assert response.status_code == 422
    assert "Turn two-factor authentication on first." in page_text(response)
    assert recovery(user) is None


def test_made_after_enabling_shown_once_stored_as_hashes(signed_in_client, enrolled_user):
    panel = page_text(signed_in_client.get("/2fa/", **HX))
    assert "Make recovery codes" in panel
    made = make_codes(signed_in_client)
    stored = recovery(enrolled_user)
    assert remaining(stored) == 10
    dump = str(stored.data)
    assert not any(code in dump or codes.normalise(code) in dump for code in made)
    # Shown once: the panel never shows them again.
    again = page_text(signed_in_client.get("/2fa/", **HX))
    assert not any(code in again for code in made)
    assert "10 codes left." in again
    # The owner is told.
    assert "You have new recovery codes" in mail.outbox[-1].subject


def test_making_codes_needs_the_password(signed_in_client, enrolled_user):
    response = signed_in_client.post(RECOVERY_URL, {"password": "wrong"}, **HX)
    assert response.status_code == 422
    assert "That password isn't right." in page_text(response)
    assert recovery(enrolled_user) is None


def test_a_new_set_needs_the_password_and_kills_the_old_one(
    signed_in_client, enrolled_user, password
):
    old = make_codes(signed_in_client)
    response = signed_in_client.post(RECOVERY_URL, {"password": "wrong"}, **HX)
    assert response.status_code == 422
    assert "That password isn't right." in page_text(response)
    assert codes.matches(old[0], recovery(enrolled_user).data["codes"][0]["hash"])
    new = make_codes(signed_in_client, password)
    hashes = [entry["hash"] for entry in recovery(enrolled_user).data["codes"]]
    assert not any(codes.matches(code, h) for code in old for h in hashes)
    assert any(codes.matches(new[0], h) for h in hashes)


def test_a_new_set_sends_other_sessions_back_to_the_code_page(
    signed_in_client, signed_in_user_client
):
    make_codes(signed_in_client)
    assert signed_in_client.get("/").status_code == 200
    assert signed_in_user_client.get("/")["Location"].startswith(VERIFY_URL)


@pytest.fixture
def saved_codes(signed_in_client, enrolled_user) -> list[str]:
    made = make_codes(signed_in_client)
    signed_in_client.post("/accounts/logout/")
    mail.outbox.clear()
    return made


def test_lost_your_phone_signs_in_with_a_recovery_code(
    client, enrolled_user, password, saved_codes
):
    login(client, enrolled_user.username, password)
    page = page_text(client.get(VERIFY_URL))
    assert "Lost your phone?" in page and f"{VERIFY_URL}?factor=recovery" in page
    form = page_text(client.get(f"{VERIFY_URL}?factor=recovery", **HX))
    assert "Enter one of your recovery codes." in form
    assert 'inputmode="numeric"' not in form
    response = client.post(VERIFY_URL, {"factor": "recovery", "code": saved_codes[3].upper()})
    assert response.status_code == 302
    assert session.PASSED in client.session
    assert remaining(recovery(enrolled_user)) == 9
    assert "A recovery code was used to sign in" in mail.outbox[-1].subject
    assert "9 recovery codes are left" in mail.outbox[-1].body
    home = page_text(client.get("/"))
    assert "You signed in with a recovery code. 9 recovery codes are left." in home


def test_a_used_code_never_works_again(client, enrolled_user, password, saved_codes):
    login(client, enrolled_user.username, password)
    client.post(VERIFY_URL, {"factor": "recovery", "code": saved_codes[0]})
    client.post("/accounts/logout/")
    login(client, enrolled_user.username, password)
    response = client.post(VERIFY_URL, {"factor": "recovery", "code": saved_codes[0]})
    assert response.status_code == 422
    assert "That code isn't right." in page_text(response)
    assert session.PASSED not in client.session


def test_two_or_fewer_left_suggests_a_new_set(client, enrolled_user, password, saved_codes):
    for code in saved_codes[:8]:
        login(client, enrolled_user.username, password)
        assert client.post(VERIFY_URL, {"factor": "recovery", "code": code}).status_code == 302
        client.post("/accounts/logout/")
    login(client, enrolled_user.username, password)
    client.post(VERIFY_URL, {"factor": "recovery", "code": saved_codes[8]})
    home = page_text(client.get("/"))
    assert "1 recovery code is left. Make a new set from your profile now" in home


def test_wrong_recovery_codes_count_towards_the_account_lock(
    client, enrolled_user, password, saved_codes, settings
):
    settings.TWOFACTOR_CHECK_LIMIT = 3
    login(client, enrolled_user.username, password)
    statuses = [
        client.post(VERIFY_URL, {"factor": "recovery", "code": codes.generate(1)[0]}).status_code
        for _ in range(3)
    ]
    assert statuses == [422, 422, 429]
    # Locked for every factor, the right recovery code included.
    response = client.post(VERIFY_URL, {"factor": "recovery", "code": saved_codes[0]})
    assert response.status_code == 429
    assert session.PASSED not in client.session


def test_malformed_recovery_code_is_a_form_error(client, enrolled_user, password, saved_codes):
    login(client, enrolled_user.username, password)
    response = client.post(VERIFY_URL, {"factor": "recovery", "code": "123456"})
    assert response.status_code == 422
    assert "Enter a recovery code: 16 letters and digits" in page_text(response)


def test_the_sms_code_still_works_beside_recovery_codes(
    client, enrolled_user, password, saved_codes
):
    login(client, enrolled_user.username, password)
    assert pass_code(client).status_code == 302


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_code_used_by_two_requests_at_once_signs_in_once(user_factory, password):
    from django.db.models.signals import post_save  # noqa: F401 - the real stack, no mocks
    from django.utils import timezone

    assert connection.vendor == "postgresql"
    user = user_factory()
    Factor.objects.create(
        user=user,
        kind=Kind.SMS,
        number="+12015550123",
        channel="sms",
        confirmed_at=timezone.now(),
        preferred=True,
    )
    code = codes.generate(1)[0]
    Factor.objects.create(
        user=user,
        kind=Kind.RECOVERY,
        confirmed_at=timezone.now(),
        data={"codes": [{"hash": codes.digest(code), "used_at": None}]},
    )
    clients = []
    for _ in range(2):
        one = Client()
        login(one, user.username, password)
        clients.append(one)
    statuses = all_at_once(
        2, lambda i: clients[i].post(VERIFY_URL, {"factor": "recovery", "code": code}).status_code
    )
    assert sorted(statuses) == [302, 422]
    assert remaining(Factor.objects.get(user=user, kind=Kind.RECOVERY)) == 0
