"""What staff who do not read a rumour's language see beside its statement.

A candidate rumour's statement is a caller's (redacted) words, in the caller's language. Staff see, in this order:
1. the rumour's own translation into their console language, then into English (written by staff on the rumour's
   page, or part of a reviewed rumour);
2. the operator's English translation of the report the candidate was made from, redacted the way the statement
   was (hotline.classify.redaction): a translation of the very same words, which retention clears with the report;
3. nothing: the page says "no translation yet" and a supervisor can add one.
The closest reviewed rumour is not offered as a translation: a candidate exists because nothing matched closely
enough, and a near miss shown as "the translation" would invite a wrong merge. No outside service is called.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import User
from hotline.classify.redaction import redact
from hotline.intake.models import Report
from hotline.rumours.models import Rumour
from hotline.triage.actions import ActionRefused

MAX_TRANSLATION_CHARS = 2000


@dataclass(frozen=True)
class StaffTranslation:
    """The statement's language, and a translation staff can read (None: no translation yet)."""

    statement_language: str
    text: str | None = None
    language: str | None = None
    from_report: bool = False  # the operator's translation of the source report, not one made for the rumour


def statement_language(rumour: Rumour, source_language: str | None) -> str | None:
    """The language a rumour's statement is written in, when known: its source report's, or the translation that
    repeats the statement word for word; None for a statement staff wrote (it is in their language)."""
    if rumour.source_report_id is not None and source_language:
        return source_language
    return next((lang for lang, text in sorted((rumour.statement_translations or {}).items())
                 if text.strip() == rumour.canonical_statement.strip()), None)


def staff_translations(session: Session, rumours: Sequence[Rumour], reads: Collection[str],
                       staff_language: str) -> dict[int, StaffTranslation]:
    """For each rumour whose statement is in a language the viewer does not read (``reads``), what they see
    beside it; rumours they can read are left out. Two queries at most, whatever the number of rumours."""
    sources = {r.source_report_id for r in rumours if r.source_report_id is not None}
    reports = {rid: (language, translation, country) for rid, language, translation, country in session.execute(
        select(Report.id, Report.language, Report.translation, Report.country).where(Report.id.in_(sources)))
    } if sources else {}
    shown: dict[int, StaffTranslation] = {}
    for rumour in rumours:
        if not rumour.canonical_statement:
            continue  # removed with the caller's words
        source = reports.get(rumour.source_report_id) if rumour.source_report_id is not None else None
        language = statement_language(rumour, source[0] if source else None)
        if language is None or language in reads:
            continue
        translations = rumour.statement_translations or {}
        chosen = next((lang for lang in dict.fromkeys((staff_language, "en"))
                       if lang != language and (translations.get(lang) or "").strip()), None)
        if chosen is not None:
            shown[rumour.id] = StaffTranslation(language, translations[chosen].strip(), chosen)
        elif source is not None and source[1] and source[1].strip():
            text = " ".join(redact(source[1], source[2]).split())[:MAX_TRANSLATION_CHARS]
            shown[rumour.id] = StaffTranslation(language, text, "en", from_report=True)
        else:
            shown[rumour.id] = StaffTranslation(language)
    return shown


def reads_languages(user: User, ui_language: str) -> set[str]:
    """The languages a staff member reads: those of their account and their console language."""
    return {*(user.languages or ()), ui_language}


def add_translation(session: Session, rumour: Rumour, user: User, language: str, text: str,
                    known_languages: Collection[str]) -> None:
    """A supervisor's translation of the statement into ``language`` (redacted like the statement), audited by
    language and length."""
    text = " ".join(text.split())
    if language not in known_languages or not text or len(text) > MAX_TRANSLATION_CHARS \
            or rumour.merged_into_id is not None or not rumour.canonical_statement:
        raise ActionRefused("invalid")
    before = sorted(rumour.statement_translations or {})
    rumour.statement_translations = {**(rumour.statement_translations or {}), language: redact(text)}
    record_event(session, f"user:{user.id}", "rumour.translate", "rumour", rumour.id,
                 before={"translations": before},
                 after={"translations": sorted(rumour.statement_translations), "language": language,
                        "chars": len(text)}, actor_user_id=user.id)
    session.flush()
