"""One loader for every gettext catalogue: the web UI (``messages``), the IVR (``ivr``) and SMS replies (``sms``).

Catalogues live in ``locales/<code>/LC_MESSAGES/<domain>.po`` (``<code>`` may be a script variant such as
``prs-Latn``). A compiled ``.mo`` is used when it is at least as new as its ``.po``; otherwise the ``.po`` is compiled
in memory, so a checkout works before any build step and an edited ``.po`` is never shadowed by a stale ``.mo``.
Fuzzy entries are unreviewed guesses and are never used.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations


def catalogue_file(locales_dir: Path, code: str, domain: str) -> Path:
    """Where the ``.po`` of ``domain`` in language (or script variant) ``code`` lives."""
    return locales_dir / code / "LC_MESSAGES" / f"{domain}.po"


def load_translations(locales_dir: Path, code: str, domain: str) -> NullTranslations:
    """The catalogue of ``domain`` in ``code``: NullTranslations (the English source texts) when there is none."""
    po_path = catalogue_file(locales_dir, code, domain)
    mo_path = po_path.with_suffix(".mo")
    if not po_path.is_file():
        if mo_path.is_file():  # an install may ship compiled catalogues alone
            with mo_path.open("rb") as handle:
                return Translations(handle, domain=domain)
        return NullTranslations()
    if mo_path.is_file() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=domain)
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=None, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)
