"""Seed a demo database: staff, rumours and counter-messages, a campaign, focal points, and a few hundred
synthetic reports over the last twelve weeks — every report through the real intake service.

Deterministic for a given seed. Flushes only; prepare_demo commits once, with the "demo.seed" audit marker.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.audit.service import record_event
from hotline.auth.models import Role, User
from hotline.auth.service import create_user
from hotline.campaigns.models import Campaign
from hotline.context import Runtime
from hotline.demo.content import DemoContent, Sample
from hotline.field.models import FocalPoint, FocalPointKind
from hotline.intake.constants import Channel, HeardVia, ReportStatus, Sensitivity, Urgency
from hotline.intake.inbound import InboundMessage, InboundRecording, InboundReport, Intake, urgency_rank
from hotline.intake.models import Report
from hotline.intake.service import IntakeContext, record
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus

SEED_MARKER = "demo.seed"
WEEKS = 12
# Where speakers of each language call from: (region, admin1 codes).
PLACES: dict[str, list[tuple[str, list[str]]]] = {
    "prs": [("AF", ["AF-KAB", "AF-HER", "AF-BAL", "AF-NAN"])],
    "ps": [("AF", ["AF-NAN", "AF-KDH", "AF-KHO"]), ("PK", ["PK-KP"])],
    "ur": [("PK", ["PK-PB", "PK-KP", "PK-SD"])],
    "bn": [("BD", ["BD-B", "BD-C", "BD-G"])],
    "rhg": [("BD", ["BD-B"]), ("MY", ["MY-14", "MY-10"])],
    "si": [("LK", ["LK-1", "LK-2", "LK-3"])],
    "ta": [("LK", ["LK-4", "LK-5"]), ("MY", ["MY-14"])],
    "dv": [("MV", ["MV-MLE"])],
    "ms": [("MY", ["MY-14", "MY-01", "MY-10"])],
    "id": [("ID", ["ID-JK", "ID-NT", "ID-RI", "ID-AC"])],
    "th": [("TH", ["TH-10", "TH-90", "TH-85"])],
    "en": [("AF", ["AF-KAB"]), ("LK", ["LK-1"]), ("MY", ["MY-14"])],
}
CHANNELS = [(Channel.VOICE, 35), (Channel.SMS, 30), (Channel.WHATSAPP, 25), (Channel.FIELD, 10)]
RISING = {"journey_risk", "smuggler_claims"}  # the sailing season is near: these rise in recent weeks
STAFF = [
    ("operator@demo.example.org", Role.OPERATOR, ["prs", "ps", "ur", "en"]),
    ("operator.bay@demo.example.org", Role.OPERATOR, ["bn", "rhg", "ms", "id", "en"]),
    ("supervisor@demo.example.org", Role.SUPERVISOR, ["prs", "en"]),
    ("analyst@demo.example.org", Role.ANALYST, ["en"]),
    ("admin@demo.example.org", Role.ADMIN, ["en"]),
]


@dataclass
class SeedResult:
    """What seeding made: staff credentials (to print) and every synthetic number used (for privacy tests)."""

    credentials: list[tuple[str, str, str]] = field(default_factory=list)
    numbers: set[str] = field(default_factory=set)
    reports: int = 0


def is_seeded(session: Session) -> bool:
    """Whether this database already holds the demo data."""
    return session.scalar(select(AuditEvent.id).where(AuditEvent.action == SEED_MARKER).limit(1)) is not None


def seed(
    session: Session, runtime: Runtime, content: DemoContent, *, reports: int = 400, seed_value: int = 7,
    now: datetime | None = None, progress: Callable[[str], None] = lambda _line: None,
) -> SeedResult:
    """Create the demo data; the caller commits."""
    rng = random.Random(seed_value)
    now = now or datetime.now(UTC)
    result = SeedResult()
    staff = _staff(session, result)
    progress(f"staff: {len(result.credentials)} users")
    rumours = _rumours(session, content, staff[Role.SUPERVISOR], now)
    progress(f"rumours: {len(rumours)} reviewed, with approved counter-messages")
    _campaign_and_focal_points(session, now)
    callers = _caller_pool(rng, result)
    ctx = runtime.intake_context()
    for index in range(reports):
        sample = _pick_sample(rng, content.samples, index, reports)
        _one_report(session, ctx, rng, sample, callers, rumours, staff, now)
        if (index + 1) % 50 == 0 or index + 1 == reports:
            progress(f"seeding reports {index + 1}/{reports}")
    _refresh_rumour_counts(session, rumours.values())
    result.reports = reports
    record_event(session, "demo", SEED_MARKER, "database", None, after={"reports": reports, "seed": seed_value})
    session.flush()
    return result


def _staff(session: Session, result: SeedResult) -> dict[str, User]:
    by_role: dict[str, User] = {}
    for email, role, languages in STAFF:
        password = secrets.token_urlsafe(12)  # random even though the rest is seeded: never a known password
        user = create_user(session, {"email": email, "role": role.value, "password": password,
                                     "languages": languages, "display_name": email.split("@")[0]}, actor="demo")
        by_role.setdefault(role.value, user)
        result.credentials.append((role.value, email, password))
    return by_role


def _rumours(session: Session, content: DemoContent, supervisor: User, now: datetime) -> dict[str, Rumour]:
    by_code: dict[str, Rumour] = {}
    for item in content.rumours:
        rumour = Rumour(canonical_statement=item["statement"], statement_translations=item["translations"],
                        category=item["category"], code=item["code"], status=RumourStatus.REVIEWED,
                        verification=item["verification"], risk=item["risk"], report_count=0)
        session.add(rumour)
        for language, message in item["messages"].items():
            session.add(CounterMessage(
                rumour=rumour, category=item["category"], language=language, title=message["title"],
                body=message["body"], source=message["source"], status=ApprovalStatus.APPROVED,
                created_by_id=supervisor.id, approved_by_id=supervisor.id, approved_at=now - timedelta(days=30),
            ))
        by_code[item["code"]] = rumour
    session.add(CounterMessage(category="legal_pathways", language="prs", title="راه‌های قانونی کار در خارج",
                               body="پیش‌نویس: فهرست برنامه‌های کار قانونی.", status=ApprovalStatus.DRAFT))
    session.add(CounterMessage(category="journey_risk", language="rhg", title="Sagor ot dor",
                               body="Draft: recorded message to come.", status=ApprovalStatus.DRAFT))
    session.flush()
    return by_code


def _campaign_and_focal_points(session: Session, now: datetime) -> None:
    today = now.date()
    session.add(Campaign(
        name="Before the sailing season: the boats are not safe", languages=["bn", "rhg"],
        regions=[{"country": "BD", "admin1": "BD-B"}, {"country": "MY"}], channels=["voice", "sms", "field"],
        target_categories=["journey_risk", "smuggler_claims"], starts_on=today - timedelta(weeks=4),
        ends_on=today + timedelta(weeks=4),
        description="Radio spots and mosque announcements in Cox's Bazar before the sailing season.",
    ))
    for name, kind, country, admin1, languages in [
        ("Imam, Jalalabad", FocalPointKind.RELIGIOUS_LEADER, "AF", "AF-NAN", ["ps", "prs"]),
        ("Teacher, Kutupalong", FocalPointKind.TEACHER, "BD", "BD-B", ["rhg", "bn"]),
        ("Returnee, Jaffna", FocalPointKind.RETURNEE, "LK", "LK-4", ["ta"]),
        ("Volunteer, Aceh", FocalPointKind.COMMUNITY_VOLUNTEER, "ID", "ID-AC", ["id"]),
    ]:
        session.add(FocalPoint(display_name=name, kind=kind, country=country, admin1=admin1, languages=languages))


def _caller_pool(rng: random.Random, result: SeedResult) -> dict[str, list[str]]:
    """About a dozen synthetic mobile numbers per country, built from phonenumbers' example numbers."""
    pool: dict[str, list[str]] = {}
    for region in sorted({region for places in PLACES.values() for region, _ in places}):
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        assert example is not None, f"phonenumbers has no example mobile number for {region}"
        national = str(example.national_number)
        numbers = [f"+{example.country_code}{national[:-4]}{rng.randrange(10_000):04d}" for _ in range(12)]
        pool[region] = numbers
        result.numbers.update(numbers)
    return pool


