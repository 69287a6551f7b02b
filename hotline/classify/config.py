"""config/classify.yaml: classifier thresholds, urgency rules and rumour-matching thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hotline.classify.lexicon import URGENCY_FLAGS
from hotline.content.yamlfile import load_yaml_file
from hotline.intake.constants import Urgency

_UNIT = validate.Range(min=0.0, max=1.0)


@dataclass(frozen=True)
class UrgencyRule:
    """What one urgency cue does to a report."""

    urgency: str
    protection: bool


@dataclass(frozen=True)
class ClassifyConfig:
    """Validated classifier and matcher settings."""

    min_examples_per_class: int
    fallback_confidence: float
    lexicon_weight: float
    ngram_range: tuple[int, int]
    regularisation_alpha: float
    seed_files: tuple[str, ...]
    include_coded_reports: bool
    urgency: Mapping[str, UrgencyRule]
    suggested: float
    confirmed: float
    match_types: tuple[str, ...]
    candidate_statement_max_chars: int


class _ModelSchema(Schema):
    min_examples_per_class = fields.Integer(required=True, validate=validate.Range(min=1))
    fallback_confidence = fields.Float(required=True, validate=_UNIT)
    lexicon_weight = fields.Float(load_default=0.5, validate=validate.Range(min=0.0, max=5.0))
    ngram_min = fields.Integer(required=True, validate=validate.Range(min=1, max=6))
    ngram_max = fields.Integer(required=True, validate=validate.Range(min=1, max=6))
    regularisation_alpha = fields.Float(required=True, validate=validate.Range(min=1e-7, max=1.0))


class _TrainingSchema(Schema):
    seed_files = fields.List(fields.String(), load_default=list)
    include_coded_reports = fields.Boolean(load_default=True)


class _RuleSchema(Schema):
    urgency = fields.String(required=True, validate=validate.OneOf([u.value for u in Urgency]))
    protection = fields.Boolean(required=True)


class _MatchingSchema(Schema):
    suggested = fields.Float(required=True, validate=_UNIT)
    confirmed = fields.Float(required=True, validate=_UNIT)
    match_types = fields.List(fields.String(), required=True)
    candidate_statement_max_chars = fields.Integer(required=True, validate=validate.Range(min=20, max=2000))

    @validates_schema
    def ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["suggested"] > data["confirmed"]:
            raise ValidationError({"suggested": ["must not exceed confirmed"]})


class ClassifyFileSchema(Schema):
    """Schema of config/classify.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    model = fields.Nested(_ModelSchema, required=True)
    training = fields.Nested(_TrainingSchema, load_default=lambda: {"seed_files": [], "include_coded_reports": True})
    urgency = fields.Dict(keys=fields.String(validate=validate.OneOf(URGENCY_FLAGS)),
                          values=fields.Nested(_RuleSchema), required=True)
    matching = fields.Nested(_MatchingSchema, required=True)

    @validates_schema
    def ngrams(self, data: dict[str, Any], **_: Any) -> None:
        if data["model"]["ngram_min"] > data["model"]["ngram_max"]:
            raise ValidationError({"model": {"ngram_min": ["must not exceed ngram_max"]}})

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> ClassifyConfig:
        model, training, matching = data["model"], data["training"], data["matching"]
        return ClassifyConfig(
            min_examples_per_class=model["min_examples_per_class"],
            fallback_confidence=model["fallback_confidence"],
            lexicon_weight=model["lexicon_weight"],
            ngram_range=(model["ngram_min"], model["ngram_max"]),
            regularisation_alpha=model["regularisation_alpha"],
            seed_files=tuple(training["seed_files"]),
            include_coded_reports=training["include_coded_reports"],
            urgency={flag: UrgencyRule(**rule) for flag, rule in data["urgency"].items()},
            suggested=matching["suggested"],
            confirmed=matching["confirmed"],
            match_types=tuple(matching["match_types"]),
            candidate_statement_max_chars=matching["candidate_statement_max_chars"],
        )


def load_classify_config(path: Path) -> ClassifyConfig:
    """Load and validate config/classify.yaml, raising ContentError naming file, line and key."""
    result: ClassifyConfig = load_yaml_file(path, ClassifyFileSchema())
    return result
