"""How the audit page shows an event: who, which record (and a link to it), and each change as "field: old → new"
with translated field names and values. Staff accounts are named by e-mail; caller-identifying fields never shown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.changes import ABSENT, describe, safe_text
from hotline.audit.models import AuditEvent
from hotline.auth.models import User
from hotline.content.taxonomy import Taxonomy
from hotline.i18n import language_name
from hotline.web.labels import label

FIELD_LABELS = {
    "status": lazy_gettext("Status"),
    "assignee_id": lazy_gettext("Holder"),
    "type": lazy_gettext("Type"),
    "category": lazy_gettext("Category"),
    "code": lazy_gettext("Code"),
    "urgency": lazy_gettext("Urgency"),
    "coded_by_id": lazy_gettext("Coded by"),
    "translation_chars": lazy_gettext("Translation length (characters)"),
    "rumour_id": lazy_gettext("Rumour"),
    "message_id": lazy_gettext("Message"),
    "counter_message_id": lazy_gettext("Library message"),
    "encoding": lazy_gettext("Encoding"),
    "segments": lazy_gettext("SMS parts"),
    "chars": lazy_gettext("Characters"),
    "referral_id": lazy_gettext("Referral"),
    "report_id": lazy_gettext("Report"),
    "verification": lazy_gettext("Verification"),
    "risk": lazy_gettext("Risk"),
    "statement_chars": lazy_gettext("Statement length (characters)"),
    "translations": lazy_gettext("Translations"),
    "merged_into_id": lazy_gettext("Merged into"),
    "reports_moved": lazy_gettext("Reports moved"),
    "absorbed_id": lazy_gettext("Absorbed rumour"),
    "new_rumour_id": lazy_gettext("New rumour"),
    "split_from_id": lazy_gettext("Split from"),
    "from_report_id": lazy_gettext("Made from report"),
    "approved_by_id": lazy_gettext("Approved by"),
    "language": lazy_gettext("Language"),
    "languages": lazy_gettext("Languages"),
    "role": lazy_gettext("Role"),
    "email": lazy_gettext("E-mail"),
    "active": lazy_gettext("Active"),
    "ui_locale": lazy_gettext("Console language"),
    "totp": lazy_gettext("Two-step sign-in"),
    "user_id": lazy_gettext("Staff account"),
    "kind": lazy_gettext("Kind"),
    "country": lazy_gettext("Country"),
    "name": lazy_gettext("Name"),
    "attempt": lazy_gettext("Call-back attempt"),
    "method": lazy_gettext("Method"),
    "expires_at": lazy_gettext("Expires"),
    "scope": lazy_gettext("Scope"),
}
USER_FIELDS = frozenset({"assignee_id", "coded_by_id", "approved_by_id", "user_id", "referred_by_id"})
ID_FIELDS = frozenset({"rumour_id", "message_id", "counter_message_id", "referral_id", "report_id", "merged_into_id",
                       "absorbed_id", "new_rumour_id", "split_from_id", "from_report_id", "attempt"})
# Which label table a "status" belongs to, by the kind of record.
STATUS_KINDS = {"report": "status", "rumour": "rumour_status", "protection_referral": "referral",
                "counter_message": "approval", "prompt_recording": "recording"}
VALUE_KINDS = {"urgency": "urgency", "verification": "verification", "risk": "risk", "role": "role",
               "channel": "channel", "sensitivity": "sensitivity"}
RECORD_TYPES = ("report", "protection_referral", "rumour", "counter_message", "user", "api_token", "focal_point",
                "referral_partner", "prompt_recording", "reviewed_text", "caller")


@dataclass(frozen=True)
class ShownChange:
    """One change as the page prints it (plain text: the template escapes it)."""

    field: str
    old: str | None  # None: the event recorded no earlier value (a creation)
    new: str | None  # None: no later value


@dataclass(frozen=True)
class ShownEvent:
    """An audit event ready for the page."""

    event: AuditEvent
    who: str
    record: str
    record_url: str | None
    changes: Sequence[ShownChange]
    record_name: str = ""  # a staff account's e-mail, kept whole on the page


def staff_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """E-mail (or display name) of each staff account in ``ids``, in one query."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    return {uid: name or email for uid, email, name in
            session.execute(select(User.id, User.email, User.display_name).where(User.id.in_(wanted)))}


