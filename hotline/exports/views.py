"""/console/trends/export.<format>: the trends page's self-service export, by the dimensions the analyst chose.

Analysts and supervisors only (as the page). The table is suppressed with the page's own guard and consistently
with every coarser choice of dimensions (hotline.trends.linked), so choosing other dimensions gives no hidden count
back; codes carry their names in the reader's language; XLSX has real dates, a frozen header, an autofilter and a
sheet explaining the marks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from hotline.auth.models import Role
from hotline.auth.session import login_required
from hotline.exports.columns import table_columns
from hotline.exports.writers import CONTENT_TYPES, csv_chunks, json_chunks, xlsx_chunks
from hotline.extensions import db
from hotline.trends.config import trends_config
from hotline.trends.labels import dimension_labels
from hotline.trends.params import TableQuery, TableQuerySchema
from hotline.trends.service import table_records

bp = Blueprint("exports", __name__, url_prefix="/console/trends")
READERS = (Role.ANALYST, Role.SUPERVISOR)
_FIELDS = ("from", "to", "country", "admin1", "language", "channel", "category")


def parse_table_query(fmt: str) -> TableQuery:
    """The page's filters and ``dims`` (repeatable) from the query string; 400 with the reasons otherwise."""
    values: dict[str, Any] = {key: request.args[key] for key in _FIELDS if request.args.get(key)}
    values["dims"] = [d for d in request.args.getlist("dims") if d]
    values["format"] = fmt
    try:
        query: TableQuery = TableQuerySchema().load(values)
    except ValidationError as exc:
        problems = exc.messages_dict if isinstance(exc.messages, dict) else {"input": exc.messages}
        abort(Response("; ".join(f"{key}: {messages}" for key, messages in problems.items()),
                       status=400, mimetype="text/plain"))
    return query


def about_lines(query: TableQuery, k: int) -> list[tuple[str, str]]:
    """The explanation sheet: what each mark means, and what was counted (in the reader's language)."""
    f = query.filters
    filters = ", ".join(f"{name}={getattr(f, name)}" for name in ("country", "admin1", "language", "channel",
                                                                  "category") if getattr(f, name) is not None)
    return [
        (gettext("count"), gettext("Reports received in the ISO week (Monday to Sunday, UTC); only coding "
                                   "confirmed by staff is counted.")),
        (gettext("empty count"), gettext("Not published: see the mark in the column \"suppressed\".")),
        ("primary", gettext("Fewer than %(k)s reports: hidden so that nobody can be singled out.", k=k)),
        ("secondary", gettext("Hidden as well, so that a hidden count cannot be worked out from a total, from "
                              "the other rows or from an export by other dimensions.")),
        ("partial", gettext("The week is not over yet: its counts will still grow.")),
        ("week_total", gettext("The week's total over every row.")),
        (gettext("threshold"), str(k)),
        (gettext("weeks"), f"{f.date_from.isoformat()} / {f.date_to.isoformat()}"),
        (gettext("dimensions"), ", ".join(query.dims)),
        (gettext("filters"), filters or gettext("none")),
    ]


@bp.get("/export.<fmt>")
@login_required(*READERS)
def table(fmt: str) -> ResponseReturnValue:
    """The page's filters and chosen dimensions as CSV, XLSX or JSON, streamed from a read-only session."""
    if fmt not in CONTENT_TYPES:
        return Response(status=404)
    query = parse_table_query(fmt)
    k = trends_config().min_cell_count
    label = dimension_labels(db.session())  # names looked up now, in the request's language
    about = about_lines(query, k)
    columns = table_columns(query.dims)
    today = date.today()
    meta = {"from": query.filters.date_from.isoformat(), "to": query.filters.date_to.isoformat(),
            "dimensions": list(query.dims), "min_cell_count": k, "generated": today.isoformat(),
            "notes": dict(about)}

    def body(session: Session) -> Iterator[Any]:
        records = table_records(session, query.filters, query.dims, label, today, k)
        if fmt == "xlsx":
            return xlsx_chunks(records, columns, about=about)
        if fmt == "json":
            return json_chunks(records, meta, columns)
        return csv_chunks(records, columns)

    name = f"hotline-trends-{'-'.join(query.dims)}-{meta['from']}-{meta['to']}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"}
    return Response(db.stream(body), content_type=CONTENT_TYPES[fmt], headers=headers)

