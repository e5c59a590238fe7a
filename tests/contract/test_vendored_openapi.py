"""Twilio's API description is part of the repository, so the contract tier runs on
any clone: read from tests/contract/twilio/, unchanged, with its licence and origin.

Not marked `contract`: these run in every tier, Prism or not.
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings

from tests.fixtures_verify import openapi_path

ROOT = Path(settings.BASE_DIR)
SHA256 = "976da0a42d57ad5e9007770570062d3095513a693a3db9fb521d6dae79edf2da"
# Built from parts so that this file does not match its own search.
OUTSIDE = "shared" + "/twilio"
SKIPPED_DIRS = {".git", ".venv", "node_modules", "staticfiles", ".pytest_cache", ".ruff_cache"}


def test_the_description_is_read_from_inside_the_repository():
    path = openapi_path()
    assert path.resolve().is_relative_to(ROOT.resolve()), path
    assert path.is_file(), path


def test_the_description_is_twilios_unchanged():
    data = openapi_path().read_bytes()
    assert hashlib.sha256(data).hexdigest() == SHA256
    paths = json.loads(data)["paths"]
    for used in (
        "/v2/Services/{ServiceSid}/Verifications",
        "/v2/Services/{ServiceSid}/VerificationCheck",
        "/v2/Services/{ServiceSid}/Verifications/{Sid}",
    ):
        assert used in paths


def test_its_licence_and_origin_are_beside_it():
    folder = openapi_path().parent
    assert (folder / "LICENSE").read_text().startswith("MIT License")
    assert "Twilio, Inc." in (folder / "LICENSE").read_text()
    note = (folder / "README.md").read_text()
    assert "twilio/twilio-oai" in note
    assert "d50069b44ea8cd23141385bdb6db48f16ff75bb5" in note
    assert SHA256 in note


def _repository_text_files():
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIPPED_DIRS or not path.is_file():
            continue
        if path.suffix in {".py", ".md", ".toml", ".json", ".txt", ".html", ".js", ".cfg"} or (
            path.name in {"Makefile", "run", ".env.example"}
        ):
            yield path


def test_nothing_reads_it_from_outside_the_repository():
    files = list(_repository_text_files())
    assert any(path.name == "fixtures_verify.py" for path in files)  # the walk sees tests
    outside = [
        str(path.relative_to(ROOT))
        for path in files
        if path.suffix != ".json" and OUTSIDE in path.read_text(errors="replace")
    ]
    assert outside == []
