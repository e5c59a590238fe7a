"""core/static_storage.py: each static file's URL worked out once per process,
and worked out again when `collectstatic` writes a new manifest."""

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage


@pytest.fixture
def collected(settings, tmp_path):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "a.css").write_text("body { color: red; }\n")
    settings.STATICFILES_DIRS = [source]
    # Only this file: not the admin's hundreds, each hashed and compressed.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "core.static_storage.StaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    return source


def test_a_url_is_worked_out_once(collected, monkeypatch):
    first = staticfiles_storage.url("css/a.css")
    assert first.startswith("/static/css/a.") and first.endswith(".css")
    looked_up = []
    original = CompressedManifestStaticFilesStorage.url

    def counting(self, name, force=False):
        looked_up.append(name)
        return original(self, name, force)

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", counting)
    assert staticfiles_storage.url("css/a.css") == first
    assert looked_up == []


def test_a_new_collectstatic_gives_the_new_names(collected):
    before = staticfiles_storage.url("css/a.css")
    (collected / "css" / "a.css").write_text("body { color: blue; }\n")
    call_command("collectstatic", "--no-input", verbosity=0)
    after = staticfiles_storage.url("css/a.css")
    assert after != before
    assert after.startswith("/static/css/a.")


def test_a_name_missing_from_the_manifest_fails_every_time(collected):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            staticfiles_storage.url("css/missing.css")


def test_with_debug_on_the_plain_name_is_given(collected, settings):
    assert staticfiles_storage.url("css/a.css") != "/static/css/a.css"
    settings.DEBUG = True
    assert staticfiles_storage.url("css/a.css") == "/static/css/a.css"
