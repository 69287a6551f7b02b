"""Rises and campaign evaluations as the API and the dashboard present them (explanations in the UI language)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext

from hotline.trends.campaigns import CampaignResult
from hotline.trends.evaluation import summarise
from hotline.trends.explain import explain_rise
from hotline.trends.rising import Rise
from hotline.trends.weeks import week_label


def rise_body(rise: Rise, recent_weeks: int) -> dict[str, Any]:
    """A rise as the API and dashboard present it, explanation included (in the request's language)."""
    return {"key": rise.key, "week": week_label(rise.week), "count": rise.count,
            "expected": round(rise.baseline.expected, 2), "basis": rise.baseline.basis,
            "change_percent": rise.change_percent, "p_value": rise.p_value, "languages": rise.languages,
            "top_channel": rise.top_channel, "top_region": rise.top_region, "new": rise.new,
            "explanation": explain_rise(rise, gettext, recent_weeks)}


def campaign_body(result: CampaignResult) -> dict[str, Any]:
    """A campaign's evaluation as the API and dashboard present it (summary in the request's language)."""
    c, spans, ev = result.campaign, result.periods, result.evaluation

    def period(span: tuple[date, date] | None, reports: int | None, rate: float | None) -> dict[str, Any] | None:
        return None if span is None else {"first": span[0], "last": span[1], "reports": reports, "per_week": rate}

    return {"id": c.id, "name": c.name, "target_categories": c.target_categories, "languages": c.languages,
            "regions": c.regions, "before": period(spans.before, ev.before, ev.rate_before),
            "during": period(spans.during, ev.during, ev.rate_during),
            "after": period(spans.after, ev.after, ev.rate_after), "change_percent": ev.change_percent,
            "p_value": ev.p_value, "summary": summarise(ev, gettext)}
