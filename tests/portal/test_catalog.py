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


def po_entries(text: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file (no plurals or contexts: the portal uses neither)."""
    entries: dict[str, str] = {}
    for block in text.split("\n\n"):
        parts: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith(("msgid ", "msgstr ")):
                current, _, rest = line.partition(" ")
                parts[current] = ast.literal_eval(rest)
            elif line.startswith('"') and current:
                parts[current] += ast.literal_eval(line)
        if parts.get("msgid"):
            entries[parts["msgid"]] = parts.get("msgstr", "")
    return entries


def test_the_parser_reads_continued_lines() -> None:
    text = 'msgid ""\nmsgstr "x"\n\nmsgid "a "\n"b"\nmsgstr "c"\n"d"\n'
    assert po_entries(text) == {"a b": "cd"}


def test_every_message_is_translated() -> None:
    entries = po_entries(PO.read_text("utf-8"))
    assert len(entries) > 100
    assert [m for m, t in entries.items() if not t] == []
    assert "#, fuzzy" not in PO.read_text("utf-8")


def test_the_compiled_catalog_is_current() -> None:
    assert MO.exists(), f"{MO} is missing: run `make setup` (msgfmt compiles it)"
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [m for m, t in po_entries(PO.read_text("utf-8")).items() if compiled.gettext(m) != t]
    assert stale == [], "the .mo is older than the .po: run `make setup`"


def test_every_template_string_is_in_the_catalog() -> None:
    entries = po_entries(PO.read_text("utf-8"))
    found = set()
    for template in (PORTAL / "templates").rglob("*.html"):
        found |= set(re.findall(r'{% translate "([^"]+)"', template.read_text("utf-8")))
        found |= set(re.findall(r"{% translate '([^']+)'", template.read_text("utf-8")))
    assert len(found) > 50
    assert sorted(found - set(entries)) == []
