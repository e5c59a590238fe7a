"""Every page names the site by SITE_NAME (in <title> and the navbar), never by the
request's host, and has a <meta name="description"> of its own.

The pages are found by walking the URL configuration, so a page added later is
checked without being listed here; the ones with arguments are added by hand.
"""

import re
from html import unescape

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts.html import tags
from tests.twofactor.conftest import login, make_device

SITE = "Example Site"
BRAND = re.compile(r'<a class="navbar-brand" href="/">([^<]*)</a>')


@pytest.fixture(autouse=True)
def _site_name(settings):
    settings.SITE_NAME = SITE


def plain_paths(patterns=None, prefix: str = "") -> list[str]:
    """The site's URL paths that take no argument (the admin has its own test)."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    found = []
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            found += plain_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and "(" not in route:
            found.append("/" + prefix + route)
    return found


def html_pages(client: Client, paths) -> dict[str, object]:
    pages = {}
    for path in paths:
        response = client.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[path] = response
    return pages


@pytest.fixture
def every_page(client, user_factory, password, settings) -> dict[str, object]:
    alice = user_factory(username="alice")
    paths = plain_paths()
    pages = {f"signed out {p}": r for p, r in html_pages(client, paths).items()}
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    confirm = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    pages["reset link, valid"] = confirm
    pages["reset link, invalid"] = client.get("/accounts/reset/MQ/bad-token/")
    pages["404"] = client.get("/no-such-page/")
    settings.DEBUG = True  # only for the development outbox (DEBUG also changes the 404 page)
    pages["development outbox"] = client.get("/dev/outbox/")
    settings.DEBUG = False
    pages["sign in with an error"] = client.post(
        "/accounts/login/", {"username": "alice", "password": "wrong"}
    )

    client.force_login(alice)
    pages |= {f"signed in {p}": r for p, r in html_pages(client, paths).items()}
    pages["own profile"] = client.get("/user/alice/")
    pages["other profile"] = client.get(f"/user/{user_factory().username}/")

    pending = Client()
    make_device(user_factory(username="carol"))
    assert login(pending, "carol", password).status_code == 302
    pages |= {f"code pending {p}": r for p, r in html_pages(pending, paths).items()}
    return pages


def head(response) -> tuple[str, str | None, str]:
    # The document's own <head> (an inline SVG in the body, such as the app's
    # QR code, has a <title> of its own).
    page = tags(response.content.decode().split("</head>", 1)[0])
    [title] = [t for t in page if t.name == "title"]
    descriptions = [t for t in page if t.name == "meta" and t.attrs.get("name") == "description"]
    assert len(descriptions) == 1, response.content[:300]
    brand = BRAND.findall(response.content.decode())
    return title.text.strip(), descriptions[0].attrs.get("content"), brand


@pytest.mark.django_db
def test_the_walk_finds_the_pages(every_page):
    for must in (
        "signed out /accounts/login/",
        "signed out /accounts/register/",
        "signed out /accounts/password_reset/",
        "signed in /accounts/password_change/",
        "signed in /2fa/",
        "development outbox",
        "code pending /2fa/verify/",
    ):
        assert must in every_page, sorted(every_page)
    assert len(every_page) >= 20


@pytest.mark.django_db
def test_every_page_names_the_site_by_site_name(every_page):
    for name, response in every_page.items():
        title, _, brand = head(response)
        assert unescape(title).endswith(f" · {SITE}"), (name, title)
        assert "testserver" not in title, (name, title)
        assert brand == [SITE], (name, brand)


@pytest.mark.django_db
def test_the_sign_in_page_in_particular(client):
    # Django's LoginView puts the host in `site_name`; the site puts its own back.
    title, _, brand = head(client.get("/accounts/login/"))
    assert title == f"Sign in · {SITE}"
    assert brand == [SITE]


@pytest.mark.django_db
def test_every_page_has_a_description(every_page):
    for name, response in every_page.items():
        _, description, _ = head(response)
        assert description and len(description.strip()) > 20, (name, description)


@pytest.mark.django_db
def test_the_main_pages_describe_themselves(every_page):
    main = [
        "signed out /",
        "signed out /accounts/login/",
        "signed out /accounts/register/",
        "signed out /accounts/password_reset/",
        "signed in /accounts/password_change/",
        "signed in /accounts/profile/edit/",
        "own profile",
        "signed in /2fa/",
        "code pending /2fa/verify/",
    ]
    descriptions = [head(every_page[name])[1] for name in main]
    assert len(set(descriptions)) == len(main), dict(zip(main, descriptions, strict=True))
    # None of them falls back on base.html's description for the whole site.
    default = re.search(
        r'<meta name="description" content="([^"]*)"',
        render_to_string("base.html", {"site_name": SITE}),
    ).group(1)
    assert default not in descriptions
