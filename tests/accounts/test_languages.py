"""The site in English, German and Spanish: the switcher in the footer, the
cookie that remembers the choice, <html lang>, and what follows the active
language (pages, emails, the Verify locale)."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import background
from tests.accounts.html import find
from tests.test_deploy_checks import BASE, ROOT, documented_production
from tests.twofactor.conftest import VERIFY_URL, login, make_device, page_text
from twofactor.factors.sms.backends import locmem

LOGIN = "/accounts/login/"


def choose(client: Client, language: str, next_url: str = LOGIN):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_the_languages_are_named_in_themselves():
    assert settings.LANGUAGES == [("en", "English"), ("de", "Deutsch"), ("es", "Español")]


@pytest.mark.django_db
def test_the_switcher_is_a_form_that_needs_no_script(client: Client):
    page = client.get(LOGIN)
    [form] = find(page.content, "form", action=reverse("set_language"))
    assert form.attrs["method"] == "post"
    hidden = {(t.attrs.get("name"), t.attrs.get("value")) for t in find(page.content, "input")}
    assert ("next", LOGIN) in hidden
    assert "csrfmiddlewaretoken" in {name for name, _ in hidden}
    options = find(page.content, "option")
    assert [(o.attrs["value"], o.attrs["lang"]) for o in options] == [
        ("en", "en"),
        ("de", "de"),
        ("es", "es"),
    ]
    [selected] = [o for o in options if "selected" in o.attrs]
    assert selected.attrs["value"] == "en"
    [label] = find(page.content, "label", **{"for": "language-choice"})
    assert label.text == "Language"
    [select] = find(page.content, "select", id="language-choice")
    assert select.attrs["name"] == "language"


@pytest.mark.django_db
def test_choosing_german_remembers_it_in_the_cookie(client: Client):
    response = choose(client, "de")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "de"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"

    page = client.get(LOGIN)
    assert find(page.content, "html", lang="de")
    # Each language keeps its own name in the switcher ("English", not "Englisch").
    assert [o.attrs["lang"] for o in find(page.content, "option")] == ["en", "de", "es"]
    assert '<option value="en" lang="en">English</option>' in page.text
    assert '<option value="es" lang="es">Español</option>' in page.text
    text = page_text(page)
    assert "Melden Sie sich mit Ihrem Benutzernamen" in text
    [selected] = [o for o in find(page.content, "option") if "selected" in o.attrs]
    assert selected.attrs["value"] == "de"
    # Django's own strings come in German too (a form error).
    refused = client.post(LOGIN, {"username": "", "password": ""})
    assert "Dieses Feld ist zwingend erforderlich." in page_text(refused)


@pytest.mark.django_db
def test_the_cookie_wins_over_the_browser_language(client: Client):
    choose(client, "es")
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="de")
    assert find(page.content, "html", lang="es")
    assert "Inicie sesión con su nombre de usuario" in page_text(page)
    choose(client, "en")
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="de")
    assert find(page.content, "html", lang="en")


@pytest.mark.django_db
def test_without_a_choice_the_browser_language_is_used(client: Client):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert find(page.content, "html", lang="es")
    assert "Iniciar sesión" in page_text(page)


@pytest.mark.django_db
def test_an_unknown_language_or_a_foreign_next_changes_nothing_harmful(client: Client):
    response = choose(client, "xx", next_url="https://evil.example/")
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_switcher_only_answers_post(client: Client):
    assert client.get(reverse("set_language"), {"language": "de"}).status_code == 405


@pytest.mark.django_db
def test_a_session_waiting_for_its_code_can_switch_and_sees_the_code_page_in_german(
    client: Client, user, password
):
    make_device(user)
    login(client, user.username, password)
    response = choose(client, "de", next_url=VERIFY_URL)
    # Not sent to the code page by the gate: the switch itself went through.
    assert response["Location"] == VERIFY_URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = client.get(VERIFY_URL)
    assert find(page.content, "html", lang="de")
    assert "Code eingeben" in page_text(page)


@pytest.mark.django_db
def test_a_german_request_asks_verify_for_german(client: Client, user, password):
    make_device(user)
    choose(client, "de")
    login(client, user.username, password)
    client.get(VERIFY_URL)
    assert locmem.locales == ["de"]
    assert locmem.outbox


@pytest.mark.django_db
def test_the_password_reset_email_is_in_the_language_of_the_request(client: Client, user):
    settings_site = settings.SITE_NAME
    choose(client, "de")
    client.post("/accounts/password_reset/", {"email": user.email})
    [message] = mail.outbox
    assert message.subject == f"Setzen Sie Ihr Passwort bei {settings_site} zurück"
    assert "Jemand hat das Zurücksetzen des Passworts Ihres Kontos" in message.body
    [(html, _)] = message.alternatives
    assert "Neues Passwort wählen" in html
    # The next request in English gets an English email.
    mail.outbox.clear()
    choose(client, "en")
    client.post("/accounts/password_reset/", {"email": user.email})
    assert mail.outbox[0].subject == f"Reset your password on {settings_site}"


@pytest.mark.django_db(transaction=True)
def test_a_background_job_runs_in_the_language_of_its_request(settings):
    """accounts/background.py: the email thread starts after the response, when
    the request's language is no longer active; it must carry it over."""
    from django.http import HttpResponse

    settings.ACCOUNTS_EMAIL_IN_BACKGROUND = True
    seen = []
    with translation.override("es"):
        response = background.run_after_response(
            HttpResponse(), lambda: seen.append(translation.get_language()), name="probe"
        )
    with translation.override("en"):
        response.close()
        background.wait_for_jobs()
    assert seen == ["es"]


def test_production_language_cookie_is_host_prefixed_and_secure():
    code = (
        "from django.conf import settings as s; print(s.LANGUAGE_COOKIE_NAME,"
        " s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY, s.LANGUAGE_COOKIE_SAMESITE)"
    )
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env = {
        **base,
        **BASE,
        **documented_production(),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd="/", capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["__Host-language", "True", "True", "Lax"]
    # Trying `make serve` on plain HTTP (README): the language cookie follows the session's.
    env["SESSION_COOKIE_SECURE"] = "0"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd="/", capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django_language", "False"]


@pytest.mark.django_db
def test_the_countdown_wording_keeps_its_placeholder_in_german(client: Client, user, password):
    """twofactor.js puts the seconds left in place of __N__: the German wording
    must keep it (it is its own msgid, with a context, for that reason)."""
    make_device(user)
    choose(client, "de")
    login(client, user.username, password)
    page = client.get(VERIFY_URL)
    [hint] = find(page.content, "p", id="resend-hint")
    assert (
        hint.attrs["data-hint-other"] == "Sie können in __N__ Sekunden einen neuen Code anfordern."
    )
    assert hint.attrs["data-hint-one"] == "Sie können in 1 Sekunde einen neuen Code anfordern."


@pytest.mark.django_db
def test_the_last_use_of_a_session_reads_in_spanish_word_order(client: Client, user):
    """ "hace 5 minutos": the whole sentence is one msgid, so the words can move."""
    client.force_login(user)
    choose(client, "es", next_url=f"/user/{user.username}/")
    page = page_text(client.get(f"/user/{user.username}/"))
    assert re.search(r'Último uso hace <time datetime="[^"]+">[^<]+</time>', page)
