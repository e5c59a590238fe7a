"""The German and Spanish catalogues are complete: every string marked in the
code and templates has a translation, none is fuzzy, and msgfmt accepts them.

The strings are extracted afresh, as `make messages` would, into a copy of
locale/ (the repository's files are not touched); a string added with `_()` or
`{% translate %}` and not translated fails here, named, with the way to fix it.
"""

import contextlib
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.catalogues import LOCALE, Entry, msgattrib, require_gettext

TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
HOW_TO_FIX = (
    "To fix: run `make messages` (manage.py makemessages -a --no-obsolete) to bring "
    "locale/*/LC_MESSAGES/django.po up to date, fill in every msgstr listed above "
    "(msgstr[0] and msgstr[1] for plurals; Spanish has msgstr[2] as well, the same as "
    "msgstr[1]), delete the `#, fuzzy` line of each entry once its translation is right, "
    "and run `make test` again."
)


def test_german_and_spanish_are_the_translated_languages():
    assert TRANSLATED == ["de", "es"]
    for code in TRANSLATED:
        assert (LOCALE / code / "LC_MESSAGES" / "django.po").exists()


def missing_translations(locale: Path) -> dict[str, list[str]]:
    """Per language, what the catalogues under `locale` lack: untranslated or fuzzy."""
    problems: dict[str, list[str]] = {}
    for code in TRANSLATED:
        po = locale / code / "LC_MESSAGES" / "django.po"
        lines = [f"untranslated: {entry}" for entry in msgattrib(po, "--untranslated")]
        lines += [f"fuzzy: {entry}" for entry in msgattrib(po, "--only-fuzzy")]
        if lines:
            problems[f"locale/{po.relative_to(locale)}"] = lines
    return problems


def report(problems: dict[str, list[str]]) -> str:
    parts = [
        f"{path}: {len(lines)} missing\n  " + "\n  ".join(lines) for path, lines in problems.items()
    ]
    return "\n".join(parts) + "\n" + HOW_TO_FIX


def extract_into_copy(tmp_path: Path, settings) -> Path:
    """makemessages (the project's, accounts/management/commands/) into a copy of locale/.

    makemessages writes to the `locale` directory it finds beside the files it
    reads, whatever LOCALE_PATHS says; so it runs in a tree of links to the
    project's files with a copy of locale/ in it, and the repository's
    catalogues stay as they are.
    """
    require_gettext()
    root = Path(settings.BASE_DIR)
    tree = tmp_path / "tree"
    tree.mkdir()
    for item in root.iterdir():
        if item.name != "locale" and not item.name.startswith("."):
            (tree / item.name).symlink_to(item)
    copy = tree / "locale"
    shutil.copytree(LOCALE, copy, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [copy]
    before = {po: po.read_bytes() for po in LOCALE.glob("*/LC_MESSAGES/*.po")}
    with contextlib.chdir(tree):
        call_command(
            "makemessages", locale=TRANSLATED, no_obsolete=True, symlinks=True, verbosity=0
        )
    assert {po: po.read_bytes() for po in before} == before, "the check wrote into locale/"
    return copy


def test_every_marked_string_has_a_translation(tmp_path, settings):
    copy = extract_into_copy(tmp_path, settings)
    problems = missing_translations(copy)
    assert not problems, report(problems)


def test_a_new_untranslated_string_is_named(tmp_path, settings):
    """The check itself: a string marked in a template and translated nowhere is
    reported by its msgid, with the command that fixes it."""
    copy = extract_into_copy(tmp_path, settings)
    po = copy / "de" / "LC_MESSAGES" / "django.po"
    po.write_text(
        po.read_text(encoding="utf-8")
        + '\n#: templates/example.html:1\nmsgid "A string nobody translated"\nmsgstr ""\n'
        + '\n#: templates/example.html:2\n#, fuzzy\nmsgid "A guess"\nmsgstr "Eine Vermutung"\n',
        encoding="utf-8",
    )
    problems = missing_translations(copy)
    german = problems["locale/de/LC_MESSAGES/django.po"]
    assert f"untranslated: {Entry('A string nobody translated')}" in german
    assert f"fuzzy: {Entry('A guess')}" in german
    assert "untranslated: 'A string nobody translated'" in report(problems)
    assert "make messages" in report(problems)


@pytest.mark.parametrize("code", TRANSLATED)
def test_msgfmt_accepts_the_catalogue(code):
    """Placeholders that match the msgid's, plural forms the header declares, a
    well-formed header: what `msgfmt --check` refuses, Django could not use."""
    require_gettext()
    po = LOCALE / code / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
