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
