"""The admin names the site by SITE_NAME, loads the site's admin styles, and the
two-factor reset's confirmation page has the admin's breadcrumbs."""

import re
from pathlib import Path

import pytest
from django.contrib.admin import helpers

from tests.accounts.html import tags

SITE = "Example Site"


@pytest.fixture(autouse=True)
def _site_name(settings):
    settings.SITE_NAME = SITE


def title(response) -> str:
    [tag] = [t for t in tags(response.content) if t.name == "title"]
    return tag.text.strip()


@pytest.mark.django_db
def test_the_admin_title_and_header_use_site_name(admin_client, client):
    for response in (admin_client.get("/admin/"), client.get("/admin/login/")):
        assert response.status_code == 200
        assert title(response).endswith(f"| {SITE}"), title(response)
        assert f'<div id="site-name"><a href="/admin/">{SITE} administration</a></div>' in (
            response.text
        )
        assert "Django administration" not in response.text
        assert "Django site admin" not in response.text


@pytest.mark.django_db
def test_the_admin_loads_the_sites_admin_styles(admin_client):
    response = admin_client.get("/admin/accounts/user/")
    assert '<link rel="stylesheet" href="/static/css/admin.css">' in response.text
    # It comes before the admin's change-list styles, so its rules need two ids to win.
    assert css_rules_use_two_ids()


def css_rules_use_two_ids() -> bool:
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/admin.css")).read_text()
    selectors = re.findall(r"^(#changelist[^{,]*)[,{]", css, re.MULTILINE)
    return bool(selectors) and all(s.count("#") == 2 for s in selectors)


@pytest.mark.django_db
def test_the_user_list_has_one_name_column(admin_client):
    response = admin_client.get("/admin/accounts/user/")
    headers = [
        t.attrs["class"]
        for t in tags(response.content)
        if t.name == "th" and "column-" in (t.attrs.get("class") or "")
    ]
    columns = [re.search(r"column-(\w+)", h).group(1) for h in headers]
    assert columns[:5] == ["username", "email", "full_name", "is_staff", "last_seen"]
    assert "two_factor" in columns


@pytest.mark.django_db
def test_the_two_factor_reset_confirmation_has_breadcrumbs(admin_client, user):
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", helpers.ACTION_CHECKBOX_NAME: [user.pk]},
    )
    assert response.status_code == 200
    crumbs = re.search(
        r'<nav aria-label="Breadcrumbs">\s*<div class="breadcrumbs">(.*?)</div>',
        response.text,
        re.DOTALL,
    )
    assert crumbs, response.text
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumbs.group(1))
    assert links == [
        ("/admin/", "Home"),
        ("/admin/accounts/", "Accounts"),
        ("/admin/accounts/user/", "Users"),
    ]
    assert "Reset two-factor authentication" in crumbs.group(1)
    assert title(response).endswith(f"| {SITE}")
