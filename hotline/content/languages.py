"""The language table (config/languages.yaml): which languages exist and what each can do on each channel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hotline.content.yamlfile import load_yaml_file

SCRIPTS = ("Arab", "Beng", "Sinh", "Taml", "Thaa", "Thai", "Latn", "Rohg")
UCS2_SCRIPTS = frozenset({"Arab", "Beng", "Sinh", "Taml", "Thaa", "Thai", "Rohg"})


@dataclass(frozen=True)
class Language:
    """One language the hotline serves."""

    code: str
    name: str
    native_name: str
    script: str
    direction: str
    twilio_say: str | None
    twilio_speech: str | None
    espeak: str | None
    script_variant: str | None = None
    oral: bool = False
    speech_approximate: bool = False
    espeak_approximate: bool = False

    @property
    def rtl(self) -> bool:
        """True when the language is written right to left."""
        return self.direction == "rtl"


class _LanguageSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z]{2,3}$"))
    name = fields.String(required=True, validate=validate.Length(min=1))
    native_name = fields.String(required=True, validate=validate.Length(min=1))
    script = fields.String(required=True, validate=validate.OneOf(SCRIPTS))
    script_variant = fields.String(load_default=None, allow_none=True)
    direction = fields.String(required=True, validate=validate.OneOf(("ltr", "rtl")))
    oral = fields.Boolean(load_default=False)
    twilio_say = fields.String(load_default=None, allow_none=True)
    twilio_speech = fields.String(load_default=None, allow_none=True)
    speech_approximate = fields.Boolean(load_default=False)
    espeak = fields.String(load_default=None, allow_none=True)
    espeak_approximate = fields.Boolean(load_default=False)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Language:
        return Language(**data)


class LanguagesFileSchema(Schema):
    """Schema of config/languages.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    languages = fields.List(fields.Nested(_LanguageSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def unique_codes(self, data: dict[str, Any], **_: Any) -> None:
        seen: set[str] = set()
        for index, language in enumerate(data.get("languages", [])):
            if language.code in seen:
                raise ValidationError({"languages": {index: {"code": [f"duplicate code {language.code!r}"]}}})
            seen.add(language.code)


@dataclass(frozen=True)
class LanguageTable:
    """All languages, in the file's order, looked up by code."""

    languages: tuple[Language, ...]

    def __contains__(self, code: object) -> bool:
        return any(lang.code == code for lang in self.languages)

    def get(self, code: str) -> Language | None:
        """The language with this code, or None."""
        return next((lang for lang in self.languages if lang.code == code), None)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every language code, in the file's order."""
        return tuple(lang.code for lang in self.languages)


def load_languages(path: Path) -> LanguageTable:
    """Load and validate the language table, raising ContentError naming file, line and key."""
    data = load_yaml_file(path, LanguagesFileSchema())
    return LanguageTable(tuple(data["languages"]))
