"""The one gettext loader: .mo when fresh, the .po compiled in memory otherwise, never a fuzzy entry."""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from hotline.content.catalogues import load_translations


def _write(root: Path, code: str, domain: str, entries: dict[str, tuple[str, bool]]) -> Path:
    folder = root / code / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(locale=None, domain=domain)
    for msgid, (text, fuzzy) in entries.items():
        catalog.add(msgid, text, flags=("fuzzy",) if fuzzy else ())
    with (folder / f"{domain}.po").open("wb") as handle:
        write_po(handle, catalog)
    return folder / f"{domain}.po"


def test_a_po_alone_is_compiled_in_memory_without_its_fuzzy_guesses(tmp_path: Path) -> None:
    _write(tmp_path, "prs-Latn", "sms", {"Hello": ("Salam", False), "Bye": ("Khoda hafez", True)})
    translations = load_translations(tmp_path, "prs-Latn", "sms")
    assert translations.gettext("Hello") == "Salam"
    assert translations.gettext("Bye") == "Bye"


def test_a_fresh_mo_is_used_and_a_stale_one_is_not(tmp_path: Path) -> None:
    po = _write(tmp_path, "id", "messages", {"Hello": ("Halo", False)})
    stale = Catalog(locale=None, domain="messages")
    stale.add("Hello", "Selamat")
    with po.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, stale)
    os.utime(po.with_suffix(".mo"), (po.stat().st_mtime + 10,) * 2)
    assert load_translations(tmp_path, "id", "messages").gettext("Hello") == "Selamat"
    os.utime(po.with_suffix(".mo"), (po.stat().st_mtime - 10,) * 2)
    assert load_translations(tmp_path, "id", "messages").gettext("Hello") == "Halo"


def test_a_missing_catalogue_reads_as_the_source_text(tmp_path: Path) -> None:
    assert load_translations(tmp_path, "dv", "ivr").gettext("Hello") == "Hello"
