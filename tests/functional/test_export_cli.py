"""`hotline export trends`: standard output or a file, progress on stderr, clear errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from hotline.cli import cli
from tests.factories import make_staff
from tests.trends_helpers import add_report


def seed(session: Session) -> None:
    operator = make_staff(session)
    for _ in range(5):
        add_report(session, "2026-12-31T10:00:00", coded_by=operator)
    add_report(session, "2027-01-01T10:00:00", coded_by=operator, language="prs")


def test_csv_to_standard_output(runner: FlaskCliRunner, db_session: Session) -> None:
    seed(db_session)
    result = runner.invoke(cli, ["export", "trends", "--from", "2026-12-28", "--to", "2027-01-03"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1][0] == "#meta+week"
    assert [row[0] for row in rows[2:]] == ["2026-W53"] * 3
    assert "exported 3 rows" in result.stderr


def test_json_and_xlsx_to_a_file(runner: FlaskCliRunner, db_session: Session, tmp_path: Path) -> None:
    seed(db_session)
    out = tmp_path / "t.json"
    result = runner.invoke(cli, ["export", "trends", "--from", "2026-12-28", "--to", "2027-01-03",
                                 "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["rows"][-1]["count"] == 6
    xlsx = tmp_path / "t.xlsx"
    result = runner.invoke(cli, ["export", "trends", "--from", "2026-12-28", "--to", "2027-01-03",
                                 "--format", "xlsx", "-o", str(xlsx)])
    assert result.exit_code == 0 and xlsx.read_bytes()[:2] == b"PK"


def test_bad_dates_name_the_option(runner: FlaskCliRunner, db_session: Session) -> None:
    result = runner.invoke(cli, ["export", "trends", "--from", "2026-02-30", "--to", "2027-01-03"])
    assert result.exit_code == 2 and "--from" in result.output


def test_ranges_a_day_apart_give_the_same_export(runner: FlaskCliRunner, db_session: Session) -> None:
    seed(db_session)
    add_report(db_session, "2026-12-28T10:00:00", coded_by=make_staff(db_session))  # the Monday
    outputs = [runner.invoke(cli, ["export", "trends", "--from", first, "--to", last])
               for first, last in (("2026-12-28", "2027-01-03"), ("2026-12-29", "2027-01-02"))]
    assert outputs[0].exit_code == outputs[1].exit_code == 0
    assert outputs[0].stdout == outputs[1].stdout
    assert "counting whole ISO weeks: 2026-12-28 (Monday) to 2027-01-03 (Sunday)" in outputs[1].stderr


def test_a_range_over_the_cap_is_a_usage_error(runner: FlaskCliRunner, db_session: Session) -> None:
    result = runner.invoke(cli, ["export", "trends", "--from", "2020-01-01", "--to", "2027-01-03"])
    assert result.exit_code == 2 and "--to" in result.output and "at most 156 whole weeks" in result.output


def test_chosen_dimensions_with_names_and_refusals(runner: FlaskCliRunner, db_session: Session) -> None:
    seed(db_session)
    base = ["export", "trends", "--from", "2026-12-28", "--to", "2027-01-03"]
    result = runner.invoke(cli, [*base, "--dims", "language"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:6] == ["iso_week", "week_start", "partial", "row", "language", "language_name"]
    table = {row[4]: (row[5], row[-2], row[-1]) for row in rows[2:] if row[3] == "cell"}
    # Dari (1) is hidden, and Pashto (5) with it: the week's total (6) would otherwise give Dari back.
    assert table == {"prs": ("Dari", "", "primary"), "ps": ("Pashto", "", "secondary")}
    too_many = runner.invoke(cli, [*base, "--dims", "country", "--dims", "language", "--dims", "channel",
                                   "--dims", "category"])
    assert too_many.exit_code == 2 and "at most 3" in too_many.output
    unknown = runner.invoke(cli, [*base, "--dims", "text"])
    assert unknown.exit_code == 2 and "--dims" in unknown.output
