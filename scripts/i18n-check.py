#!/usr/bin/env python3
"""Fail when the zh_Hans catalogue has an untranslated or fuzzy msgid, or a stale .mo.

Usage: python scripts/i18n-check.py [path/to/django.po]   (exit 1 and a list on failure)
"""

from __future__ import annotations

import ast
import gettext
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def po_entries(po: Path) -> list[tuple[str, str, bool, str | None, str | None]]:
    """(msgid, msgstr, fuzzy, msgctxt, msgid_plural) of every entry but the header."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        current = None
        fuzzy = False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
                current, _, quoted = line.partition(" ")
                fields[current] = [quoted]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" not in fields:
            continue  # comments only: an obsolete entry or trailing text
        text = {
            key: "".join(ast.literal_eval(part) for part in parts) for key, parts in fields.items()
        }
        msgstr = text.get("msgstr", text.get("msgstr[0]", ""))
        if text["msgid"]:
            entries.append(
                (text["msgid"], msgstr, fuzzy, text.get("msgctxt"), text.get("msgid_plural"))
            )
    return entries


def compiled_text(
    compiled: gettext.GNUTranslations, msgid: str, context: str | None, plural: str | None
) -> str:
    if plural is not None:
        if context is not None:
            return compiled.npgettext(context, msgid, plural, 1)
        return compiled.ngettext(msgid, plural, 1)
    return compiled.pgettext(context, msgid) if context is not None else compiled.gettext(msgid)


def problems(po: Path) -> list[str]:
    """Every msgid that is untranslated, fuzzy, or translated differently in the .mo."""
    found = []
    mo = po.with_suffix(".mo")
    compiled = gettext.GNUTranslations(mo.open("rb")) if mo.exists() else None
    for msgid, msgstr, fuzzy, context, plural in po_entries(po):
        if not msgstr:
            found.append(f"untranslated: {msgid!r}")
        elif fuzzy:
            found.append(f"fuzzy: {msgid!r}")
        elif compiled is None or compiled_text(compiled, msgid, context, plural) != msgstr:
            found.append(f"not compiled (run compilemessages): {msgid!r}")
    return found


def main(argv: list[str]) -> int:
    po = Path(argv[1]) if len(argv) > 1 else PO
    found = problems(po)
    for problem in found:
        print(f"{po}: {problem}")
    print(f"{po}: {len(po_entries(po))} msgids, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
