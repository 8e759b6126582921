"""The portal's Chinese message catalog: every message translated, the compiled .mo (built by
`make setup` with msgfmt, not kept in git) the same as the .po, every template string in it."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import metalstat.portal

PORTAL = Path(metalstat.portal.__file__).parent
PO = PORTAL / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


CONTEXT = "\x04"  # between a message's context and its id, as gettext keys them


def po_entries(text: str) -> dict[str, str]:
    """msgid (``context\x04msgid`` for a message with a context) -> msgstr of a .po file
    (no plurals: the portal uses none)."""
    entries: dict[str, str] = {}
    for block in text.split("\n\n"):
        parts: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith(("msgctxt ", "msgid ", "msgstr ")):
                current, _, rest = line.partition(" ")
                parts[current] = ast.literal_eval(rest)
            elif line.startswith('"') and current:
                parts[current] += ast.literal_eval(line)
        if parts.get("msgid"):
            key = f"{parts['msgctxt']}{CONTEXT}{parts['msgid']}" if "msgctxt" in parts else parts["msgid"]
            entries[key] = parts.get("msgstr", "")
    return entries


def test_the_parser_reads_continued_lines_and_contexts() -> None:
    text = 'msgid ""\nmsgstr "x"\n\nmsgid "a "\n"b"\nmsgstr "c"\n"d"\n\nmsgctxt "p"\nmsgid ": "\nmsgstr "："\n'
    assert po_entries(text) == {"a b": "cd", "p\x04: ": "："}


def test_every_message_is_translated() -> None:
    entries = po_entries(PO.read_text("utf-8"))
    assert len(entries) > 100
    assert [m for m, t in entries.items() if not t] == []
    assert "#, fuzzy" not in PO.read_text("utf-8")


def test_the_compiled_catalog_is_current() -> None:
    assert MO.exists(), f"{MO} is missing: run `make setup` (msgfmt compiles it)"
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)

    def compiled_text(key: str) -> str:
        context, _, msgid = key.rpartition(CONTEXT)
        return compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)

    stale = [m for m, t in po_entries(PO.read_text("utf-8")).items() if compiled_text(m) != t]
    assert stale == [], "the .mo is older than the .po: run `make setup`"


def test_every_template_string_is_in_the_catalog() -> None:
    entries = po_entries(PO.read_text("utf-8"))
    found = set()
    for template in (PORTAL / "templates").rglob("*.html"):
        found |= set(re.findall(r'{% translate "([^"]+)"', template.read_text("utf-8")))
        found |= set(re.findall(r"{% translate '([^']+)'", template.read_text("utf-8")))
    assert len(found) > 50
    assert sorted(found - set(entries)) == []
