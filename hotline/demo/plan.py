"""Plan the demo's synthetic traffic: a pure, deterministic function of a seed, the samples and "now"."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from hotline.demo.content import Flow, Sample, Samples
from hotline.intake.constants import Channel, ReportStatus, Sensitivity, Urgency

WEEKS = 12
T = TypeVar("T")


@dataclass(frozen=True)
class PlannedReport:
    """One synthetic inbound report and what an operator later did with it."""

    index: int
    language: str
    channel: Channel
    sample: Sample
    text: str
    received_at: datetime
    country: str
    admin1: str
    caller_index: int  # which of the country's synthetic callers sent it (callers call again)
    status: ReportStatus
    coded: bool
    urgency: Urgency
    sensitivity: Sensitivity
    handled_after: timedelta  # from receipt to the operator's answer or closing


def weighted(rng: random.Random, weights: Mapping[T, float]) -> T:
    """One key of ``weights``, drawn in proportion to its weight (in the mapping's order, for determinism)."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def recency(received_at: datetime, now: datetime) -> float:
    """0.0 for the oldest day of the demo period, 1.0 for today."""
    age_days = (now - received_at).total_seconds() / 86400
    return max(0.0, min(1.0, 1 - age_days / (WEEKS * 7)))


def plan_reports(rng: random.Random, samples: Samples, count: int, now: datetime) -> list[PlannedReport]:
    """``count`` reports over the last twelve weeks, more of them recent, with the rising categories rising.

    Each language appears at least once when ``count`` allows; the same seed and ``now`` give the same plan.
    """
    return [_plan_one(rng, samples, index, now) for index in range(count)]


def _plan_one(rng: random.Random, samples: Samples, index: int, now: datetime) -> PlannedReport:
    codes = list(samples.languages)
    received_at = _received_at(rng, now)
    age = now - received_at
    # The first reports visit every language once, so even a small demo shows them all.
    flow = _pick_flow(rng, samples) if index >= len(codes) else None
    if flow is not None:
        # A rumour operators hear all day is coded within the day: a campaign team counts these first.
        language, admin1, channel = flow.language, flow.region, Channel(flow.channel)
        sample = next(s for s in samples.samples if s.id == flow.sample)
        coded = rng.random() < (0.95 if age > timedelta(days=2) else 0.5)
    else:
        language = codes[index] if index < len(codes) else weighted(
            rng, {c: samples.languages[c].weight for c in codes})
        mix = samples.languages[language]
        sample = _pick_sample(rng, samples, language, recency(received_at, now))
        admin1, channel = weighted(rng, mix.regions), Channel(weighted(rng, mix.channels))
        coded = rng.random() < (0.85 if age > timedelta(days=10) else 0.35)
    protection = sample.sensitivity == Sensitivity.PROTECTION
    return PlannedReport(
        index=index, language=language, channel=channel, sample=sample,
        text=rng.choice(sample.texts[language]), received_at=received_at, country=admin1[:2], admin1=admin1,
        caller_index=int(rng.paretovariate(1.2)) % 50, status=_status(rng, coded, protection, age),
        coded=coded, urgency=Urgency(sample.urgency), sensitivity=Sensitivity(sample.sensitivity),
        handled_after=timedelta(minutes=rng.randint(8, 60 * 30)),
    )


def _pick_flow(rng: random.Random, samples: Samples) -> Flow | None:
    """One of the few flows that carry most calls (``flow_share`` of reports), or None for the long tail."""
    if not samples.flows or rng.random() >= samples.flow_share:
        return None
    return weighted(rng, {flow: flow.weight for flow in samples.flows})


def _received_at(rng: random.Random, now: datetime) -> datetime:
    # Weekly volume grows towards today (the season is coming); within a week, callers call in waking hours.
    week = rng.choices(range(WEEKS), weights=[1 + w / 4 for w in range(WEEKS)])[0]
    days_ago = (WEEKS - 1 - week) * 7 + rng.uniform(0, 7)
    moment = now - timedelta(days=days_ago)
    moment = moment.replace(hour=rng.randint(5, 21), minute=rng.randint(0, 59), second=rng.randint(0, 59))
    return min(moment, now - timedelta(minutes=rng.randint(5, 90)))


def _pick_sample(rng: random.Random, samples: Samples, language: str, recent: float) -> Sample:
    candidates: Sequence[Sample] = [s for s in samples.samples if language in s.texts]
    weights = [1 + 4 * recent**2 if s.category in samples.rising else 1.0 for s in candidates]
    return rng.choices(candidates, weights=weights)[0]


def _status(rng: random.Random, coded: bool, protection: bool, age: timedelta) -> ReportStatus:
    if not coded:
        return ReportStatus.NEW
    if protection:
        return ReportStatus.ESCALATED if age < timedelta(days=21) else ReportStatus.CLOSED
    return weighted(rng, {ReportStatus.CLAIMED: 1, ReportStatus.ANSWERED: 5, ReportStatus.CLOSED: 3})
