"""The gettext catalogues as the studio sees them: entries with their draft text, and .po files written with the
reviewed texts in place. Pure: files and mappings in, data out."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

REVIEWED, DRAFT, MISSING = "reviewed", "draft", "missing"


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: its context (the prompt id in ``ivr``), English source and machine draft."""

    context: str
    msgid: str
    draft: str | None


def catalogue_path(locales: Path, language: str, domain: str) -> Path:
    """``<locales>/<language>/LC_MESSAGES/<domain>.po``."""
    return locales / language / "LC_MESSAGES" / f"{domain}.po"


def read_catalogue(locales: Path, language: str, domain: str) -> Catalog:
    """The catalogue of ``domain`` in ``language`` (else the English one, so every entry is listed)."""
    for code in (language, "en"):
        path = catalogue_path(locales, code, domain)
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=None, domain=domain)
            if code != language:
                for message in catalog:
                    message.string = ""
            return catalog
    return Catalog(domain=domain)


def entries(catalog: Catalog) -> list[Entry]:
    """The catalogue's singular entries; a fuzzy or empty translation has no draft."""
    found = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not isinstance(message.string, str):
            continue
        draft = message.string.strip() if message.string and not message.fuzzy else None
        found.append(Entry(message.context or "", message.id, draft or None))
    return found


def text_status(entry: Entry, reviewed: Mapping[tuple[str, str], str]) -> str:
    """reviewed / draft / missing for one entry, given {(context, msgid): reviewed text}."""
    if (entry.context, entry.msgid) in reviewed:
        return REVIEWED
    return DRAFT if entry.draft else MISSING


def export_po(catalog: Catalog, reviewed: Mapping[tuple[str, str], str], only_reviewed: bool = False) -> bytes:
    """The catalogue as a .po file with the reviewed texts in place (not fuzzy), ready to commit."""
    out = Catalog(locale=None, domain=catalog.domain, project=catalog.project, charset="utf-8")
    out.mime_headers = catalog.mime_headers
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        key = (message.context or "", message.id)
        if only_reviewed and key not in reviewed:
            continue
        text = reviewed.get(key, message.string)
        flags = set(message.flags) - {"fuzzy"} if key in reviewed else set(message.flags)
        comments = list(message.user_comments) + (["reviewed in the prompt studio"] if key in reviewed else [])
        out.add(message.id, text, context=message.context, flags=flags, user_comments=comments)
    buffer = io.BytesIO()
    write_po(buffer, out, width=0, omit_header=False)
    return buffer.getvalue()


def read_po_bytes(data: bytes, domain: str) -> list[Entry]:
    """Entries of a .po file given as bytes (a language pack's); drafts are its translations."""
    return entries(read_po(io.BytesIO(data), locale=None, domain=domain))
