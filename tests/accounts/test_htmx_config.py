"""htmx's configuration keeps to the Content Security Policy."""

import json

import pytest

from tests.accounts.html import tags


@pytest.mark.django_db
def test_the_config_settles_no_style(client):
    # htmx would copy `style` with setAttribute when it settles a swap, which the
    # CSP refuses (tests/browser/test_csp_on_swaps.py).
    response = client.get("/accounts/login/")
    [meta] = [t for t in tags(response.content) if t.attrs.get("name") == "htmx-config"]
    config = json.loads(meta.attrs["content"])
    assert "style" not in config["attributesToSettle"]
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
