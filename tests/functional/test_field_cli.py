"""`hotline field template` and `hotline field import`: the template round-trips, re-imports create nothing."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.cli import cli
from hotline.intake.models import Report


def _field_reports(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Report).where(Report.channel == "field")) or 0


def test_template_then_import_twice(runner: FlaskCliRunner, db_session: Session, tmp_path: Path) -> None:
    target = tmp_path / "template.xlsx"
    result = runner.invoke(cli, args=["field", "template", "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    first = runner.invoke(cli, args=["field", "import", str(target)])
    assert first.exit_code == 0, first.output
    assert "1 created, 0 already imported" in first.output
    again = runner.invoke(cli, args=["field", "import", str(target)])
    assert "0 created, 1 already imported" in again.output
    assert _field_reports(db_session) == 1
    report = db_session.scalars(select(Report).where(Report.channel == "field")).one()
    assert (report.people_count, report.language, report.admin1) == (12, "prs", "AF-KAB")


def test_csv_template_on_stdout(runner: FlaskCliRunner, db_session: Session) -> None:
    result = runner.invoke(cli, args=["field", "template"])
    assert result.exit_code == 0 and "date_heard" in result.output


def test_a_broken_file_names_file_row_and_field(runner: FlaskCliRunner, db_session: Session, tmp_path: Path) -> None:
    broken = tmp_path / "forms.csv"
    broken.write_text("date_heard,country,language,source,people,text\nnot a date,AF,prs,neighbour,2,x\n",
                      encoding="utf-8")
    result = runner.invoke(cli, args=["field", "import", str(broken)])
    assert result.exit_code == 1
    assert "forms.csv: row 2: date_heard:" in result.output
    assert _field_reports(db_session) == 0
    cp1252 = tmp_path / "excel.csv"
    cp1252.write_bytes("date_heard,country,language,source,people,text\n2026-03-01,ID,id,other,2,café\n"
                       .encode("cp1252"))
    result = runner.invoke(cli, args=["field", "import", str(cp1252)])
    assert result.exit_code == 1 and "excel.csv: line 2: not UTF-8" in result.output
    assert runner.invoke(cli, args=["field", "import", str(cp1252), "--encoding", "cp1252"]).exit_code == 0
