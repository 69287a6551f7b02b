"""Hotline numbers (config/hotlines.yaml): the languages each number offers, in key order, and office hours."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates, validates_schema

from hotline.content.yamlfile import load_yaml_file
from hotline.ivr.flow import MAX_LANGUAGE_OPTIONS

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_E164 = validate.Regexp(r"^\+[1-9][0-9]{6,14}$", error="must be an E.164 number such as +93790000000")


@dataclass(frozen=True)
class OfficeHours:
    """When operators answer, in the number's own time zone."""

    days: frozenset[str]
    open: time
    close: time

    def is_open(self, local: datetime) -> bool:
        """Whether ``local`` (already in the number's time zone) falls within office hours."""
        return DAYS[local.weekday()] in self.days and self.open <= local.time() < self.close


@dataclass(frozen=True)
class HotlineNumber:
    """One number's language menu and office hours."""

    languages: tuple[str, ...]
    timezone: str
    office_hours: OfficeHours

    def office_open(self, now: datetime) -> bool:
        """Whether operators are in at ``now`` (timezone-aware)."""
        return self.office_hours.is_open(now.astimezone(ZoneInfo(self.timezone)))


@dataclass(frozen=True)
class HotlineConfig:
    """Every configured number, and the default for numbers not listed."""

    flow: str
    queue_prefix: str
    default: HotlineNumber
    numbers: Mapping[str, HotlineNumber]

    def for_number(self, dialled: str | None) -> HotlineNumber:
        """The configuration of the number dialled (Twilio's ``To``), or the default."""
        return self.numbers.get(dialled or "", self.default)

    def all_numbers(self) -> dict[str, HotlineNumber]:
        """Every configuration, the default under the key ``default``."""
        return {"default": self.default, **self.numbers}


def _parse_time(value: str) -> time:
    return time.fromisoformat(value)


class _OfficeHoursSchema(Schema):
    days = fields.List(fields.String(validate=validate.OneOf(DAYS)), required=True, validate=validate.Length(min=1))
    open = fields.String(required=True, validate=validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))
    close = fields.String(required=True, validate=validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"))

    @validates_schema
    def ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("open") and data.get("close") and data["close"] != "24:00" and data["open"] >= data["close"]:
            raise ValidationError({"close": ["must be after open"]})

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> OfficeHours:
        close = time.max if data["close"] == "24:00" else _parse_time(data["close"])
        return OfficeHours(frozenset(data["days"]), _parse_time(data["open"]), close)


class _NumberSchema(Schema):
    languages = fields.List(fields.String(), required=True,
                            validate=validate.Length(min=1, max=MAX_LANGUAGE_OPTIONS))
    timezone = fields.String(required=True)
    office_hours = fields.Nested(_OfficeHoursSchema, required=True)

    def __init__(self, language_codes: Iterable[str] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.language_codes = frozenset(language_codes)

    @validates("timezone")
    def known_zone(self, value: str, **_: Any) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"unknown time zone {value!r}") from None

    @validates("languages")
    def known_languages(self, value: list[str], **_: Any) -> None:
        unknown = [code for code in value if self.language_codes and code not in self.language_codes]
        if unknown:
            raise ValidationError(f"not in config/languages.yaml: {unknown}")
        if len(set(value)) != len(value):
            raise ValidationError("a language is listed twice")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> HotlineNumber:
        return HotlineNumber(tuple(data["languages"]), data["timezone"], data["office_hours"])


class HotlinesFileSchema(Schema):
    """Schema of config/hotlines.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    flow = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    queue_prefix = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9-]{1,40}$"))
    default = fields.Raw(required=True)
    numbers = fields.Dict(keys=fields.String(validate=_E164), values=fields.Raw(), load_default=dict)

    def __init__(self, language_codes: Iterable[str] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.language_codes = tuple(language_codes)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> HotlineConfig:
        errors: dict[str, Any] = {}
        default = self._number(data["default"], ("default",), errors)
        numbers = {key: self._number(raw, ("numbers", key), errors) for key, raw in data["numbers"].items()}
        if errors:
            raise ValidationError(errors)
        return HotlineConfig(data["flow"], data["queue_prefix"], default, numbers)  # type: ignore[arg-type]

    def _number(self, raw: Any, where: tuple[str, ...], errors: dict[str, Any]) -> HotlineNumber | None:
        try:
            number: HotlineNumber = _NumberSchema(self.language_codes).load(raw)
            return number
        except ValidationError as exc:
            target = errors
            for part in where[:-1]:
                target = target.setdefault(part, {})
            target[where[-1]] = exc.messages
            return None


def load_hotlines(path: Path, language_codes: Iterable[str] = ()) -> HotlineConfig:
    """Load and validate the hotline numbers, raising ContentError naming file, line and key."""
    config: HotlineConfig = load_yaml_file(path, HotlinesFileSchema(language_codes))
    return config
