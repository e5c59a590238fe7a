"""Dark mode comes from a static script in <head> (no inline code, CSP unchanged)."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.accounts.html import tags

THEME_JS = "/static/js/theme.js"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/no-such-page/"])
def test_every_page_loads_the_theme_script_first_in_head(client, path):
    response = client.get(path)
    html = response.content.decode()
    head = html[: html.index("</head>")]
    page = tags(head)
    [theme] = [t for t in page if t.name == "script" and t.attrs.get("src") == THEME_JS]
    # Not deferred: it must run before the first paint.
    assert "defer" not in theme.attrs and "async" not in theme.attrs
    assert head.index(THEME_JS) < head.index("bootstrap.min.css")
    assert '<meta name="color-scheme" content="light dark">' in head
    assert "data-bs-theme" not in html  # set by the script, not by the server


@pytest.mark.django_db
def test_the_policy_still_allows_no_inline_code(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "style-src 'self'" in policy


def test_the_500_page_follows_the_system_too():
    text = (Path(settings.BASE_DIR) / "templates" / "errors" / "500.html").read_text()
    assert "js/theme.js" in text
