"""`hotline classify train | evaluate | check`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.classify.model import MODEL_FILE
from hotline.classify.runtime import classify_runtime
from hotline.cli import cli
from hotline.context import runtime
from hotline.intake.inbound import InboundReport
from hotline.intake.service import record
from tests.factories import make_sms_intake, sid

EVAL = Path(__file__).resolve().parents[2] / "data" / "eval" / "hotline_eval.csv"


@pytest.fixture()
def fresh_model(app: Flask) -> Iterator[Path]:
    """Where `classify train` saves; removed afterwards so other tests see the default model again."""
    path = Path(app.instance_path) / MODEL_FILE
    yield path
    path.unlink(missing_ok=True)
    classify_runtime(app).reload()


def test_evaluate_prints_json_with_per_language_scores(runner: FlaskCliRunner, app: Flask) -> None:
    result = runner.invoke(cli, args=["classify", "evaluate", str(EVAL), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert 0 <= report["type"]["macro_f1"] <= 1 and 0 <= report["category"]["macro_f1"] <= 1
    assert {"en", "prs", "ur", "bn", "ta", "th", "id", "ms"} <= set(report["languages"])
    assert all("category_macro_f1" in scores for scores in report["languages"].values())
    assert report["classifier_version"].startswith("lr-seed-")
    assert not (Path(app.instance_path) / MODEL_FILE).exists()  # evaluation never trains


def test_evaluate_prints_tables(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, args=["classify", "evaluate", str(EVAL)])
    assert result.exit_code == 0, result.output
    assert "category confusion" in result.output and "per language" in result.output


def test_evaluate_names_file_line_and_field(runner: FlaskCliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,language,type,category\nhello,en,question,borders\n", encoding="utf-8")
    result = runner.invoke(cli, args=["classify", "evaluate", str(bad)])
    assert result.exit_code != 0
    assert f"{bad}:2: category:" in result.output


def test_train_learns_from_coded_reports_and_saves_to_the_instance(
        runner: FlaskCliRunner, app: Flask, db_session: Session, fresh_model: Path, tmp_path: Path) -> None:
    operator = User(email="coder@example.org", role="operator")
    db_session.add(operator)
    db_session.flush()
    for text in ("the smuggler boat is big and safe", "agent promised a refund"):
        source = sid()
        report = record(db_session, make_sms_intake(body=text, message_sid=source,
                                                    report=InboundReport(source_id=source, text=text, language="en")),
                        runtime(app).intake_context()).report
        assert report is not None
        report.type, report.category, report.coded_by_id = "rumour_belief", "smuggler_claims", operator.id
    db_session.flush()
    extra = tmp_path / "extra.csv"
    extra.write_text("text,language,type,category\nwaves were high,en,concern_incident,journey_risk\n",
                     encoding="utf-8")
    result = runner.invoke(cli, args=["classify", "train", "--csv", str(extra)])
    assert result.exit_code == 0, result.output
    assert "(2 coded reports)" in result.output
    assert fresh_model.exists()
    assert classify_runtime(app).classifier.version.startswith("lr-") and "seed" not in classify_runtime(
        app).classifier.version


def test_train_with_nothing_to_learn_from_fails(runner: FlaskCliRunner, fresh_model: Path) -> None:
    result = runner.invoke(cli, args=["classify", "train", "--no-seed", "--no-reports"])
    assert result.exit_code != 0 and "nothing to learn from" in result.output
    assert not fresh_model.exists()


def test_check_lists_every_lexicon(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, args=["classify", "check"])
    assert result.exit_code == 0, result.output
    for name in ("prs:", "ur-Latn:", "prs-Latn:", "rhg:", "th:", "dv:"):
        assert name in result.output


def test_crossval_scores_the_seed_files_out_of_fold(runner: FlaskCliRunner, app: Flask) -> None:
    result = runner.invoke(cli, args=["classify", "crossval", "--folds", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["classifier_version"].startswith("3-fold cross-validation")
    assert report["count"] >= 600 and len(report["languages"]) == 13
    assert 0 <= report["category"]["macro_f1"] <= 1
    assert not (Path(app.instance_path) / MODEL_FILE).exists()  # cross-validation saves no model


def test_crossval_refuses_a_single_fold(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, args=["classify", "crossval", "--folds", "1"])
    assert result.exit_code != 0 and "--folds" in result.output
