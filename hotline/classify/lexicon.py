"""Keyword lexicons (config/lexicons/<lang>.yaml): category words, report-type cues and urgency cues.

Staff edit these files; they are validated at load with marshmallow, and errors name file, line and key.
A lexicon file is named for a language code, optionally with a script (``ur-Latn.yaml`` for romanised Urdu).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hotline.classify.normalise import normalise
from hotline.content.taxonomy import Taxonomy
from hotline.content.yamlfile import ContentError, load_yaml_file

URGENCY_FLAGS = ("imminent_departure", "held_or_debt", "threats", "unaccompanied_children", "protection_need")
LEXICON_NAME = validate.Regexp(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?$", error="must look like 'ur' or 'ur-Latn'")
_SPACELESS_SCRIPTS = frozenset({"Thai"})
_WORDS = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list)


@dataclass(frozen=True)
class Lexicon:
    """One language's (or one script's) normalised keywords."""

    name: str
    language: str
    script: str
    categories: Mapping[str, tuple[str, ...]]
    types: Mapping[str, tuple[str, ...]]
    urgency: Mapping[str, tuple[str, ...]]

    @property
    def spaceless(self) -> bool:
        """Whether the script is written without spaces between words (keywords match anywhere)."""
        return self.script in _SPACELESS_SCRIPTS


class LexiconFileSchema(Schema):
    """Schema of one lexicon file; category and type ids must exist in the codebook."""

    language = fields.String(required=True, validate=validate.Regexp(r"^[a-z]{2,3}$"))
    script = fields.String(required=True, validate=validate.Regexp(r"^[A-Z][a-z]{3}$"))
    categories = fields.Dict(keys=fields.String(), values=_WORDS, required=True)
    types = fields.Dict(keys=fields.String(), values=_WORDS, load_default=dict)
    urgency = fields.Dict(keys=fields.String(), values=_WORDS, load_default=dict)

    def __init__(self, taxonomy: Taxonomy, language_codes: Iterable[str] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.taxonomy = taxonomy
        self.language_codes = frozenset(language_codes)

    @validates_schema
    def check_ids(self, data: dict[str, Any], **_: Any) -> None:
        if self.language_codes and data["language"] not in self.language_codes:
            raise ValidationError({"language": [f"unknown language code {data['language']!r}"]})
        _known("categories", data.get("categories", {}), self.taxonomy.category_ids)
        _known("types", data.get("types", {}), self.taxonomy.type_ids)
        _known("urgency", data.get("urgency", {}), URGENCY_FLAGS)
        missing = [c for c in self.taxonomy.category_ids if c != "other" and not data["categories"].get(c)]
        if missing:
            raise ValidationError({"categories": [f"no keywords for {missing}"]})


def _known(key: str, mapping: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        raise ValidationError({key: [f"unknown id(s) {unknown}; expected some of {sorted(allowed)}"]})


def _fold(groups: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    # Keywords are normalised exactly as caller text is, so both sides compare in one form.
    return {key: tuple(dict.fromkeys(w for w in map(normalise, words) if w)) for key, words in groups.items()}


def load_lexicon(path: Path, taxonomy: Taxonomy, language_codes: Iterable[str] = ()) -> Lexicon:
    """Load and validate one lexicon file, raising ContentError naming file, line and key."""
    name = path.stem
    if LEXICON_NAME(name) != name:  # pragma: no cover - Regexp raises instead
        raise ContentError(path, ["0: bad file name"])
    data = load_yaml_file(path, LexiconFileSchema(taxonomy, language_codes))
    if name.split("-")[0] != data["language"]:
        raise ContentError(path, [f"1: language: {data['language']!r} does not match the file name {name!r}"])
    return Lexicon(name, data["language"], data["script"], _fold(data["categories"]), _fold(data["types"]),
                   _fold(data["urgency"]))


def load_lexicons(directory: Path, taxonomy: Taxonomy, language_codes: Iterable[str] = ()) -> dict[str, Lexicon]:
    """Every ``*.yaml`` lexicon in ``directory``, by file stem (``ur``, ``ur-Latn``...)."""
    codes = tuple(language_codes)
    lexicons: dict[str, Lexicon] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            LEXICON_NAME(path.stem)
        except ValidationError:
            raise ContentError(path, ["0: file name must be a language code, optionally -Script"]) from None
        lexicons[path.stem] = load_lexicon(path, taxonomy, codes)
    return lexicons
