"""`hotline classify …`: train the classifier, evaluate it against a coded CSV, check the lexicons."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from hotline.classify.dataset import DatasetError
from hotline.classify.evaluation import cross_validate, evaluate, format_report
from hotline.classify.model import save_model
from hotline.classify.runtime import classify_runtime, coded_report_examples
from hotline.extensions import db


@click.group("classify")
def classify_group() -> None:
    """Report classification: train, evaluate, check lexicons."""


@classify_group.command("train")
@click.option("--csv", "csv_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="An extra coded CSV (text, language, type, category); repeatable.")
@click.option("--no-seed", is_flag=True, help="Leave out the seed files named in config/classify.yaml.")
@click.option("--no-reports", is_flag=True, help="Leave out operator-coded reports from the database.")
@with_appcontext
def train_command(csv_files: tuple[Path, ...], no_seed: bool, no_reports: bool) -> None:
    """Learn from seed files, operator-coded reports and --csv files; save the model to the instance folder."""
    rt = classify_runtime()
    try:
        examples = [] if no_seed else rt.seed_examples()
        for path in csv_files:
            examples += rt.read_csv(path)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    reports = [] if no_reports or not rt.config.include_coded_reports else coded_report_examples(db.session())
    examples += reports
    if not examples:
        raise click.ClickException("nothing to learn from: no seed files, coded reports or --csv files")
    model = rt.train(examples)
    path = save_model(model, rt.instance_path)
    rt.reload()
    click.echo(f"trained {model.version} on {len(examples)} examples ({len(reports)} coded reports); saved {path}")
    for name, label_model in (("type", model.type_model), ("category", model.category_model)):
        learned = ", ".join(label_model.classes) or "none (lexicons only)"
        click.echo(f"  {name}: model learned {learned}")


@classify_group.command("evaluate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@with_appcontext
def evaluate_command(file: Path, as_json: bool) -> None:
    """Score the current model (as it is, never trained on FILE) against FILE, a coded UTF-8 CSV."""
    rt = classify_runtime()
    try:
        examples = rt.read_csv(file)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    if not examples:
        raise click.ClickException(f"{file}: no rows to evaluate")
    report = evaluate(rt.classifier, examples)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else format_report(report))


@classify_group.command("crossval")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20))
@click.option("--csv", "csv_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="An extra coded CSV to include; repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@with_appcontext
def crossval_command(folds: int, csv_files: tuple[Path, ...], as_json: bool) -> None:
    """Stratified k-fold cross-validation on the seed files (and --csv files): scores beside the evaluation set's."""
    rt = classify_runtime()
    try:
        examples = rt.seed_examples()
        for path in csv_files:
            examples += rt.read_csv(path)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    if len(examples) < folds:
        raise click.ClickException(f"{len(examples)} examples cannot make {folds} folds")
    report = cross_validate(examples, lambda rows: rt.train(rows, label="cv"), rt.lexicons, rt.config, folds)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else format_report(report))


@classify_group.command("check")
@with_appcontext
def check_command() -> None:
    """Load and validate config/classify.yaml and every lexicon (errors name file, line and key)."""
    rt = classify_runtime()
    for name, lexicon in sorted(rt.lexicons.items()):
        words = sum(len(w) for w in lexicon.categories.values())
        click.echo(f"{name}: {words} category keywords, {len(lexicon.types)} type cues, "
                   f"{len(lexicon.urgency)} urgency cues")
    click.echo(f"classifier {rt.classifier.version}")
