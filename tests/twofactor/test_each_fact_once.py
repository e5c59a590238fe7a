"""Each fact once: where the code went is said once on the code step, whether or
not a message about the send is shown above the form."""

import html
import re

import pytest

from tests.twofactor.conftest import (
    ENABLE_RESEND_URL,
    ENABLE_URL,
    HX,
    MASKED,
    RESEND_URL,
    VERIFY_URL,
)

pytestmark = pytest.mark.django_db

COUNTRY = "US"
NATIONAL = "(201) 555-0123"


def times_said(response, text: str) -> int:
    visible = html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))
    return visible.count(text)


def test_the_enrolment_code_step_names_the_number_once(client_logged_in, settings):
    settings.TWOFACTOR_RESEND_COOLDOWN = 0
    sent = client_logged_in.post(ENABLE_URL, {"country": COUNTRY, "number": NATIONAL}, **HX)
    assert times_said(sent, MASKED) == 1
    again = client_logged_in.post(ENABLE_RESEND_URL, {"channel": "sms"}, **HX)
    assert again.status_code == 200
    assert times_said(again, MASKED) == 1


def test_the_sign_in_code_page_names_the_number_once(half_signed_in_client, settings):
    settings.TWOFACTOR_RESEND_COOLDOWN = 0
    page = half_signed_in_client.get(VERIFY_URL)
    assert times_said(page, MASKED) == 1
    resent = half_signed_in_client.post(RESEND_URL, {"channel": "sms"}, **HX)
    assert resent.status_code == 200
    assert times_said(resent, MASKED) == 1
