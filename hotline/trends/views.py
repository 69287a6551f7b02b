"""/console/trends: the analysts' dashboard (filters, server-rendered SVG charts, rising rumours)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from babel.dates import get_month_names
from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from marshmallow import ValidationError

from hotline.auth.models import Role
from hotline.auth.session import login_required
from hotline.context import runtime
from hotline.extensions import db
from hotline.i18n import current_ui_code, language_name
from hotline.intake.constants import Channel
from hotline.rumours.models import Rumour, RumourStatus
from hotline.trends.campaigns import evaluate_campaigns
from hotline.trends.cells import DIMENSIONS, TrendFilters
from hotline.trends.charts import bar_inputs, line_inputs, top_values
from hotline.trends.config import confirmed_match_score, trends_config
from hotline.trends.explain import explain_rise
from hotline.trends.labels import rumour_name
from hotline.trends.linked import MAX_DIMENSIONS
from hotline.trends.params import TrendQuerySchema
from hotline.trends.png import png_available, svg_to_png
from hotline.trends.present import campaign_body
from hotline.trends.queries import iter_cells, weekly_totals
from hotline.trends.rumour_page import rumour_weeks
from hotline.trends.runtime import regional_news
from hotline.trends.seasons import first_monday, month_profile, season_warnings, seasons
from hotline.trends.series import GROUPABLE
from hotline.trends.service import TrendSummary, trend_summary
from hotline.trends.svgchart import bar_chart, line_chart
from hotline.trends.weeks import partial_index, weeks_between
from hotline.web.labels import label as stored_label

bp = Blueprint("trends", __name__, url_prefix="/console/trends")
READERS = (Role.ANALYST, Role.SUPERVISOR)
CHARTS = ("weekly", "totals", "seasonal")
PROFILE_YEARS = 3


def _query() -> tuple[dict[str, str], str]:
    """The filters from the query string, with a default range of the last twelve weeks."""
    today = date.today()
    values = {"from": (today - timedelta(weeks=12)).isoformat(), "to": today.isoformat()}
    values.update({k: v for k, v in request.args.items() if v and k in _FIELDS})
    group_by = request.args.get("group_by", "category")
    return values, group_by if group_by in GROUPABLE else "category"


_FIELDS = {"from", "to", "country", "admin1", "language", "channel", "category"}


def _label(group_by: str) -> Any:
    taxonomy, ui = runtime().taxonomy, current_ui_code()

    def label(value: str | int | None) -> str:
        if value is None:
            return str(gettext("unconfirmed") if group_by in ("type", "category", "rumour_id") else gettext("unknown"))
        if group_by == "category":
            category = taxonomy.category(str(value))
            return category.label.in_language(ui) if category else str(value)
        if group_by == "language":
            return language_name(str(value))
        if group_by == "type":
            report_type = next((t for t in taxonomy.types if t.id == value), None)
            return report_type.label.in_language(ui) if report_type else str(value)
        if group_by == "channel":
            return stored_label("channel", str(value))
        if group_by == "rumour_id":
            found = db.session().get(Rumour, value)
            if found is not None and found.status == RumourStatus.REVIEWED:
                return _short(rumour_name(found, ui))
            return str(gettext("Rumour %(id)s", id=value))
        return str(value)

    return label


def _short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _rumour_links(summary: TrendSummary | None, group_by: str) -> list[tuple[int, str]]:
    """(id, name) of the rumours the weekly chart draws, in its legend's order: the legend's links."""
    if summary is None or group_by != "rumour_id":
        return []
    label = _label("rumour_id")
    return [(int(value), label(value)) for value in top_values(summary.series) if isinstance(value, int)]


def _summary() -> tuple[TrendSummary | None, dict[str, str], str, dict[str, Any]]:
    values, group_by = _query()
    try:
        filters = TrendQuerySchema().load(values)
    except ValidationError as exc:
        return None, values, group_by, exc.messages_dict
    # The form (and the charts' links) show the range as counted: widened to whole ISO weeks.
    values = {**values, "from": filters.date_from.isoformat(), "to": filters.date_to.isoformat()}
    return trend_summary(db.session(), filters, group_by), values, group_by, {}


@bp.get("")
@login_required(*READERS)
def dashboard() -> ResponseReturnValue:
    """Filters, the two charts and the rising rumours and categories of the range's last week."""
    summary, values, group_by, errors = _summary()
    weeks = trends_config().rising.recent_weeks
    context = {
        "values": values, "group_by": group_by, "errors": errors, "summary": summary,
        "groupable": GROUPABLE, "channels": [c.value for c in Channel],
        "languages": [(code, language_name(code)) for code in runtime().languages.codes],
        "categories": [(c.id, c.label.in_language(current_ui_code())) for c in runtime().taxonomy.categories],
        "charts": CHARTS, "dimensions": DIMENSIONS, "max_dims": MAX_DIMENSIONS, "png": png_available(),
        "chart_args": {**values, "group_by": group_by},
        "rising_rumours": [(r, explain_rise(r, gettext, weeks), _label("rumour_id")(r.key))
                           for r in (summary.rising_rumours if summary else [])],
        "rumour_links": _rumour_links(summary, group_by),
        "rising_categories": [(r, explain_rise(r, gettext, weeks), _label("category")(r.key))
                              for r in (summary.rising_categories if summary else [])],
        "season_warnings": season_warnings(seasons(), summary.filters.date_to,
                                           [str(r.key) for r in summary.rising_categories]) if summary else [],
        "category_label": _label("category"),
        "campaigns": [campaign_body(r) for r in evaluate_campaigns(db.session(), date.today(),
                                                                   trends_config().min_cell_count)],
        # Rumours' paths across peer countries and early warnings: published weeks only (hotline.region).
        "regional": regional_news(db.session(), date.today(), current_ui_code()),
    }
    return render_template("trends/dashboard.html", **context), 400 if errors else 200


