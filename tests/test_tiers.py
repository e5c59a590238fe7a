"""The slow tiers may skip on a developer's machine that lacks their tools, but
never on CI: there a missing tool is a failure."""

from pathlib import Path

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.browser.conftest import require_chromium

MISSING = Path("/nonexistent/chromium")


def test_without_chromium_the_browser_tier_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped, match="apt-get install chromium"):
        require_chromium(MISSING)


def test_without_chromium_the_browser_tier_fails_on_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="CI is set"):
        require_chromium(MISSING)


def test_with_chromium_nothing_is_said(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.touch()
    require_chromium(chromium)


def test_without_node_the_prism_tier_says_what_to_install(monkeypatch):
    from tests.fixtures_verify import _unavailable

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped, match="install Node.js and npm"):
        _unavailable("node is not on PATH", fix="install Node.js and npm, then `make test`")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="cannot run on CI"):
        _unavailable("node is not on PATH", fix="install Node.js and npm, then `make test`")


def test_readme_quick_start_names_every_prerequisite_of_make_test():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    for needed in ("Python 3.12", "Node.js", "npm", "/usr/bin/chromium", "apt-get install"):
        assert needed in quick_start, needed
    assert "skipped tier is a tier that did not run" in quick_start
    assert "installed again only when" in quick_start
    assert "so the second run starts at once" not in quick_start
