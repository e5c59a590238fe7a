"""`manage.py twofactor_status` and `manage.py twofactor_disable`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.twofactor.conftest import LOGIN_URL, MASKED, NUMBER, make_device
from twofactor.models import Factor

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(frozen, enrolled_user, user_factory):
    bob = user_factory(username="bob")
    make_device(bob, number="+12025550199", channel="call")
    user_factory(username="carol")
    return enrolled_user, bob


def test_status_lists_every_user(people):
    lines = run("twofactor_status").splitlines()
    assert lines[0].split() == ["USER", "2FA", "FACTORS", "DEFAULT", "CONFIRMED"]
    rows = [line.split("  ") for line in lines[1:]]
    cells = [[c.strip() for c in row if c.strip()] for row in rows]
    assert cells == [
        ["alice", "on", f"sms {MASKED}", "sms", "2030-01-15 09:00"],
        ["bob", "on", "sms +1 ••• ••• 0199 (call)", "sms", "2030-01-15 09:00"],
        ["carol", "off", "-", "-", "-"],
    ]
    assert NUMBER not in "\n".join(lines)
    # The columns line up under their headings.
    for heading in ("2FA", "FACTORS", "DEFAULT", "CONFIRMED"):
        at = lines[0].index(heading)
        assert all(line[at - 2 : at] == "  " and line[at] != " " for line in lines[1:])


def test_status_for_named_users(people):
    lines = run("twofactor_status", "carol", "alice").splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["alice", "carol"]


def test_status_for_an_unknown_user_is_an_error(people):
    with pytest.raises(CommandError, match="No such user: nobody"):
        run("twofactor_status", "alice", "nobody")


def test_an_unconfirmed_device_is_off(user):
    Factor.objects.create(kind="sms", channel="sms", user=user, number=NUMBER)
    lines = run("twofactor_status", "alice").splitlines()
    assert lines[1].split() == ["alice", "off", "-", "-", "-"]


def test_disable_without_input_removes_the_device_and_ends_sessions(
    enrolled_user, signed_in_user_client
):
    out = run("twofactor_disable", "alice", "--no-input")
    assert "Two-factor authentication is off for alice; their sessions have ended." in out
    assert not Factor.objects.phones().filter(user=enrolled_user).exists()
    assert signed_in_user_client.get("/user/alice/")["Location"].startswith(LOGIN_URL)


def test_disable_asks_and_goes_ahead_on_yes(enrolled_user, signed_in_user_client, monkeypatch):
    prompts = []

    def answer(prompt):
        prompts.append(prompt)
        return " YES "

    monkeypatch.setattr("builtins.input", answer)
    out = run("twofactor_disable", "alice")
    assert prompts == [
        f"Remove {MASKED} from alice and end all their sessions? Type 'yes' to continue: "
    ]
    assert "is off for alice" in out
    assert not Factor.objects.phones().filter(user=enrolled_user).exists()
    assert signed_in_user_client.get("/user/alice/")["Location"].startswith(LOGIN_URL)


@pytest.mark.parametrize("reply", ["no", "", "y"])
def test_disable_changes_nothing_unless_the_answer_is_yes(
    enrolled_user, signed_in_user_client, monkeypatch, reply
):
    monkeypatch.setattr("builtins.input", lambda prompt: reply)
    with pytest.raises(CommandError, match="Cancelled; nothing changed."):
        run("twofactor_disable", "alice")
    assert Factor.objects.phones().filter(user=enrolled_user).exists()
    assert signed_in_user_client.get("/user/alice/").status_code == 200


def test_disable_for_an_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match="No such user: nobody"):
        run("twofactor_disable", "nobody", "--no-input")


def test_disable_for_a_user_without_two_factor(user, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("should not ask"))
    out = run("twofactor_disable", "alice")
    assert "Two-factor authentication is already off for alice." in out


def test_twofactor_disable_without_a_terminal_says_so_and_changes_nothing(
    enrolled_user, monkeypatch
):
    def no_terminal(prompt=""):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    with pytest.raises(CommandError, match="Use --no-input"):
        call_command("twofactor_disable", enrolled_user.username)
    assert Factor.objects.phones().filter(user=enrolled_user).exists()
