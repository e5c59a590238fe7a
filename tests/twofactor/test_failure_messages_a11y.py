"""A failed step's message is tied to its input, like a form error, so a
screen reader reads it with the field."""

import pytest
from django.test import Client
from django.urls import reverse

from twofactor.factors.sms.backends import SendStatus, locmem


def _attrs_of(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[html.rindex("<input", 0, start) : html.index(">", start)]


@pytest.mark.django_db
def test_wrong_enrolment_code_describes_the_code_field(client: Client, user):
    client.force_login(user)
    client.post(reverse("twofactor:enable"), {"country": "US", "number": "2015550123"})
    response = client.post(
        reverse("twofactor:enable_confirm"), {"code": "000000"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'id="panel-status"' in html
    code_input = _attrs_of(html, "code")
    assert 'aria-describedby="panel-status"' in code_input
    assert 'aria-invalid="true"' in code_input


@pytest.mark.django_db
def test_failed_send_describes_the_number_field(client: Client, user):
    client.force_login(user)
    locmem.fail_next_send(SendStatus.BLOCKED)
    response = client.post(reverse("twofactor:enable"), {"country": "US", "number": "2015550123"})
    number_input = _attrs_of(response.content.decode(), "number")
    assert 'aria-describedby="panel-status"' in number_input
    assert 'value="2015550123"' in number_input


@pytest.mark.django_db
def test_wrong_sign_in_code_describes_the_code_field(client: Client, user_factory, password):
    from twofactor.models import Factor

    owner = user_factory()
    Factor.objects.create(
        kind="sms",
        channel="sms",
        user=owner,
        number="+12015550123",
        confirmed_at="2026-01-01T00:00Z",
    )
    client.post(reverse("login"), {"username": owner.username, "password": password})
    client.get(reverse("twofactor:verify"))
    response = client.post(reverse("twofactor:verify"), {"code": "000000"})
    code_input = _attrs_of(response.content.decode(), "code")
    assert 'aria-describedby="code-status"' in code_input
    assert 'aria-invalid="true"' in code_input


@pytest.mark.django_db
def test_first_visit_has_no_error_ties(client: Client, user):
    client.force_login(user)
    response = client.get(reverse("twofactor:enable"))
    assert "aria-invalid" not in _attrs_of(response.content.decode(), "number")
