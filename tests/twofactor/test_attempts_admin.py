"""Staff's "Text message attempts": Verify's Attempts Summary by country and prefix,
the same figures from the Twilio backend (against the stateful fake) and from
locmem's own records, a clear message when Twilio is down, staff only."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.accounts.html import tags
from tests.twofactor.conftest import CONFIRM_URL, ENABLE_RESEND_URL, ENABLE_URL, page_text
from twofactor.factors.sms.backends import locmem
from twofactor.factors.sms.backends.base import AttemptsFilter
from twofactor.factors.sms.backends.console import ConsoleVerifyBackend
from twofactor.factors.sms.backends.locmem import LocmemVerifyBackend

pytestmark = pytest.mark.django_db

URL = "/admin/twofactor/factor/attempts/"
ROW = re.compile(r"<tr\b.*?</tr>", re.DOTALL)
CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.DOTALL)
GB = ("GB", "7400123456")  # +447400123456
NG = ("NG", "8031234567")  # +2348031234567
US = ("US", "2015550123")  # +12015550123
FR = ("FR", "612345678")  # +33612345678


@pytest.fixture
def staff_client(user_factory, settings) -> Client:
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = False  # test_staff_required.py covers the rule
    client = Client()
    client.force_login(user_factory(username="root", is_staff=True, is_superuser=True))
    return client


def _code_for(fake, number: str) -> str:
    if fake is None:
        return [m for m in locmem.outbox if m.to == number][-1].code
    return fake.last_code(to=number)


def _enrol(user_factory, country_number, *, sends: int = 1, confirm: bool, fake=None) -> None:
    """One user enrols a number: `sends` codes to it, confirmed or walked away from."""
    client = Client()
    client.force_login(user_factory())
    country, national = country_number
    response = client.post(ENABLE_URL, {"country": country, "number": national})
    assert response.status_code == 200, page_text(response)
    for _ in range(sends - 1):
        assert client.post(ENABLE_RESEND_URL, {"channel": "sms"}).status_code == 200
    if confirm:
        number = client.session["twofactor_enrolment"]["number"]
        assert client.post(CONFIRM_URL, {"code": _code_for(fake, number)}).status_code == 302


def _a_wave(user_factory, settings, fake=None) -> None:
    """One confirmed British number; a Nigerian wave of 3 numbers x 2 sends, none
    confirmed; one American number confirmed after 2 sends, one not."""
    settings.TWOFACTOR_RESEND_COOLDOWN = 0
    _enrol(user_factory, GB, confirm=True, fake=fake)
    for national in ("8031234567", "8031234568", "8031234569"):
        _enrol(user_factory, ("NG", national), sends=2, confirm=False, fake=fake)
    _enrol(user_factory, US, sends=2, confirm=True, fake=fake)
    _enrol(user_factory, ("US", "2015550124"), confirm=False, fake=fake)


def _table(response, table_id: str) -> list[list[str]]:
    """The body rows of a table: each cell's text, tags dropped, spaces squeezed."""
    body = page_text(response)
    start = body.index(f'id="{table_id}"')
    table = body[body.index("<tbody>", start) : body.index("</table>", start)]
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in CELL.findall(row)]
        for row in ROW.findall(table)
    ]


def _figures(response) -> list[list[str]]:
    """Each country row: code, prefix, attempts, converted, unconverted, rate."""
    rows = _table(response, "attempts-by-country")
    return [[row[0][-3:-1], *row[1:]] if "(" in row[0] else row for row in rows]


EXPECTED = [
    # Most unconverted first: the wave is the top row.
    ["NG", "+234", "6", "0", "6", "0.0 %"],
    ["US", "+1", "3", "2", "1", "66.7 %"],
    ["GB", "+44", "1", "1", "0", "100.0 %"],
]


