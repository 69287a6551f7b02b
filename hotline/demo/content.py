"""The demo's content files (samples.yaml, library.yaml), validated with marshmallow like every content file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hotline.content.yamlfile import load_yaml_file
from hotline.intake.constants import Channel, Sensitivity, Urgency
from hotline.rumours.models import ApprovalStatus, Risk, Verification

DEMO_DIR = Path(__file__).resolve().parent
_LANG = validate.Regexp(r"^[a-z]{2,3}$")
_ADMIN1 = validate.Regexp(r"^[A-Z]{2}-[A-Z0-9]{1,3}$", error="must be an ISO 3166-2 code such as AF-KAB")
_WEIGHT = validate.Range(min=0, min_inclusive=False)


@dataclass(frozen=True)
class LanguageMix:
    """How often a language is heard, on which channels, and where its speakers call from."""

    weight: float
    channels: dict[str, float]
    regions: dict[str, float]  # ISO 3166-2 admin1 code -> weight; the country is its prefix


@dataclass(frozen=True)
class Sample:
    """What a caller might say, in several languages, and how an operator would code it."""

    id: str
    type: str
    category: str | None
    code: str | None
    texts: dict[str, tuple[str, ...]]
    rumour: str | None = None
    urgency: str = Urgency.NORMAL
    sensitivity: str = Sensitivity.NORMAL


@dataclass(frozen=True)
class Flow:
    """One rumour going round one place, in one language, on one channel, week after week."""

    language: str
    region: str
    channel: str
    sample: str
    weight: float


@dataclass(frozen=True)
class Samples:
    """samples.yaml: the language mix, the categories rising towards the sailing season, the samples, and the few
    flows that carry most of the traffic (``flow_share`` of all reports)."""

    languages: dict[str, LanguageMix]
    rising: tuple[str, ...]
    samples: tuple[Sample, ...]
    flows: tuple[Flow, ...] = ()
    flow_share: float = 0.0


class _LanguageMixSchema(Schema):
    weight = fields.Float(required=True, validate=_WEIGHT)
    channels = fields.Dict(keys=fields.String(validate=validate.OneOf([c.value for c in Channel])),
                           values=fields.Float(validate=_WEIGHT), required=True, validate=validate.Length(min=1))
    regions = fields.Dict(keys=fields.String(validate=_ADMIN1), values=fields.Float(validate=_WEIGHT),
                          required=True, validate=validate.Length(min=1))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> LanguageMix:
        return LanguageMix(**data)


class _SampleSchema(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    type = fields.String(required=True)
    category = fields.String(load_default=None)
    code = fields.String(load_default=None)
    rumour = fields.String(load_default=None)
    urgency = fields.String(load_default=Urgency.NORMAL, validate=validate.OneOf([u.value for u in Urgency]))
    sensitivity = fields.String(load_default=Sensitivity.NORMAL,
                                validate=validate.OneOf([s.value for s in Sensitivity]))
    texts = fields.Dict(keys=fields.String(validate=_LANG),
                        values=fields.List(fields.String(validate=validate.Length(min=1, max=600)),
                                           validate=validate.Length(min=1)),
                        required=True, validate=validate.Length(min=1))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Sample:
        data["texts"] = {lang: tuple(texts) for lang, texts in data["texts"].items()}
        return Sample(**data)


class _FlowSchema(Schema):
    language = fields.String(required=True, validate=_LANG)
    region = fields.String(required=True, validate=_ADMIN1)
    channel = fields.String(required=True, validate=validate.OneOf([c.value for c in Channel]))
    sample = fields.String(required=True)
    weight = fields.Float(required=True, validate=_WEIGHT)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Flow:
        return Flow(**data)


class _FlowsSchema(Schema):
    share = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    flows = fields.List(fields.Nested(_FlowSchema), required=True)


class SamplesFileSchema(Schema):
    """Schema of hotline/demo/samples.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    languages = fields.Dict(keys=fields.String(validate=_LANG), values=fields.Nested(_LanguageMixSchema),
                            required=True, validate=validate.Length(min=1))
    rising = fields.List(fields.String(), load_default=list)
    samples = fields.List(fields.Nested(_SampleSchema), required=True, validate=validate.Length(min=1))
    hotspots = fields.Nested(_FlowsSchema, load_default=None)

    @validates_schema
    def every_language_has_samples(self, data: dict[str, Any], **_: Any) -> None:
        for lang in data.get("languages", {}):
            if not any(lang in sample.texts for sample in data.get("samples", [])):
                raise ValidationError({"languages": {lang: ["no sample is written in this language"]}})

    @validates_schema
    def flows_have_their_sample(self, data: dict[str, Any], **_: Any) -> None:
        samples = {sample.id: sample for sample in data.get("samples", [])}
        for n, flow in enumerate((data.get("hotspots") or {}).get("flows", [])):
            sample = samples.get(flow.sample)
            if flow.language not in data.get("languages", {}):
                raise ValidationError({"hotspots": {"flows": {n: ["language is not in languages"]}}})
            if sample is None or flow.language not in sample.texts:
                raise ValidationError({"hotspots": {"flows": {n: ["no such sample in this language"]}}})

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Samples:
        hotspots = data.get("hotspots") or {"flows": [], "share": 0.0}
        return Samples(data["languages"], tuple(data["rising"]), tuple(data["samples"]),
                       tuple(hotspots["flows"]), hotspots["share"])


