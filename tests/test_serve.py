"""`make serve`: the production stack from the documented variables alone —
DEBUG off whatever the environment says, static files collected with the
production storage (hashed names, gzip and brotli copies, far-future immutable
cache headers), migrations applied, gunicorn from gunicorn.conf.py."""

import re

import pytest

from tests import servers

HASHED_CSS = re.compile(r"/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css")
ONE_YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def served(fake_verify_server, tmp_path_factory):
    """`make serve` on a fresh SQLite file, with DEBUG=1 in the environment it
    was started from (the case that once left no manifest and answered 500)."""
    tmp = tmp_path_factory.mktemp("serve")
    port = servers.free_port()
    env = servers.production_env(
        fake_url=fake_verify_server.url,
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
        GUNICORN_ACCESS_LOG="-",
    )
    command = ["make", "--no-print-directory", "serve", f"PORT={port}"]
    with servers.start(command, env=env, port=port, log=tmp / "serve.log") as server:
        yield server, tmp / "static"


def test_it_serves_pages_with_debug_off(served):
    server, _ = served
    client = servers.SiteClient(server.url)
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response.headers["Server"].startswith("gunicorn")
    # DEBUG off: the site's own 404 page, not Django's technical one.
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Using the URLconf defined in" not in missing.text
    assert client.get("/dev/outbox/").status_code == 404


def test_static_files_are_hashed_compressed_and_immutable(served):
    server, static_root = served
    client = servers.SiteClient(server.url)
    page = client.get("/accounts/login/").text
    css = HASHED_CSS.search(page)
    assert css, "the page does not name the hashed stylesheet"
    assert (static_root / "staticfiles.json").exists()
    for encoding in ("br", "gzip"):
        response = client.get(css.group(0), headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        cache_control = response.headers["Cache-Control"]
        assert "immutable" in cache_control and "public" in cache_control
        max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
        assert max_age >= ONE_YEAR
    plain = client.get(css.group(0), headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    brotli = client.get(css.group(0), headers={"Accept-Encoding": "br"}, stream=True)
    assert int(brotli.headers["Content-Length"]) < int(plain.headers["Content-Length"]) / 3


def test_the_access_log_has_a_line_per_request(served):
    """gunicorn.conf.py logs every request with its time (the production default)."""
    server, _ = served
    servers.SiteClient(server.url).get("/accounts/register/")
    line = re.compile(r'"GET /accounts/register/ HTTP/1\.1" 200 \d+ \d+ms')
    output = server.wait_for_output(line)
    assert line.search(output), output
    assert "Using worker: gthread" in output


def test_collectstatic_with_debug_on_still_serves_with_debug_off(fake_verify_server, tmp_path):
    """The release step run with DEBUG=1 (a developer's .env) must not leave a
    static folder the production server then answers 500 from."""
    env = servers.production_env(
        fake_url=fake_verify_server.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
    )
    servers.manage("collectstatic", "--no-input", "--verbosity=0", env={**env, "DEBUG": "1"})
    servers.prepare_database(env=env)
    assert (tmp_path / "static" / "staticfiles.json").exists()
    port = servers.free_port()
    with servers.gunicorn(env=env, port=port, log=tmp_path / "gunicorn.log") as server:
        response = servers.SiteClient(server.url).get("/accounts/login/")
    assert response.status_code == 200
    assert HASHED_CSS.search(response.text)