def _pick_sample(rng: random.Random, samples: tuple[Sample, ...], index: int, total: int) -> Sample:
    # Later reports (the recent weeks) lean towards the rising categories.
    recent = index > total * 0.6
    weights = [3 if recent and s.category in RISING else 1 for s in samples]
    return rng.choices(samples, weights=weights)[0]


def _one_report(
    session: Session, ctx: IntakeContext, rng: random.Random, sample: Sample, callers: dict[str, list[str]],
    rumours: dict[str, Rumour], staff: dict[str, User], now: datetime,
) -> None:
    region, admin1s = rng.choice(PLACES[sample.language])
    channel = rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
    days_ago = rng.triangular(0, WEEKS * 7, WEEKS * 7 * (0.1 if sample.category in RISING else 0.5))
    received = now - timedelta(days=days_ago, minutes=rng.randrange(1440))
    coded = rng.random() < 0.65
    urgent = sample.type == "concern_incident" and rng.random() < 0.5
    report = InboundReport(
        source_id="", text=None if channel is Channel.VOICE else sample.text,
        type=sample.type if coded else None, category=sample.category if coded else None,
        code=sample.code if coded else None, language=sample.language,
        urgency=Urgency.HIGH if urgent else Urgency.NORMAL,
        sensitivity=Sensitivity.PROTECTION if sample.category == "protection_safety" else Sensitivity.NORMAL,
        country=region, admin1=rng.choice(admin1s),
        people_count=rng.choice([3, 5, 10, 20, 50]) if channel is Channel.FIELD else None,
    )
    event = _event(channel, rng, received, report, rng.choice(callers[region]), sample.language)
    stored = record(session, event, ctx).report
    if stored is not None:
        _triage(stored, rng, coded, received, now, staff, rumours.get(sample.code) if coded else None)


