"""Requests a person or a script might send that the flows must not mishandle."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.twofactor.conftest import HX, NUMBER, VERIFY_URL, login, make_device, page_text
from twofactor.factors.sms.backends import locmem


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/2fa/"),
        ("get", "/2fa/enable/"),
        ("get", "/2fa/disable/"),
        ("post", "/2fa/enable/"),
        ("post", "/2fa/enable/confirm/"),
        ("post", "/2fa/enable/resend/"),
        ("post", "/2fa/verify/"),
        ("post", "/2fa/verify/resend/"),
    ],
)
def test_an_htmx_request_from_an_ended_session_is_sent_to_sign_in(client: Client, method, url):
    """Signed out elsewhere or reset by staff: the panel must not receive the
    sign-in page as a fragment."""
    response = getattr(client, method)(url, **HX)
    assert response["HX-Redirect"] == reverse("login")
    assert b"<html" not in response.content


@pytest.mark.django_db
def test_without_htmx_an_ended_session_is_redirected_as_usual(client: Client):
    response = client.get("/2fa/enable/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_head_on_the_code_page_sends_nothing(client: Client, user, password):
    make_device(user)
    login(client, user.username, password)
    response = client.head(VERIFY_URL)
    assert response.status_code == 405
    assert locmem.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/2fa/", "/2fa/enable/", "/2fa/disable/", VERIFY_URL])
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client_logged_in: Client, url, method):
    assert getattr(client_logged_in, method)(url).status_code == 405


@pytest.mark.django_db
def test_digits_of_other_scripts_are_read_as_the_same_code(client: Client, user, password):
    make_device(user)
    login(client, user.username, password)
    client.get(VERIFY_URL)
    code = locmem.outbox[-1].code
    arabic_indic = "".join(chr(0x0660 + int(digit)) for digit in code)
    response = client.post(VERIFY_URL, {"code": arabic_indic, "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_superscripts_are_not_digits(client: Client, user, password):
    make_device(user)
    login(client, user.username, password)
    client.get(VERIFY_URL)
    response = client.post(VERIFY_URL, {"code": "¹²³⁴⁵⁶"})
    assert response.status_code == 422
    assert "Enter the 6-digit code." in page_text(response)


@pytest.mark.django_db
def test_the_verify_locale_is_a_primary_language(client: Client, user, password):
    """Django may use "en-au"; Verify is asked for "en", which it knows."""
    make_device(user)
    login(client, user.username, password)
    client.get(VERIFY_URL, HTTP_ACCEPT_LANGUAGE="en-AU,es-MX;q=0.8")
    assert locmem.locales == ["en"]
    assert locmem.outbox[-1].to == NUMBER