@dataclass(frozen=True)
class MessageSpec:
    """One counter-message in one language, naming its source."""

    language: str
    title: str
    body: str
    source: str
    status: str = ApprovalStatus.APPROVED


@dataclass(frozen=True)
class RumourSpec:
    """A reviewed rumour with its translations and counter-messages."""

    key: str
    statement: str
    translations: dict[str, str]
    category: str
    code: str | None
    verification: str
    risk: str
    messages: tuple[MessageSpec, ...]


@dataclass(frozen=True)
class FocalPointSpec:
    """A community focal point who logs what people are saying."""

    display_name: str
    kind: str
    admin1: str
    area: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Library:
    """library.yaml: rumours, counter-messages, the campaign and the focal points."""

    rumours: tuple[RumourSpec, ...]
    campaign: dict[str, Any]
    focal_points: tuple[FocalPointSpec, ...]


class _MessageSchema(Schema):
    language = fields.String(required=True, validate=_LANG)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True, validate=validate.Length(min=1, max=200))
    status = fields.String(load_default=ApprovalStatus.APPROVED,
                           validate=validate.OneOf([ApprovalStatus.APPROVED, ApprovalStatus.DRAFT]))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> MessageSpec:
        return MessageSpec(**data)


class _RumourSchema(Schema):
    key = fields.String(required=True)
    statement = fields.String(required=True)
    translations = fields.Dict(keys=fields.String(validate=_LANG), values=fields.String(), load_default=dict)
    category = fields.String(required=True)
    code = fields.String(load_default=None)
    verification = fields.String(required=True, validate=validate.OneOf([v.value for v in Verification]))
    risk = fields.String(required=True, validate=validate.OneOf([r.value for r in Risk]))
    messages = fields.List(fields.Nested(_MessageSchema), required=True, validate=validate.Length(min=1))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RumourSpec:
        data["messages"] = tuple(data["messages"])
        return RumourSpec(**data)


class _CampaignSchema(Schema):
    name = fields.String(required=True)
    description = fields.String(required=True)
    regions = fields.List(fields.String(validate=_ADMIN1), required=True)
    languages = fields.List(fields.String(validate=_LANG), required=True)
    channels = fields.List(fields.String(validate=validate.OneOf([c.value for c in Channel])), required=True)
    target_categories = fields.List(fields.String(), required=True)
    starts_weeks_ago = fields.Integer(required=True)
    lasts_weeks = fields.Integer(required=True, validate=validate.Range(min=1))


class _FocalPointSchema(Schema):
    display_name = fields.String(required=True)
    kind = fields.String(required=True)
    admin1 = fields.String(required=True, validate=_ADMIN1)
    area = fields.String(required=True)
    languages = fields.List(fields.String(validate=_LANG), required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> FocalPointSpec:
        data["languages"] = tuple(data["languages"])
        return FocalPointSpec(**data)


class LibraryFileSchema(Schema):
    """Schema of hotline/demo/library.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    rumours = fields.List(fields.Nested(_RumourSchema), required=True)
    campaign = fields.Nested(_CampaignSchema, required=True)
    focal_points = fields.List(fields.Nested(_FocalPointSchema), required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Library:
        return Library(tuple(data["rumours"]), data["campaign"], tuple(data["focal_points"]))


def load_samples(path: Path = DEMO_DIR / "samples.yaml") -> Samples:
    """Load and validate the caller samples."""
    result: Samples = load_yaml_file(path, SamplesFileSchema())
    return result


def load_library(path: Path = DEMO_DIR / "library.yaml") -> Library:
    """Load and validate the demo's rumours, counter-messages, campaign and focal points."""
    result: Library = load_yaml_file(path, LibraryFileSchema())
    return result
