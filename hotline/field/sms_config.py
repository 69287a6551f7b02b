"""config/field_sms.yaml: the focal points' SMS keywords and replies per language, validated at start-up."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hotline.content.yamlfile import load_yaml_file
from hotline.settings import CONFIG_DIR

FIELD_SMS_FILE = CONFIG_DIR / "field_sms.yaml"
_LANG = fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$"))
_REPLY = fields.String(validate=validate.Length(min=1, max=320))


@dataclass(frozen=True)
class FieldSmsConfig:
    """Keywords (language -> words) and the two replies (language -> text)."""

    keywords: dict[str, tuple[str, ...]]
    confirmation: dict[str, str]
    hint: dict[str, str]

    def reply(self, kind: str, language: str | None, **values: object) -> str:
        """The ``confirmation`` or ``hint`` text in ``language`` (English where there is none), filled in."""
        texts = self.confirmation if kind == "confirmation" else self.hint
        text = texts.get(language or "en") or texts["en"]
        return text % values if values else text


class FieldSmsSchema(Schema):
    """Schema of config/field_sms.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    keywords = fields.Dict(keys=_LANG, values=fields.List(fields.String(validate=validate.Length(min=1, max=20)),
                                                           validate=validate.Length(min=1)), required=True)
    confirmation = fields.Dict(keys=_LANG, values=_REPLY, required=True)
    hint = fields.Dict(keys=_LANG, values=_REPLY, required=True)

    @validates_schema
    def english_replies(self, data: dict[str, Any], **_: Any) -> None:
        """English is the fallback: both replies must have it, and the confirmation its placeholders."""
        for name in ("confirmation", "hint"):
            if "en" not in data.get(name, {}):
                raise ValidationError("an English (en) text is required", name)
        for language, text in data.get("confirmation", {}).items():
            if "%(reference)s" not in text:
                raise ValidationError(f"{language}: must contain %(reference)s", "confirmation")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> FieldSmsConfig:
        keywords = {lang: tuple(word.casefold() for word in words) for lang, words in data["keywords"].items()}
        return FieldSmsConfig(keywords, dict(data["confirmation"]), dict(data["hint"]))


@functools.cache
def load_field_sms_config(path: Path = FIELD_SMS_FILE) -> FieldSmsConfig:
    """Load and validate the file once per process (ContentError names file, line and key)."""
    config: FieldSmsConfig = load_yaml_file(path, FieldSmsSchema())
    return config