@bp.get("/chart/<kind>.<ext>")
@login_required(*READERS)
def chart(kind: str, ext: str) -> ResponseReturnValue:
    """One chart as SVG (or PNG), drawn on the server; ``download=1`` offers it as a file."""
    if kind not in CHARTS or ext not in ("svg", "png") or (ext == "png" and not png_available()):
        return Response(status=404)
    summary, _values, group_by, errors = _summary()
    if summary is None:
        return Response(str(errors), status=400, mimetype="text/plain")
    label = _label(group_by)
    if kind == "weekly":
        weeks, lines = line_inputs(summary.series, label)
        svg = line_chart(gettext("Reports per week"), weeks, lines, outline=ext == "png",
                         hidden_label=_hidden_label(summary.k),
                         partial=partial_index(summary.series.weeks, date.today()),
                         partial_label=gettext("this week so far"))
    elif kind == "totals":
        svg = bar_chart(gettext("Reports in the range"), bar_inputs(summary.series, label), outline=ext == "png")
    else:
        svg = _seasonal_chart(summary, outline=ext == "png")
    if ext == "png":
        response = Response(svg_to_png(svg), mimetype="image/png")
    else:
        response = Response(svg, mimetype="image/svg+xml")
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="hotline-{kind}.{ext}"'
    return response


def _seasonal_chart(summary: TrendSummary, outline: bool) -> str:
    """Month-of-year profile of this and the previous years, with the same filters, from published weekly totals:
    a month with a week under k is a gap (see hotline.trends.seasons.month_profile)."""
    end = summary.filters.date_to
    start = first_monday(end.year - PROFILE_YEARS + 1)
    weekly = weekly_totals(db.session(), replace(summary.filters, date_from=start))
    profile = month_profile(weekly, summary.k)
    months = get_month_names("abbreviated", locale=get_locale())
    return line_chart(gettext("Reports by month of the year"), [months[m] for m in range(1, 13)],
                      [(str(year), list(counts)) for year, counts in profile.items()], outline=outline,
                      hidden_label=_hidden_label(summary.k))


def _hidden_label(k: int) -> str:
    """The legend's words for the cross that marks a hidden count."""
    return str(gettext("hidden (under %(k)s)", k=k))


RUMOUR_WEEKS = 12


@bp.get("/rumours/<int:rumour_id>")
@login_required(*READERS)
def rumour(rumour_id: int) -> ResponseReturnValue:
    """A reviewed rumour, read-only: statement, translations, category, weekly counts as the charts publish them.
    Candidates (made from a caller's words), merged and unknown rumours are 404."""
    found = db.session().get(Rumour, rumour_id)
    if found is None or found.status != RumourStatus.REVIEWED:
        abort(404)
    today = date.today()
    weeks = weeks_between(today - timedelta(weeks=RUMOUR_WEEKS - 1), today)
    k = trends_config().min_cell_count
    filters = TrendFilters(weeks[0], weeks[-1] + timedelta(days=6))
    cells = iter_cells(db.session(), filters, confirmed_match_score())
    ui = current_ui_code()
    category = runtime().taxonomy.category(found.category)
    return render_template(
        "trends/rumour.html", rumour=found, statement=rumour_name(found, ui),
        translations=sorted((found.statement_translations or {}).items()),
        category=category.label.in_language(ui) if category else found.category,
        weeks=rumour_weeks(cells, found.id, weeks, k, today), k=k)
