"""The translation catalogues in locale/, for the tests: built, read and checked
with GNU gettext's own tools (msgfmt, msgattrib), as `make` builds them."""

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
GETTEXT_MISSING = "GNU gettext is missing: `apt-get install gettext` (make and .ci/run do it)"


def require_gettext() -> None:
    missing = [
        tool for tool in ("msgfmt", "msgattrib", "xgettext", "msgmerge") if not shutil.which(tool)
    ]
    assert not missing, f"{GETTEXT_MISSING}; not found: {', '.join(missing)}"


def compile_catalogues(locale: Path = LOCALE) -> None:
    """Build each .mo that is missing or older than its .po (what `make` does),
    so the suite run without make, or after a merge, reads current translations."""
    for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        require_gettext()
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


@dataclass(frozen=True)
class Entry:
    msgid: str
    msgctxt: str | None = None

    def __str__(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt else ""
        return f"{self.msgid!r}{context}"


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    """A .po string literal's text ("a \\"b\\"" -> a "b")."""
    body, out, i = text.strip()[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def entries(po_text: str) -> list[Entry]:
    """The messages of a .po text (msgid and context), without the header."""
    found: list[Entry] = []
    fields: dict[str, str] = {}
    current = ""

    def flush() -> None:
        if "msgid" in fields and fields["msgid"]:
            found.append(Entry(fields["msgid"], fields.get("msgctxt")))
        fields.clear()

    for line in po_text.splitlines() + [""]:
        if not line.strip():
            flush()
        elif line.startswith('"'):
            fields[current] = fields.get(current, "") + _unquote(line)
        elif not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            current = keyword.split("[")[0]
            fields[current] = fields.get(current, "") + _unquote(rest)
    return found


def msgattrib(po: Path, *flags: str) -> list[Entry]:
    result = subprocess.run(
        ["msgattrib", "--no-wrap", "--no-obsolete", *flags, str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    return entries(result.stdout)