def test_locmem_figures(staff_client, user_factory, settings):
    settings.TWOFACTOR_VERIFY_BACKEND = "twofactor.factors.sms.backends.locmem.LocmemVerifyBackend"
    _a_wave(user_factory, settings)
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert _figures(response) == EXPECTED
    assert "10 attempts, 3 converted (30.0 %)." in page_text(response)


def test_the_same_figures_from_twilio(staff_client, user_factory, settings, fake_verify):
    _a_wave(user_factory, settings, fake=fake_verify)
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert _figures(response) == EXPECTED
    assert "10 attempts, 3 converted (30.0 %)." in page_text(response)


def test_a_wave_is_marked(staff_client, user_factory, settings):
    settings.TWOFACTOR_RESEND_COOLDOWN = 0
    settings.TWOFACTOR_SEND_LIMIT = 50
    settings.TWOFACTOR_IP_SEND_LIMIT = 500
    for n in range(10):
        _enrol(user_factory, ("NG", f"80312345{n:02d}"), confirm=False)
    _enrol(user_factory, GB, confirm=True)
    response = staff_client.get(URL)
    body = response.content.decode()
    [marked] = [
        t
        for t in tags(body)
        if t.name == "tr" and "attempts-suspicious" in t.attrs.get("class", "")
    ]
    assert marked is not None
    rows = _table(response, "attempts-by-country")
    assert "low conversion" in " ".join(rows[0]) and "Nigeria" in rows[0][0]
    assert "low conversion" not in " ".join(rows[1])


def test_prefixes_and_asked_countries(staff_client, user_factory, settings):
    _a_wave(user_factory, settings)
    response = staff_client.get(
        URL,
        {
            "since": (timezone.now() - timedelta(days=1)).date().isoformat(),
            "until": timezone.now().date().isoformat(),
            "countries": "fr",  # nothing went there: shown because asked for
            "prefixes": "+23480, +4474",
        },
    )
    assert response.status_code == 200
    assert ["FR", "+33", "0", "0", "0", "—"] in _figures(response)
    assert _table(response, "attempts-by-prefix") == [
        ["+23480", "", "6", "0", "6", "0.0 %"],
        ["+4474", "", "1", "1", "0", "100.0 %"],
    ]


def test_the_date_range_filters(staff_client, user_factory, settings, time_machine):
    settings.TWOFACTOR_VERIFY_BACKEND = "twofactor.factors.sms.backends.locmem.LocmemVerifyBackend"
    time_machine.move_to(timezone.now() - timedelta(days=10))
    _enrol(user_factory, NG, confirm=False)  # 10 days ago: outside the last 7
    time_machine.move_to(timezone.now() + timedelta(days=10))
    _enrol(user_factory, GB, confirm=False)
    response = staff_client.get(URL)  # default: the last 7 days
    assert [row[0] for row in _figures(response)] == ["GB"]
    eleven_days_ago = (timezone.now() - timedelta(days=11)).date().isoformat()
    response = staff_client.get(
        URL, {"since": eleven_days_ago, "until": timezone.now().date().isoformat()}
    )
    assert sorted(row[0] for row in _figures(response)) == ["GB", "NG"]


def test_the_form_defaults_to_the_last_7_days(staff_client):
    response = staff_client.get(URL)
    form = response.context["form"]
    today = timezone.now().date()
    assert form.cleaned_data["since"] == today - timedelta(days=7)
    assert form.cleaned_data["until"] == today


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"since": "2026-13-45", "until": "2026-01-01"}, "Enter a valid date."),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "The start date is after the end date."),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "Choose at most 366 days."),
        (
            {"since": "2026-01-01", "until": "2026-01-02", "countries": "XX"},
            "Not a region code: XX.",
        ),
        ({"since": "2026-01-01", "until": "2026-01-02", "prefixes": "44"}, "Not an E.164 prefix"),
        ({"since": "9999-12-30", "until": "9999-12-31"}, "The end date is in the future."),
    ],
    ids=["bad-date", "backwards", "too-long", "region", "prefix", "calendar-end"],
)
def test_bad_filters_are_a_400_with_the_reason(staff_client, params, said, settings, fake_verify):
    fake_verify.fault(mode="500")  # nothing is asked of Verify for a bad filter
    response = staff_client.get(URL, params)
    assert response.status_code == 400
    assert said in page_text(response)


