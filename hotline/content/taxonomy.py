"""The codebook (config/taxonomy.yaml): report types, categories and their codes, every label translatable."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hotline.content.yamlfile import load_yaml_file

_IDENT = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="must be lower_snake_case")


@dataclass(frozen=True)
class Label:
    """An English label and its translations by language code."""

    default: str
    translations: Mapping[str, str] = field(default_factory=dict)

    def in_language(self, code: str | None) -> str:
        """The label in ``code``, falling back to English."""
        return self.translations.get(code or "", self.default)


@dataclass(frozen=True)
class Code:
    id: str
    label: Label
    retired: bool = False


@dataclass(frozen=True)
class Category:
    id: str
    label: Label
    codes: tuple[Code, ...]
    sensitive: bool = False
    referral: bool = False


@dataclass(frozen=True)
class ReportType:
    id: str
    label: Label


@dataclass(frozen=True)
class Taxonomy:
    """The validated codebook."""

    version: int
    types: tuple[ReportType, ...]
    categories: tuple[Category, ...]

    @property
    def type_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.types)

    @property
    def category_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

    def category(self, category_id: str) -> Category | None:
        """The category with this id, or None."""
        return next((c for c in self.categories if c.id == category_id), None)

    def is_valid_coding(self, type_id: str | None, category_id: str | None, code_id: str | None) -> bool:
        """Whether a (type, category, code) triple fits the codebook; None means not coded yet."""
        if type_id is not None and type_id not in self.type_ids:
            return False
        if category_id is None:
            return code_id is None
        category = self.category(category_id)
        if category is None:
            return False
        return code_id is None or any(code.id == code_id for code in category.codes)


def _make_label(data: dict[str, Any]) -> Label:
    return Label(data.pop("label"), dict(data.pop("labels") or {}))


class _LabelledSchema(Schema):
    id = fields.String(required=True, validate=_IDENT)
    label = fields.String(required=True, validate=validate.Length(min=1))
    labels = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)


class _CodeSchema(_LabelledSchema):
    retired = fields.Boolean(load_default=False)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Code:
        return Code(label=_make_label(data), **data)


class _CategorySchema(_LabelledSchema):
    sensitive = fields.Boolean(load_default=False)
    referral = fields.Boolean(load_default=False)
    codes = fields.List(fields.Nested(_CodeSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def unique_codes(self, data: dict[str, Any], **_: Any) -> None:
        _reject_duplicates("codes", data.get("codes", []))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Category:
        data["codes"] = tuple(data["codes"])
        return Category(label=_make_label(data), **data)


class _TypeSchema(_LabelledSchema):
    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> ReportType:
        return ReportType(label=_make_label(data), **data)


def _reject_duplicates(key: str, items: Iterable[Any]) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            raise ValidationError({key: {index: {"id": [f"duplicate id {item.id!r}"]}}})
        seen.add(item.id)


class TaxonomyFileSchema(Schema):
    """Schema of config/taxonomy.yaml; ``language_codes`` limits which translations labels may carry."""

    version = fields.Integer(required=True, validate=validate.Range(min=1))
    types = fields.List(fields.Nested(_TypeSchema), required=True, validate=validate.Length(min=1))
    categories = fields.List(fields.Nested(_CategorySchema), required=True, validate=validate.Length(min=1))

    def __init__(self, language_codes: Iterable[str] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.language_codes = frozenset(language_codes)

    @validates_schema
    def check(self, data: dict[str, Any], **_: Any) -> None:
        _reject_duplicates("types", data.get("types", []))
        _reject_duplicates("categories", data.get("categories", []))
        if not self.language_codes:
            return
        for key in ("types", "categories"):
            for index, item in enumerate(data.get(key, [])):
                unknown = sorted(set(item.label.translations) - self.language_codes)
                if unknown:
                    raise ValidationError({key: {index: {"labels": [f"unknown language code(s) {unknown}"]}}})

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Taxonomy:
        return Taxonomy(data["version"], tuple(data["types"]), tuple(data["categories"]))


def load_taxonomy(path: Path, language_codes: Iterable[str] = ()) -> Taxonomy:
    """Load and validate the codebook, raising ContentError naming file, line and key."""
    result: Taxonomy = load_yaml_file(path, TaxonomyFileSchema(language_codes))
    return result
