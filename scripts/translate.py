#!/usr/bin/env python3
"""Refresh the zh_Hans catalogue, fill in translations, compile: safe to run concurrently.

Usage:
  .venv/bin/python scripts/translate.py              # makemessages, then list untranslated
  .venv/bin/python scripts/translate.py PAIRS.tsv    # ... and fill msgid<TAB>msgstr lines

One lock around the whole step, so several people (or agents) refreshing the one catalogue
at once never lose each other's entries. A msgid with a newline is written in the TSV as \\n.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
LOCK = Path("/tmp/medins-i18n.lock")
IGNORE = [".venv", "var", "staticfiles", "demo-data", "bench-data", "build", "tests"]


def read_pairs(path: Path) -> dict[str, str]:
    pairs = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        msgid, tab, msgstr = line.partition("\t")
        if not tab or not msgstr.strip():
            sys.exit(f"{path}:{number}: expected msgid<TAB>msgstr")
        pairs[msgid.replace("\\n", "\n")] = msgstr.replace("\\n", "\n")
    return pairs


def refresh(pairs: dict[str, str]) -> list[str]:
    python = sys.executable
    ignores = [f"--ignore={name}/*" for name in IGNORE]
    subprocess.run(
        [python, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", *ignores],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    catalogue = polib.pofile(str(PO), wrapwidth=100)
    for entry in catalogue:
        wanted = pairs.get(entry.msgid)
        if wanted is not None:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: wanted}
            else:
                entry.msgstr = wanted
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.save()
    subprocess.run(
        [python, "manage.py", "compilemessages", "-l", "zh_Hans"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return [entry.msgid for entry in catalogue if not entry.translated() or entry.fuzzy]


def main(argv: list[str]) -> int:
    pairs = read_pairs(Path(argv[1])) if len(argv) > 1 else {}
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = refresh(pairs)
    for msgid in missing:
        print(msgid.replace("\n", "\\n"))
    print(f"{len(missing)} untranslated", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