@pytest.mark.parametrize(
    "fault",
    [
        {"mode": "500"},
        {"mode": "hang", "seconds": 5},
        {"mode": "error", "status": 401, "code": 20003},
    ],
    ids=["500", "timeout", "401"],
)
def test_twilio_down_is_a_clear_message_not_a_500(staff_client, fake_verify, fault, settings):
    fake_verify.fault(**fault)
    response = staff_client.get(URL)
    assert response.status_code == 503
    text = page_text(response)
    assert "The text message service didn't give the figures" in text
    assert settings.TWILIO_AUTH_TOKEN not in text
    assert 'id="attempts-by-country"' not in text


def test_twilio_unreachable(staff_client, fake_verify, settings, closed_port_url):
    settings.TWILIO_VERIFY_API_URL = closed_port_url
    response = staff_client.get(URL)
    assert response.status_code == 503
    assert "could not be reached" in page_text(response)


def test_staff_only(client, user_factory):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(user_factory(username="bob"))
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_the_view_permission_are_refused(client, user_factory, settings):
    from django.contrib.auth.models import Permission

    settings.TWOFACTOR_REQUIRED_FOR_STAFF = False
    clerk = user_factory(username="clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_factor"))
    assert client.get(URL).status_code == 200


def test_staff_without_a_factor_are_sent_to_set_one_up(client, user_factory, settings):
    settings.TWOFACTOR_REQUIRED_FOR_STAFF = True
    client.force_login(user_factory(username="root", is_staff=True, is_superuser=True))
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/2fa/")


def test_the_admins_look_breadcrumbs_and_link(staff_client):
    response = staff_client.get(URL)
    body = response.content.decode()
    assert 'id="site-name"' in body  # admin/base_site.html
    assert '<div class="breadcrumbs">' in body
    assert 'href="/admin/twofactor/"' in body
    index = staff_client.get("/admin/").content.decode()
    assert f'href="{URL}"' in index and "Text message attempts" in index
    app = staff_client.get("/admin/twofactor/").content.decode()
    assert f'href="{URL}"' in app


# The backends' own records (locmem and console share them).


@pytest.mark.parametrize("backend_class", [LocmemVerifyBackend, ConsoleVerifyBackend])
def test_local_backends_count_sends_and_approved_checks(backend_class, capsys):
    backend = backend_class()
    now = timezone.now()
    backend.start(to="+447400123456", channel="sms")
    backend.start(to="+447400123456", channel="sms")  # a resend: a second attempt
    backend.start(to="+2348031234567", channel="sms")
    from twofactor.factors.sms.backends import local

    code = [m for m in local.recent_messages() if m.to == "+447400123456"][0].code
    assert backend.check(to="+447400123456", code=code).ok
    window = {"since": now - timedelta(minutes=1), "until": now + timedelta(minutes=1)}
    every = backend.attempts_summary(where=AttemptsFilter(**window))
    assert (every.total_attempts, every.total_converted) == (3, 2)
    gb = backend.attempts_summary(where=AttemptsFilter(**window, country="GB"))
    assert (gb.total_attempts, gb.total_converted, gb.conversion_rate) == (2, 2, 100.0)
    ng = backend.attempts_summary(where=AttemptsFilter(**window, prefix="+234"))
    assert (ng.total_attempts, ng.total_unconverted) == (1, 1)
    later = backend.attempts_summary(
        where=AttemptsFilter(since=now + timedelta(minutes=1), until=now + timedelta(hours=1))
    )
    assert (later.total_attempts, later.conversion_rate) == (0, None)