def _user_ids(events: Sequence[AuditEvent]) -> set[int]:
    found = {e.actor_user_id for e in events if e.actor_user_id is not None}
    for event in events:
        for side in (event.before or {}, event.after or {}):
            found.update(v for k, v in side.items() if k in USER_FIELDS and isinstance(v, int))
        if event.entity_type == "user" and event.entity_id is not None:
            found.add(event.entity_id)
    return found


def record_url(event: AuditEvent) -> str | None:
    """The console page of the record an event is about, when there is one a supervisor can open."""
    rid, after = event.entity_id, event.after or {}
    if rid is None:
        return None
    if event.entity_type == "report":
        return url_for("console.report", report_id=rid)
    if event.entity_type == "rumour":
        return url_for("console.rumour", rumour_id=rid)
    if event.entity_type == "counter_message":
        return url_for("console.library") + f"#message-{rid}"
    if event.entity_type == "protection_referral" and isinstance(after.get("report_id"), int):
        return url_for("console.report", report_id=after["report_id"]) + f"#referral-{rid}"
    if event.entity_type == "user":
        return url_for("console.audit", user=rid)  # what this person did
    if event.entity_type == "referral_partner":
        return url_for("console.partners") + f"#partner-{rid}"
    if event.entity_type == "focal_point":
        return url_for("field_console.focal_points")
    return None  # a caller, a retention run, a token: no page to open


def _value(field: str, value: Any, entity_type: str, names: Mapping[int, str], taxonomy: Taxonomy,
           locale: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return ", ".join(_value(field, item, entity_type, names, taxonomy, locale) for item in value) or "—"
    if field in USER_FIELDS and isinstance(value, int):
        return names.get(value, f"#{value}")
    if field in ID_FIELDS and isinstance(value, int):
        return f"#{value}"
    if field == "status":
        return label(STATUS_KINDS.get(entity_type, "status"), str(value))
    if field in VALUE_KINDS:
        return label(VALUE_KINDS[field], str(value))
    if field == "category":
        category = taxonomy.category(str(value))
        return category.label.in_language(locale) if category else safe_text(value)
    if field == "type":
        kind = next((t for t in taxonomy.types if t.id == value), None)
        return kind.label.in_language(locale) if kind else safe_text(value)
    if field in ("language", "languages", "ui_locale", "translations") and isinstance(value, str):
        return language_name(value)
    return safe_text(value)


def show_events(session: Session, events: Sequence[AuditEvent], taxonomy: Taxonomy, locale: str) -> list[ShownEvent]:
    """Each event with its actor's name, its record and link, and its readable changes."""
    names = staff_names(session, _user_ids(events))
    shown = []
    for event in events:
        who = names.get(event.actor_user_id, "") if event.actor_user_id is not None else ""
        record = label("entity_type", event.entity_type)
        record_name = ""
        if event.entity_id is not None:
            record = f"{record} #{event.entity_id}"
            if event.entity_type == "user":
                record_name = names.get(event.entity_id, "")
        changes = [ShownChange(str(FIELD_LABELS.get(c.field, c.field)),
                               None if c.old is ABSENT else _value(c.field, c.old, event.entity_type, names,
                                                                   taxonomy, locale),
                               None if c.new is ABSENT else _value(c.field, c.new, event.entity_type, names,
                                                                   taxonomy, locale))
                   for c in describe(event.before, event.after)]
        shown.append(ShownEvent(event, who or safe_text(event.actor_label), record,
                                record_url(event), changes, record_name))
    return shown

