"""The in-process backends follow Twilio Verify's rules (local, console, locmem)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from twofactor.factors.sms.backends import get_backend, local, locmem
from twofactor.factors.sms.backends.base import Channel, CheckStatus, SendStatus
from twofactor.factors.sms.backends.console import ConsoleVerifyBackend
from twofactor.factors.sms.backends.locmem import LocmemVerifyBackend

NUMBER = "+15555550100"
OTHER = "+15555550199"


@pytest.fixture
def backend() -> LocmemVerifyBackend:
    return LocmemVerifyBackend()


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_start_sends_a_six_digit_code_in_the_documented_body(backend, settings):
    settings.SITE_NAME = "Example Site"
    result = backend.start(to=NUMBER, channel=Channel.SMS)
    assert result.status is SendStatus.SENT
    assert result.sid.startswith("VE")
    [message] = locmem.outbox
    assert message.to == NUMBER
    assert message.channel is Channel.SMS
    assert len(message.code) == 6 and message.code.isdigit()
    assert message.body == f"Your Example Site verification code is {message.code}"


def test_codes_are_random(backend):
    codes = set()
    for n in range(20):
        backend.start(to=f"+1555555{n:04d}", channel=Channel.SMS)
        codes.add(locmem.outbox[-1].code)
    assert len(codes) > 15


def test_right_code_is_approved_once(backend):
    backend.start(to=NUMBER, channel=Channel.SMS)
    code = locmem.outbox[-1].code
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.APPROVED
    # An approved verification is gone: the same code can't be used again.
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.EXPIRED


def test_check_without_a_verification_is_expired(backend):
    assert backend.check(to=NUMBER, code="123456").status is CheckStatus.EXPIRED


def test_code_is_for_its_number_only(backend):
    backend.start(to=NUMBER, channel=Channel.SMS)
    code = locmem.outbox[-1].code
    assert backend.check(to=OTHER, code=code).status is CheckStatus.EXPIRED
    assert backend.check(to=NUMBER, code=code).ok


def test_wrong_code_says_attempts_left_then_too_many_attempts(backend):
    backend.start(to=NUMBER, channel=Channel.SMS)
    code = locmem.outbox[-1].code
    lefts = [backend.check(to=NUMBER, code=wrong(code)) for _ in range(5)]
    assert [r.status for r in lefts] == [CheckStatus.WRONG_CODE] * 5
    assert [r.attempts_left for r in lefts] == [4, 3, 2, 1, 0]
    # The verification is over: even the right code is refused now.
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.TOO_MANY_ATTEMPTS
    # A new start makes a new verification with a fresh code.
    assert backend.start(to=NUMBER, channel=Channel.SMS).ok
    assert backend.check(to=NUMBER, code=locmem.outbox[-1].code).ok


def test_code_with_leading_zeros_and_strings_compare_exactly(backend, monkeypatch):
    monkeypatch.setattr(local, "_new_code", lambda: "000123")
    backend.start(to=NUMBER, channel=Channel.SMS)
    assert backend.check(to=NUMBER, code="123").status is CheckStatus.WRONG_CODE
    assert backend.check(to=NUMBER, code="").status is CheckStatus.WRONG_CODE
    assert backend.check(to=NUMBER, code="000123").ok


def test_start_again_resends_the_same_code_up_to_five_sends(backend, clock):
    sids = set()
    for _ in range(5):
        result = backend.start(to=NUMBER, channel=Channel.SMS)
        assert result.ok
        sids.add(result.sid)
        clock.shift(timedelta(seconds=30))
    assert len({message.code for message in locmem.outbox}) == 1
    assert len(sids) == 1
    sixth = backend.start(to=NUMBER, channel=Channel.CALL)
    assert sixth.status is SendStatus.TOO_MANY_SENDS
    # Created 150 s ago, valid 600 s: another send works in 450 s.
    assert sixth.retry_after == timedelta(seconds=450)
    assert len(locmem.outbox) == 5


def test_sends_allowed_again_once_the_verification_expired(backend, clock):
    for _ in range(5):
        backend.start(to=NUMBER, channel=Channel.SMS)
    clock.shift(timedelta(minutes=10))
    assert backend.start(to=NUMBER, channel=Channel.SMS).ok


def test_code_expires_after_ten_minutes(backend, clock):
    backend.start(to=NUMBER, channel=Channel.SMS)
    code = locmem.outbox[-1].code
    clock.shift(timedelta(minutes=9, seconds=59))
    assert backend.check(to=NUMBER, code=wrong(code)).status is CheckStatus.WRONG_CODE
    clock.shift(timedelta(seconds=1))
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.EXPIRED


def test_start_after_expiry_sends_a_new_code(backend, clock, monkeypatch):
    codes = iter(["111111", "222222"])
    monkeypatch.setattr(local, "_new_code", lambda: next(codes))
    backend.start(to=NUMBER, channel=Channel.SMS)
    clock.shift(timedelta(minutes=11))
    backend.start(to=NUMBER, channel=Channel.SMS)
    assert [m.code for m in locmem.outbox] == ["111111", "222222"]
    assert backend.check(to=NUMBER, code="111111").status is CheckStatus.WRONG_CODE
    assert backend.check(to=NUMBER, code="222222").ok


@pytest.mark.parametrize("number", ["5555550100", "+0555550100", "+1 555 555 0100", "", "+1"])
def test_number_not_in_e164_is_invalid(backend, number):
    assert backend.start(to=number, channel=Channel.SMS).status is SendStatus.INVALID_NUMBER
    assert locmem.outbox == []


def test_call_channel_is_recorded(backend):
    backend.start(to=NUMBER, channel=Channel.CALL)
    assert locmem.outbox[-1].channel is Channel.CALL


def test_recent_messages_newest_first_and_bounded(backend):
    for n in range(local.RECENT_MESSAGES_MAX + 5):
        backend.start(to=f"+1555555{n:04d}", channel=Channel.SMS)
    recent = local.recent_messages()
    assert len(recent) == local.RECENT_MESSAGES_MAX
    assert recent[0].to == f"+1555555{local.RECENT_MESSAGES_MAX + 4:04d}"
    assert recent[0] == locmem.outbox[-1]


def test_reset_forgets_verifications_and_messages(backend):
    backend.start(to=NUMBER, channel=Channel.SMS)
    code = locmem.outbox[-1].code
    locmem.reset()
    assert locmem.outbox == []
    assert local.recent_messages() == []
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.EXPIRED


def test_fail_next_send_applies_once(backend):
    locmem.fail_next_send(SendStatus.BLOCKED)
    assert backend.start(to=NUMBER, channel=Channel.SMS).status is SendStatus.BLOCKED
    assert locmem.outbox == []
    assert backend.start(to=NUMBER, channel=Channel.SMS).ok


def test_fail_next_send_carries_retry_after(backend):
    locmem.fail_next_send(SendStatus.TOO_MANY_SENDS, retry_after=timedelta(minutes=3))
    result = backend.start(to=NUMBER, channel=Channel.SMS)
    assert result.status is SendStatus.TOO_MANY_SENDS
    assert result.retry_after == timedelta(minutes=3)


def test_fail_next_check_applies_once(backend):
    backend.start(to=NUMBER, channel=Channel.SMS)
    code = locmem.outbox[-1].code
    locmem.fail_next_check(CheckStatus.UNAVAILABLE)
    assert backend.check(to=NUMBER, code=code).status is CheckStatus.UNAVAILABLE
    assert backend.check(to=NUMBER, code=code).ok


def test_reset_clears_switches(backend):
    locmem.fail_next_send(SendStatus.UNAVAILABLE)
    locmem.fail_next_check(CheckStatus.UNAVAILABLE)
    locmem.reset()
    assert backend.start(to=NUMBER, channel=Channel.SMS).ok
    assert backend.check(to=NUMBER, code=locmem.outbox[-1].code).ok


def test_console_prints_one_line_per_message(capsys, settings):
    settings.SITE_NAME = "Example Site"
    backend = ConsoleVerifyBackend()
    backend.start(to=NUMBER, channel=Channel.SMS)
    backend.start(to=OTHER, channel=Channel.CALL)
    codes = [m.code for m in reversed(local.recent_messages())]
    assert capsys.readouterr().out.splitlines() == [
        f"[twofactor] sms to {NUMBER}: Your Example Site verification code is {codes[0]}",
        f"[twofactor] call to {OTHER}: Your Example Site verification code is {codes[1]}",
    ]
    assert locmem.outbox == []


def test_console_shares_the_verify_rules(capsys):
    backend = ConsoleVerifyBackend()
    backend.start(to=NUMBER, channel=Channel.SMS)
    assert backend.check(to=NUMBER, code=local.recent_messages()[0].code).ok


def test_get_backend_uses_the_setting(settings):
    settings.TWOFACTOR_VERIFY_BACKEND = (
        "twofactor.factors.sms.backends.console.ConsoleVerifyBackend"
    )
    assert isinstance(get_backend(), ConsoleVerifyBackend)
    settings.TWOFACTOR_VERIFY_BACKEND = "twofactor.factors.sms.backends.locmem.LocmemVerifyBackend"
    assert isinstance(get_backend(), LocmemVerifyBackend)


def test_describe_service_says_nothing_is_sent():
    assert "nothing is sent" in LocmemVerifyBackend().describe_service()
