"""In production static files are collected and served with hashed names
(WhiteNoise's manifest storage). A template naming a file that doesn't exist
is then a 500 on every page: render the pages that way once."""

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.fixture
def collected_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "core.static_storage.StaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_pages_render_with_collected_hashed_static_files(client, user, collected_static):
    for url in [reverse("index"), reverse("login"), reverse("register"), "/no-such-page/"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert b"/static/vendor/bootstrap/bootstrap.min." in response.content
    client.force_login(user)
    response = client.get(reverse("profile", args=[user.username]))
    html = response.content.decode()
    assert response.status_code == 200
    # Hashed names, e.g. twofactor.3f2a….js, not the plain ones.
    assert "/static/js/twofactor." in html and "/static/js/twofactor.js" not in html
    assert (collected_static / "staticfiles.json").exists()
