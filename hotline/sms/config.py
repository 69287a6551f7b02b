"""config/sms_keywords.yaml: keywords per language, topics, flood limits and the romanised lexicon."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from hotline.content.yamlfile import load_yaml_file
from hotline.settings import CONFIG_DIR
from hotline.sms.language import cue_form

COMMANDS = ("help", "language", "facts", "callback")
KEYWORDS_FILE = CONFIG_DIR / "sms_keywords.yaml"
_language = fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$"))
_words = fields.List(fields.String(validate=validate.Length(min=1, max=40)), required=True)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` inbound messages in ``window_seconds``."""

    count: int
    window_seconds: int


@dataclass(frozen=True)
class SmsConfig:
    """Everything the SMS channel reads from config/sms_keywords.yaml."""

    opt_out: tuple[str, ...]
    opt_in: tuple[str, ...]
    twilio_help: tuple[str, ...]
    keywords: dict[str, dict[str, tuple[str, ...]]]  # command -> language -> words
    topics: dict[str, tuple[str, ...]]  # category -> words
    per_caller: Limit
    global_limit: Limit
    opening_hours: str
    romanised_lexicon: dict[str, frozenset[str]]
    country_languages: dict[str, tuple[str, ...]] = field(default_factory=dict)  # ISO 3166 country -> languages
    language_cues: dict[str, frozenset[str]] = field(default_factory=dict)  # language -> words marking it
    language_names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> names callers write


class _TwilioSchema(Schema):
    opt_out = _words
    opt_in = _words
    help = _words


class _LimitSchema(Schema):
    count = fields.Integer(required=True, validate=validate.Range(min=1))
    window_seconds = fields.Integer(required=True, validate=validate.Range(min=1, max=86400))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Limit:
        return Limit(**data)


class SmsKeywordsSchema(Schema):
    """Schema of config/sms_keywords.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    twilio = fields.Nested(_TwilioSchema, required=True)
    keywords = fields.Dict(
        keys=fields.String(validate=validate.OneOf(COMMANDS)),
        values=fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$")), values=_words),
        required=True,
    )
    topics = fields.Dict(keys=fields.String(), values=_words, required=True)
    limits = fields.Dict(keys=fields.String(validate=validate.OneOf(("per_caller", "global"))),
                         values=fields.Nested(_LimitSchema), required=True)
    opening_hours = fields.String(required=True, validate=validate.Length(min=1, max=40))
    romanised_lexicon = fields.Dict(keys=_language, values=_words, required=True)
    country_languages = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")),
                                    values=fields.List(_language, required=True), load_default=dict)
    language_cues = fields.Dict(keys=_language, values=_words, load_default=dict)
    language_names = fields.Dict(keys=_language, values=_words, load_default=dict)


def load_sms_config(path: Path = KEYWORDS_FILE) -> SmsConfig:
    """Load and validate the SMS keywords file (ContentError names the file, line and key)."""
    data = load_yaml_file(path, SmsKeywordsSchema())
    return SmsConfig(
        opt_out=tuple(data["twilio"]["opt_out"]),
        opt_in=tuple(data["twilio"]["opt_in"]),
        twilio_help=tuple(data["twilio"]["help"]),
        keywords={cmd: {lang: tuple(words) for lang, words in langs.items()}
                  for cmd, langs in data["keywords"].items()},
        topics={category: tuple(words) for category, words in data["topics"].items()},
        per_caller=data["limits"]["per_caller"],
        global_limit=data["limits"]["global"],
        opening_hours=data["opening_hours"],
        romanised_lexicon={lang: frozenset(cue_form(w) for w in words)
                           for lang, words in data["romanised_lexicon"].items()},
        country_languages={country: tuple(langs) for country, langs in data["country_languages"].items()},
        language_cues={lang: frozenset(cue_form(w) for w in words) for lang, words in data["language_cues"].items()},
        language_names={lang: tuple(words) for lang, words in data["language_names"].items()},
    )
