"""Fill gettext catalogues from translation files kept beside them, then leave the .po files tidy.

    python tools/apply_translations.py            # every hotline/locales/incoming/*.json into the `messages` domain

Each JSON file maps a msgid to its translations: {"Sign in": {"prs": "...", "id": "..."}}. They are how a branch
brings its translations along without editing the shared .po files by hand, so two branches never conflict there:
after a merge, run the pybabel extract/update commands in babel.cfg, then this script. English entries are filled
with the msgid itself. An entry already translated in a .po file is left as it is (a reviewer's edit wins).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "hotline" / "locales"


def load_incoming(folder: Path) -> dict[str, dict[str, str]]:
    """Every msgid -> {lang: translation} from ``folder``/*.json, later files adding to earlier ones."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for msgid, translations in data.items():
            if not isinstance(translations, dict):
                raise SystemExit(f"{path}: {msgid!r}: expected an object of language -> translation")
            merged.setdefault(msgid, {}).update(translations)
    return merged


def apply(domain: str = "messages") -> int:
    """Fill untranslated or fuzzy entries of every ``domain`` catalogue; returns how many were filled."""
    incoming = load_incoming(LOCALES / "incoming")
    filled = 0
    for po_path in sorted(LOCALES.glob(f"*/LC_MESSAGES/{domain}.po")):
        lang = po_path.parent.parent.name
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        changed = False
        for message in catalog:
            if not message.id or isinstance(message.id, tuple) or (message.string and not message.fuzzy):
                continue
            text = message.id if lang == "en" else incoming.get(message.id, {}).get(lang)
            if text:
                message.string = text
                message.flags.discard("fuzzy")
                changed = True
                filled += 1
        if changed:
            with po_path.open("wb") as handle:
                write_po(handle, catalog, ignore_obsolete=True)
    return filled


if __name__ == "__main__":
    print(f"{apply(*sys.argv[1:])} entries filled", file=sys.stderr)