def _event(channel: Channel, rng: random.Random, received: datetime, report: InboundReport,
           number: str, language: str) -> Intake:
    sid = uuid.UUID(int=rng.getrandbits(128)).hex
    heard = rng.choice(list(HeardVia)) if rng.random() < 0.5 else None
    if channel is Channel.VOICE:
        rec_sid = "RE" + sid
        return Intake(channel=channel, received_at=received, sender=number, contact_key="CA" + sid,
                      language=language, heard_via=heard, ivr_step="record_report",
                      recording=InboundRecording(sid=rec_sid, purpose="report", duration_seconds=rng.randrange(4, 90)),
                      report=_with_source(report, rec_sid))
    if channel is Channel.FIELD:
        return Intake(channel=channel, received_at=received, sender=None, contact_key="FV" + sid,
                      language=language, report=_with_source(report, "FV" + sid))
    sender = f"whatsapp:{number}" if channel is Channel.WHATSAPP else number
    return Intake(channel=channel, received_at=received, sender=sender, language=language, heard_via=heard,
                  message=InboundMessage(sid="SM" + sid, body=report.text), report=_with_source(report, "SM" + sid))


def _with_source(report: InboundReport, source_id: str) -> InboundReport:
    return replace(report, source_id=source_id)


def _triage(report: Report, rng: random.Random, coded: bool, received: datetime, now: datetime,
            staff: dict[str, User], rumour: Rumour | None) -> None:
    """Older reports have mostly been answered or closed by an operator, as in a working hotline."""
    operator = staff[Role.OPERATOR]
    if coded:
        report.coded_by_id = operator.id
    if rumour is not None and report.type == "rumour_belief":
        report.rumour_id = rumour.id
        rumour.first_seen_at = min(filter(None, [rumour.first_seen_at, received]))
        rumour.last_seen_at = max(filter(None, [rumour.last_seen_at, received]))
    age_days = (now - received).days
    if coded and age_days > 3 and rng.random() < 0.8:
        report.status = rng.choice([ReportStatus.ANSWERED, ReportStatus.CLOSED])
        report.answered_at = received + timedelta(hours=rng.uniform(0.5, 48))
        report.assignee_id = operator.id
    elif report.urgency != Urgency.NORMAL and rng.random() < 0.3:
        report.status = ReportStatus.ESCALATED
    if report.category == "protection_safety":
        report.urgency, report.urgency_rank = Urgency.HIGH, urgency_rank(Urgency.HIGH)


def _refresh_rumour_counts(session: Session, rumours: Iterable[Rumour]) -> None:
    session.flush()
    for rumour in rumours:
        rumour.report_count = len(session.scalars(select(Report.id).where(Report.rumour_id == rumour.id)).all())
