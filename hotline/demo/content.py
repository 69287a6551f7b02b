"""The demo's content file (hotline/demo/samples.yaml), validated like every other content file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields, validate

from hotline.content.yamlfile import load_yaml_file
from hotline.rumours.models import Risk, Verification

SAMPLES_PATH = Path(__file__).with_name("samples.yaml")


@dataclass(frozen=True)
class Sample:
    """Something a caller said, coded as an operator would code it."""

    language: str
    type: str
    category: str
    code: str
    text: str | None


class _SampleSchema(Schema):
    language = fields.String(required=True)
    type = fields.String(required=True)
    category = fields.String(required=True)
    code = fields.String(required=True)
    text = fields.String(required=True, allow_none=True)


class _MessageSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True)


class _RumourSchema(Schema):
    statement = fields.String(required=True)
    category = fields.String(required=True)
    code = fields.String(required=True)
    verification = fields.String(required=True, validate=validate.OneOf([v.value for v in Verification]))
    risk = fields.String(required=True, validate=validate.OneOf([r.value for r in Risk]))
    translations = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    messages = fields.Dict(keys=fields.String(), values=fields.Nested(_MessageSchema), required=True)


class _DemoFileSchema(Schema):
    version = fields.Integer(required=True, validate=validate.Equal(1))
    samples = fields.List(fields.Nested(_SampleSchema), required=True, validate=validate.Length(min=1))
    rumours = fields.List(fields.Nested(_RumourSchema), required=True)


@dataclass(frozen=True)
class DemoContent:
    """Samples by language, and rumours with their translations and counter-messages."""

    samples: tuple[Sample, ...]
    rumours: tuple[dict[str, Any], ...]


def load_demo_content(path: Path = SAMPLES_PATH) -> DemoContent:
    """Load and validate the demo content file."""
    data = load_yaml_file(path, _DemoFileSchema())
    return DemoContent(tuple(Sample(**s) for s in data["samples"]), tuple(data["rumours"]))
