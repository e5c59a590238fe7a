"""What a first and a repeat visit of the sign-in page download (issue 8:
at most 60 KB and 5 KB), computed from the collected static files and the
page's own <link>/<script> tags, as WhiteNoise and GZipMiddleware serve them to
a browser that accepts brotli and gzip: deterministic, no server, no timing.
`make bench` measures the same over HTTP (`bench/run.py` `wire_bytes`)."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

# The files a page names, as `make bench` finds them.
ASSET = re.compile(r'(?:href|src)="/static/([^"]+)"')
# Response headers per static file as gunicorn and WhiteNoise send them
# (status line, Date, Server, Content-Type, Content-Length, Content-Encoding,
# Cache-Control, Vary, Last-Modified, ETag, Access-Control-Allow-Origin):
# about 400 bytes measured; counted generously.
ASSET_HEADER_BYTES = 500
FIRST_VISIT_LIMIT = 60 * 1024
REPEAT_VISIT_LIMIT = 5 * 1024
STORAGE = {"BACKEND": "core.static_storage.StaticFilesStorage"}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """`collectstatic` once for the module, with the production storage
    (hashed names, gzip and brotli copies)."""
    root = tmp_path_factory.mktemp("weight") / "static"
    with override_settings(STATIC_ROOT=root, STORAGES={"staticfiles": STORAGE}):
        call_command("collectstatic", "--no-input", verbosity=0)
    return root


@pytest.fixture
def collected(settings, static_root) -> Path:
    settings.STATIC_ROOT = static_root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": STORAGE}
    return static_root


def served_size(root: Path, name: str) -> int:
    """Bytes of the body WhiteNoise sends for `name` to a client accepting
    brotli and gzip: the .br copy if there is one, else .gz, else the file
    (WhiteNoise keeps a compressed copy only when it is smaller)."""
    path = root / name
    assert path.is_file(), f"the page names {name}, which collectstatic did not write"
    for suffix in (".br", ".gz"):
        compressed = path.with_name(path.name + suffix)
        if compressed.is_file():
            return compressed.stat().st_size
    return path.stat().st_size


def page_bytes(response) -> int:
    """The page's body as sent plus its headers (as bench/run.py counts them)."""
    headers = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 17
    cookies = sum(len(morsel.OutputString()) + 14 for morsel in response.cookies.values())
    return len(response.content) + headers + cookies


@pytest.mark.django_db
def test_sign_in_page_first_and_repeat_visit(client, collected):
    response = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="br, gzip")
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    repeat = page_bytes(response)
    html = client.get("/accounts/login/").content.decode()  # not compressed: to read the tags
    assets = sorted(set(ASSET.findall(html)))
    assert any(name.endswith(".css") for name in assets), assets
    sizes = {name: served_size(collected, name) + ASSET_HEADER_BYTES for name in assets}
    first = repeat + sum(sizes.values())
    detail = ", ".join(f"{name} {size}" for name, size in sizes.items())
    assert first <= FIRST_VISIT_LIMIT, f"first visit {first} bytes: page {repeat}, {detail}"
    assert repeat <= REPEAT_VISIT_LIMIT, f"repeat visit {repeat} bytes"


@pytest.mark.django_db
def test_pages_need_no_popper_bundle(client, collected):
    """Bootstrap's build without Popper: nothing on the site uses a dropdown,
    tooltip or popover (the navbar's collapse needs no Popper). The bundle
    would add about 6 KB to every first visit."""
    html = client.get("/accounts/login/").content.decode()
    assert re.search(r"/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.js", html)
    assert "bootstrap.bundle" not in html


def test_templates_come_from_the_cached_loader():
    """Templates are parsed once per process, not on every render (Django's
    default with no `loaders` in TEMPLATES; a `loaders` list without the
    cached loader would parse every template on every request). The form
    renderer's Jinja2 templates are compiled once too, and not checked for
    changes on every render outside DEBUG."""
    from django.forms.renderers import get_default_renderer
    from django.template import engines
    from django.template.loaders.cached import Loader as CachedLoader

    from core.form_rendering import BootstrapFormRenderer

    engine = engines["django"].engine
    assert [type(loader) for loader in engine.template_loaders] == [CachedLoader]
    renderer = get_default_renderer()
    assert isinstance(renderer, BootstrapFormRenderer)
    assert renderer.jinja2.env.auto_reload is False
    first = renderer.get_template("django/forms/field.html").template
    assert renderer.get_template("django/forms/field.html").template is first
