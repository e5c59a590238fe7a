"""The layout's promises: `accounts` imports nothing from `twofactor`, and
`core` imports neither app, so the apps never import each other."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (root / package).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[str(path.relative_to(root))] = names
    return found


def offenders(package: str, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    return sorted(
        f"{path}: {name}"
        for path, names in imported_modules(package, root).items()
        for name in names
        if name.split(".")[0] in forbidden
    )


def test_accounts_imports_nothing_from_twofactor():
    assert offenders("accounts", ("twofactor",)) == []


def test_core_imports_neither_app():
    assert offenders("core", ("accounts", "twofactor")) == []


@pytest.mark.parametrize("package", ["accounts", "core", "twofactor"])
def test_the_scan_sees_imports(package):
    # The scan must find something, or the two tests above prove nothing.
    assert any(names for names in imported_modules(package).values())


def test_the_scan_would_catch_an_import(tmp_path):
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "bad.py").write_text("from twofactor import session\n")
    assert offenders("accounts", ("twofactor",), tmp_path) == ["accounts/bad.py: twofactor"]
