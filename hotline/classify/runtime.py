"""Wiring: the app's classifier (instance model, else the default model learned from the seed files).

Loaded once per process on first use and kept in ``app.extensions``; ``hotline classify train`` replaces it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.classify.classifier import Classifier
from hotline.classify.config import ClassifyConfig, load_classify_config
from hotline.classify.dataset import read_examples
from hotline.classify.lexicon import Lexicon, load_lexicons
from hotline.classify.model import MODEL_FILE, Example, ModelError, TrainedModel, load_model, train
from hotline.content.taxonomy import Taxonomy
from hotline.context import runtime
from hotline.intake.models import Report
from hotline.settings import CONFIG_DIR, PACKAGE_DIR

logger = logging.getLogger(__name__)
LEXICON_DIR = CONFIG_DIR / "lexicons"
CLASSIFY_CONFIG = CONFIG_DIR / "classify.yaml"
_EXTENSION = "hotline_classify"


@dataclass
class ClassifyRuntime:
    """Configuration, lexicons and the current classifier of one app."""

    config: ClassifyConfig
    lexicons: Mapping[str, Lexicon]
    taxonomy: Taxonomy
    language_codes: tuple[str, ...]
    instance_path: Path
    classifier: Classifier = field(init=False)

    def __post_init__(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Use the model saved in the instance folder, or the default model learned from the seed files."""
        model: TrainedModel | None
        try:
            model = load_model(self.instance_path)
        except ModelError as exc:
            if (self.instance_path / MODEL_FILE).exists():  # a model is there but unusable: say why
                logger.warning("classifier: %s; using the default model", exc)
            model = default_model(self)
        self.classifier = Classifier(model, self.lexicons, self.config)

    def read_csv(self, path: Path) -> list[Example]:
        """Coded examples from a CSV file, checked against the codebook and the language table."""
        return read_examples(path, self.taxonomy.type_ids, self.taxonomy.category_ids, self.language_codes)

    def seed_examples(self) -> list[Example]:
        """The examples the default model learns from (config ``training.seed_files``)."""
        return [e for name in self.config.seed_files for e in self.read_csv(PACKAGE_DIR / name)]

    def train(self, examples: Sequence[Example], label: str | None = None) -> TrainedModel:
        """Fit a model on ``examples`` with the configured thresholds."""
        cfg = self.config
        return train(examples, cfg.min_examples_per_class, cfg.ngram_range, cfg.regularisation_alpha, label=label)


def default_model(rt: ClassifyRuntime) -> TrainedModel | None:
    """The model learned from the seed files (cached per process), or None without seed files."""
    paths = tuple(PACKAGE_DIR / name for name in rt.config.seed_files)
    if not paths:
        return None
    return _cached_seed_model(rt, paths, tuple(p.stat().st_mtime_ns for p in paths))


_seed_models: dict[tuple[object, ...], TrainedModel] = {}


def _cached_seed_model(rt: ClassifyRuntime, paths: tuple[Path, ...], mtimes: tuple[int, ...]) -> TrainedModel:
    key = (paths, mtimes, rt.config.min_examples_per_class, rt.config.ngram_range, rt.config.regularisation_alpha)
    if key not in _seed_models:
        _seed_models[key] = rt.train(rt.seed_examples(), label="seed")
    return _seed_models[key]


def coded_report_examples(session: Session) -> list[Example]:
    """Reports an operator has coded (type and category set by a person), as training examples."""
    rows = session.execute(
        select(Report.text, Report.language, Report.type, Report.category).where(
            Report.coded_by_id.is_not(None), Report.text.is_not(None),
            Report.type.is_not(None), Report.category.is_not(None))
    ).all()
    return [Example(text, language, type_, category) for text, language, type_, category in rows
            if text and text.strip() and type_ and category]


def classify_runtime(app: Flask | None = None) -> ClassifyRuntime:
    """The ClassifyRuntime of ``app`` (default: the current app), built on first use."""
    target = app or current_app
    existing = target.extensions.get(_EXTENSION)
    if existing is None:
        base = runtime(target)
        codes = tuple(base.languages.codes)
        config = load_classify_config(CLASSIFY_CONFIG)
        lexicons = load_lexicons(LEXICON_DIR, base.taxonomy, codes)
        existing = ClassifyRuntime(config, lexicons, base.taxonomy, codes, Path(base.settings.instance_path))
        target.extensions[_EXTENSION] = existing
    result: ClassifyRuntime = existing
    return result
