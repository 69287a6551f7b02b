"""Settings: config/defaults.yaml, overridden by HOTLINE_* environment variables, validated with marshmallow.

Outside demo and testing modes a missing secret is a start-up error naming the variable. In demo mode safe
random secrets are generated once, kept in the instance folder (so pseudonyms stay stable across restarts)
and announced on start-up.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from limits import parse_many
from marshmallow import Schema, ValidationError, fields, validate

from hotline.content.yamlfile import ContentError, flatten_messages, load_yaml_file
from hotline.files import private_dir

# Content ships inside the package, so a plain `pip install` carries it; PROJECT_ROOT is only the source checkout's
# folder (the default instance folder when one runs from it).
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
CONFIG_DIR = PACKAGE_DIR / "config"
LOCALES_DIR = PACKAGE_DIR / "locales"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
SCRIPTS_DIR = PACKAGE_DIR / "ivr_scripts"
MODES = ("production", "demo", "testing")
SECRETS = ("secret_key", "pseudonym_key", "twilio_account_sid", "twilio_auth_token")
_MIN_KEY_LENGTH = 32


class SettingsError(Exception):
    """The configuration cannot be used; the message names the variable or file at fault."""


def _rate_limits(value: str) -> None:
    """A limit string as Flask-Limiter reads it: "10 per minute;100 per hour"."""
    try:
        parse_many(value)
    except ValueError:
        raise ValidationError('not a rate limit; write it like "10 per minute;100 per hour"') from None


def _rate_limit_field(default: str) -> fields.String:
    return fields.String(load_default=default, validate=_rate_limits)


RATE_LIMIT_DEFAULTS = {
    "ratelimit_login": "10 per minute;100 per hour",
    "ratelimit_login_account": "5 per minute;30 per hour",
    "ratelimit_field_sign_in": "10 per minute;100 per hour",
    "ratelimit_field_account": "5 per minute;30 per hour",
    "ratelimit_field_overall": "30 per minute;300 per hour",
    "ratelimit_webhook_refused": "10 per minute;100 per hour",
    "ratelimit_api": "120 per minute;2000 per hour",
    "ratelimit_api_refused": "10 per minute;100 per hour",
}


_HHMM = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="must be HH:MM")


class _SettingsSchema(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    database_url = fields.String(load_default=None, allow_none=True)
    twilio_api_base = fields.URL(required=True, schemes={"http", "https"}, require_tld=False)
    public_url = fields.URL(load_default=None, allow_none=True, schemes={"http", "https"}, require_tld=False)
    redis_url = fields.String(load_default=None, allow_none=True)
    log_level = fields.String(load_default="INFO", validate=validate.OneOf(("DEBUG", "INFO", "WARNING", "ERROR")))
    max_content_length = fields.Integer(required=True, validate=validate.Range(min=1024, max=64 * 2**20))
    reply_address_ttl_days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))
    sms_conversation_window_minutes = fields.Integer(required=True, validate=validate.Range(min=1))
    default_locale = fields.String(required=True)
    ui_locales = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    secret_key = fields.String(load_default=None, allow_none=True)
    pseudonym_key = fields.String(load_default=None, allow_none=True)
    twilio_account_sid = fields.String(load_default=None, allow_none=True)
    twilio_auth_token = fields.String(load_default=None, allow_none=True)
    twilio_api_key_sid = fields.String(load_default=None, allow_none=True,
                                       validate=validate.Regexp(r"^SK[0-9a-f]{32}$"))
    twilio_api_key_secret = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=16))
    twilio_twiml_app_sid = fields.String(load_default=None, allow_none=True,
                                         validate=validate.Regexp(r"^AP[0-9a-f]{32}$"))
    instance_path = fields.String(load_default=None, allow_none=True)
    session_idle_minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=24 * 60))
    session_absolute_hours = fields.Integer(required=True, validate=validate.Range(min=1, max=24 * 7))
    login_max_failures = fields.Integer(required=True, validate=validate.Range(min=1, max=100))
    callback_max_attempts = fields.Integer(load_default=3, validate=validate.Range(min=1, max=10))
    callback_day_start = fields.String(load_default="09:00", validate=_HHMM)
    callback_day_end = fields.String(load_default="19:00", validate=_HHMM)
    callback_min_gap_minutes = fields.Integer(load_default=30, validate=validate.Range(min=1, max=7 * 24 * 60))
    login_lockout_minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=24 * 60))
    totp_required_roles = fields.List(
        fields.String(validate=validate.OneOf(("operator", "supervisor", "analyst", "admin"))), required=True)
    api_token_days = fields.Integer(load_default=90, validate=validate.Range(min=1, max=365))  # MAX_TOKEN_DAYS
    spool_path = fields.String(load_default=None, allow_none=True)
    retention_recording_days = fields.Integer(load_default=365, validate=validate.Range(min=1, max=36500))
    retention_text_days = fields.Integer(load_default=365, validate=validate.Range(min=1, max=36500))
    retention_attachment_days = fields.Integer(load_default=90, validate=validate.Range(min=1, max=36500))
    proxy_hops = fields.Integer(load_default=0, validate=validate.Range(min=0, max=5))
    ratelimit_enabled = fields.Boolean(load_default=True)
    ratelimit_key_prefix = fields.String(load_default="hotline-ratelimit", validate=validate.Length(min=1, max=64))
    ratelimit_login = _rate_limit_field(RATE_LIMIT_DEFAULTS["ratelimit_login"])
    ratelimit_login_account = _rate_limit_field(RATE_LIMIT_DEFAULTS["ratelimit_login_account"])
    ratelimit_field_sign_in = _rate_limit_field(RATE_LIMIT_DEFAULTS["ratelimit_field_sign_in"])
    ratelimit_field_account = _rate_limit_field(RATE_LIMIT_DEFAULTS["ratelimit_field_account"])
    ratelimit_field_overall = _rate_limit_field(RATE_LIMIT_DEFAULTS["ratelimit_field_overall"])
    ratelimit_webhook_refused = _rate_limit_field(RATE_LIMIT_DEFAULTS["ratelimit_webhook_refused"])
    ratelimit_api = _rate_limit_field(RATE_LIMIT_DEFAULTS["ratelimit_api"])
    ratelimit_api_refused = _rate_limit_field(RATE_LIMIT_DEFAULTS["ratelimit_api_refused"])
    readyz_token = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=16))
    backup_dir = fields.String(load_default=None, allow_none=True)
    queue_overdue_minutes = fields.Integer(load_default=15, validate=validate.Range(min=1, max=24 * 60))
    queue_poll_seconds = fields.Integer(load_default=15, validate=validate.Range(min=1, max=600))
    referral_stale_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=365))
    media_dir = fields.String(load_default=None, allow_none=True)
    recordings_dir = fields.String(load_default=None, allow_none=True)
    voice_notes_dir = fields.String(load_default=None, allow_none=True)
    rq_queue = fields.String(load_default="hotline", validate=validate.Regexp(r"^[A-Za-z0-9_.:-]{1,64}$"))
    sms_retry_base_delay = fields.Float(load_default=0.5, validate=validate.Range(min=0, max=60))
    spool_auto_replay = fields.String(load_default=None, allow_none=True,
                                      validate=validate.OneOf(("thread", "inline", "off")))
    sms_filing = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("background", "request")))

@dataclass(frozen=True)
class Settings:
    """Validated settings for one application instance."""

    mode: str
    database_url: str
    secret_key: str
    pseudonym_key: str
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_api_base: str
    public_url: str | None
    redis_url: str | None
    log_level: str
    max_content_length: int
    reply_address_ttl_days: int
    sms_conversation_window_minutes: int
    default_locale: str
    ui_locales: tuple[str, ...]
    instance_path: str
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    totp_required_roles: tuple[str, ...] = ("operator", "supervisor", "admin")  # every role that reads caller text
    api_token_days: int = 90
    generated_secrets: tuple[str, ...] = field(default=())
    spool_path: str | None = None  # None: <instance>/spool (local disk of each host)
    retention_recording_days: int = 365
    retention_text_days: int = 365
    retention_attachment_days: int = 90
    proxy_hops: int = 0  # reverse proxies in front of the app whose X-Forwarded-For is trusted (werkzeug ProxyFix)
    ratelimit_enabled: bool = True
    ratelimit_key_prefix: str = "hotline-ratelimit"
    ratelimit_login: str = RATE_LIMIT_DEFAULTS["ratelimit_login"]
    ratelimit_login_account: str = RATE_LIMIT_DEFAULTS["ratelimit_login_account"]
    ratelimit_field_sign_in: str = RATE_LIMIT_DEFAULTS["ratelimit_field_sign_in"]
    ratelimit_field_account: str = RATE_LIMIT_DEFAULTS["ratelimit_field_account"]
    ratelimit_field_overall: str = RATE_LIMIT_DEFAULTS["ratelimit_field_overall"]
    ratelimit_webhook_refused: str = RATE_LIMIT_DEFAULTS["ratelimit_webhook_refused"]
    ratelimit_api: str = RATE_LIMIT_DEFAULTS["ratelimit_api"]
    ratelimit_api_refused: str = RATE_LIMIT_DEFAULTS["ratelimit_api_refused"]
    readyz_token: str | None = None  # None: /readyz details only to loopback clients
    # The operators' browser softphone (access tokens); unset: the console's phone says it is not configured.
    twilio_api_key_sid: str | None = None
    twilio_api_key_secret: str | None = None
    twilio_twiml_app_sid: str | None = None
    # Call-backs: attempts per request, the caller's local daytime (HH:MM), and the least time between attempts.
    callback_max_attempts: int = 3
    callback_day_start: str = "09:00"
    callback_day_end: str = "19:00"
    callback_min_gap_minutes: int = 30
    backup_dir: str | None = None  # where `hotline backup` writes by default; `hotline check --deploy` looks there
    queue_overdue_minutes: int = 15  # an unclaimed immediate or protection report turns red after this long
    queue_poll_seconds: int = 15  # how often an open queue page asks for new reports
    referral_stale_days: int = 7  # supervision flags a referral whose status has not moved for this long
    # Instance storage; None: a folder of that name in the instance folder.
    media_dir: str | None = None  # SMS/MMS attachments
    recordings_dir: str | None = None  # call recordings fetched from Twilio
    voice_notes_dir: str | None = None  # voice notes sent with field reports
    rq_queue: str = "hotline"  # the Redis queue jobs go to (HOTLINE_REDIS_URL set)
    sms_retry_base_delay: float = 0.5  # seconds before the first retry of a failed send; doubled each time
    spool_auto_replay: str | None = None  # "thread", "inline" or "off"; None: inline when testing, else thread
    # Without Redis: texts are filed by a thread of the web process ("background") or in the webhook's own request
    # ("request"); None: request when testing, else background. With Redis a worker files them.
    sms_filing: str | None = None

    @property
    def production(self) -> bool:
        return self.mode == "production"

    @property
    def media_folder(self) -> Path:
        """Where SMS/MMS attachments are stored."""
        return self._folder(self.media_dir, "media")

    @property
    def recordings_folder(self) -> Path:
        """Where call recordings fetched from Twilio are stored."""
        return self._folder(self.recordings_dir, "recordings")

    @property
    def voice_notes_folder(self) -> Path:
        """Where voice notes uploaded with field reports are stored."""
        return self._folder(self.voice_notes_dir, "field-voice-notes")

    def _folder(self, configured: str | None, name: str) -> Path:
        return Path(configured) if configured else Path(self.instance_path) / name


_LIST_KEYS = {"ui_locales", "totp_required_roles"}


def _environment_overrides(environ: Mapping[str, str], keys: set[str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for key in keys:
        value = environ.get(f"HOTLINE_{key.upper()}")
        if value is None or value == "":
            continue
        if key in _LIST_KEYS:  # comma-separated; "none" is the empty list
            overrides[key] = [] if value.strip() == "none" else [v.strip() for v in value.split(",") if v.strip()]
        else:
            overrides[key] = value
    return overrides


def _demo_secrets(instance_path: Path, missing: list[str]) -> dict[str, str]:
    """Random stand-ins for missing secrets in demo and testing modes, generated once and reused.

    The file is created exclusively, so gunicorn workers starting together all read the same secrets.
    """
    store = instance_path / "demo-secrets.json"
    private_dir(instance_path)
    if not store.exists():
        fresh = {name: ("AC" + secrets.token_hex(16)) if name == "twilio_account_sid" else secrets.token_hex(32)
                 for name in SECRETS}
        try:
            with os.fdopen(os.open(store, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
                json.dump(fresh, handle, indent=2)
        except FileExistsError:
            pass  # another process won the race: use its secrets
    known: dict[str, str] = json.loads(store.read_text())
    return {name: known[name] for name in missing}


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    defaults_path: Path = CONFIG_DIR / "defaults.yaml",
    instance_path: Path = PROJECT_ROOT / "instance",
) -> Settings:
    """Build Settings from defaults, then the environment, then explicit ``overrides`` (HOTLINE_* or bare keys)."""
    environ = os.environ if environ is None else environ
    schema = _SettingsSchema()
    raw: dict[str, Any] = dict(load_yaml_file(defaults_path, _PassThrough()))
    raw.update(_environment_overrides(environ, set(schema.fields)))
    for key, value in (overrides or {}).items():
        bare = key.removeprefix("HOTLINE_").lower()
        if bare in schema.fields:
            raw[bare] = value
    try:
        data = schema.load(raw)
    except ValidationError as exc:
        problems = "; ".join(f"HOTLINE_{k.upper()}: {m}" for k, m in flatten_messages(exc.messages))
        raise SettingsError(f"invalid configuration ({defaults_path} or environment): {problems}") from None
    instance = Path(data.pop("instance_path") or instance_path)
    return _finish(data, instance)


def _finish(data: dict[str, Any], instance: Path) -> Settings:
    missing = [name for name in SECRETS if not data.get(name)]
    generated: tuple[str, ...] = ()
    if missing and data["mode"] == "production":
        names = ", ".join(f"HOTLINE_{name.upper()}" for name in missing)
        raise SettingsError(
            f"{names} {'is' if len(missing) == 1 else 'are'} not set. Production mode needs every secret; "
            "set it in the environment, or run with HOTLINE_MODE=demo for a local trial with generated secrets."
        )
    if missing:
        data.update(_demo_secrets(instance, missing))
        generated = tuple(f"HOTLINE_{name.upper()}" for name in missing)
    for name in ("secret_key", "pseudonym_key"):
        if len(data[name]) < _MIN_KEY_LENGTH:
            raise SettingsError(f"HOTLINE_{name.upper()} must be at least {_MIN_KEY_LENGTH} characters long")
    if not data["database_url"]:
        private_dir(instance)
        data["database_url"] = f"sqlite:///{instance / 'hotline.sqlite3'}"
    if data["default_locale"] not in data["ui_locales"]:
        raise SettingsError("HOTLINE_DEFAULT_LOCALE must be one of HOTLINE_UI_LOCALES")
    data["ui_locales"] = tuple(data["ui_locales"])
    data["totp_required_roles"] = tuple(data["totp_required_roles"])
    return Settings(generated_secrets=generated, instance_path=str(instance), **data)


class _PassThrough(Schema):
    """Accept the defaults file as a mapping; the real validation runs after environment overrides."""

    class Meta:
        unknown = "include"


__all__ = ["ContentError", "Settings", "SettingsError", "load_settings"]
