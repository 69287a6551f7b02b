"""Gather the DeployFacts that `hotline check --deploy` judges: settings, file modes, catalogues, prompts, Redis,
backups. It only reads (loading the settings creates a missing instance folder, privately, as start-up does)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

from hotline.content.languages import load_languages
from hotline.ivr.content import STAND_INS_FOLDER, IvrPaths, load_ivr_content
from hotline.ops.deploy_checks import Catalogue, DeployFacts
from hotline.settings import CONFIG_DIR, LOCALES_DIR, SECRETS, Settings, SettingsError, load_settings

DOMAINS = ("messages", "ivr", "sms")
BACKUP_PATTERNS = ("hotline-*.sqlite3", "hotline-*.pgdump")


def _env_name(name: str) -> str:
    return f"HOTLINE_{name.upper()}"


def gather_facts(environ: Mapping[str, str] | None = None, locales_dir: Path = LOCALES_DIR,
                 ivr_paths: IvrPaths | None = None, now: float | None = None) -> DeployFacts:
    """Everything the deployment checks need, from the environment (default ``os.environ``) and the disk."""
    environ = os.environ if environ is None else environ
    now = time.time() if now is None else now
    compiled = catalogues(locales_dir)
    try:
        settings = load_settings(environ=environ)
    except SettingsError as exc:
        lengths = {_env_name(name): len(environ.get(_env_name(name), "")) for name in SECRETS}
        return DeployFacts(mode=environ.get("HOTLINE_MODE", "production"), settings_error=str(exc),
                           secret_lengths=lengths, catalogues=compiled, unvoiced=unvoiced(ivr_paths))
    # The prompts the app will play: its stand-ins are where `hotline ivr audio` wrote them, in the instance folder.
    unplayable = unvoiced(ivr_paths or IvrPaths(stand_ins=Path(settings.instance_path) / STAND_INS_FOLDER))
    backend = make_url(settings.database_url).get_backend_name()
    return DeployFacts(
        mode=settings.mode,
        secret_lengths={_env_name(name): len(getattr(settings, name) or "") for name in SECRETS},
        demo_secrets=demo_secrets(settings),
        same_keys=settings.secret_key == settings.pseudonym_key,
        public_url=settings.public_url,
        totp_required_roles=settings.totp_required_roles,
        database_backend=backend,
        path_modes=path_modes(settings, backend),
        redis_url=settings.redis_url,
        redis_error=redis_error(settings.redis_url),
        backup_dir=settings.backup_dir,
        newest_backup_age_hours=newest_backup_age(settings.backup_dir, now),
        catalogues=compiled,
        unvoiced=unplayable,
    )


def demo_secrets(settings: Settings) -> tuple[str, ...]:
    """The secrets whose value is the one demo mode generated into the instance folder."""
    store = Path(settings.instance_path) / "demo-secrets.json"
    if not store.is_file():
        return ()
    try:
        generated = json.loads(store.read_text())
    except (OSError, ValueError):
        return ()
    return tuple(_env_name(name) for name in SECRETS
                 if generated.get(name) and generated[name] == getattr(settings, name))


def path_modes(settings: Settings, backend: str) -> dict[str, tuple[int, bool]]:
    """The mode of each path that holds caller data: instance folder, SQLite files, spool, backups."""
    instance = Path(settings.instance_path)
    paths = {f"instance folder {instance}": instance,
             f"spool {settings.spool_path or instance / 'spool'}": Path(settings.spool_path or instance / "spool")}
    if settings.backup_dir:
        paths[f"backup folder {settings.backup_dir}"] = Path(settings.backup_dir)
    if backend == "sqlite":
        database = make_url(settings.database_url).database
        if database and database != ":memory:":
            for suffix in ("", "-wal", "-shm", "-writer"):
                path = Path(database + suffix)
                paths[f"SQLite file {path}"] = path
    modes = {}
    for label, path in paths.items():
        try:
            status = path.stat()
        except OSError:
            continue  # not created yet: it will be, privately
        modes[label] = (status.st_mode & 0o7777, path.is_dir())
    return modes


def catalogues(locales_dir: Path) -> tuple[Catalogue, ...]:
    """Every catalogue of the web UI and of the IVR and SMS prompts, with the state of its compiled .mo."""
    found = []
    for po in sorted(locales_dir.glob("*/LC_MESSAGES/*.po")):
        if po.stem not in DOMAINS:
            continue
        mo = po.with_suffix(".mo")
        present = mo.is_file()
        current = present and mo.stat().st_mtime >= po.stat().st_mtime
        found.append(Catalogue(po=str(po.relative_to(locales_dir.parent)), mo_present=present, mo_current=current))
    return tuple(found)


def unvoiced(ivr_paths: IvrPaths | None = None) -> tuple[str, ...]:
    """Each language configured on a number whose prompts do not all resolve (recording, Twilio voice, stand-in)."""
    content = load_ivr_content(load_languages(CONFIG_DIR / "languages.yaml"), ivr_paths)
    numbers: dict[str, list[str]] = {}
    for number, config in content.hotlines.all_numbers().items():
        for code in config.languages:
            if content.prompts.missing(code):
                numbers.setdefault(code, []).append(number)
    return tuple(f"{code} ({len(content.prompts.missing(code))} prompt(s) without audio, e.g. "
                 f"{content.prompts.missing(code)[0]}; numbers: {', '.join(on)})" for code, on in numbers.items())


def redis_error(url: str | None) -> str | None:
    """None when Redis answers a PING (or is not configured); else the error's name and message."""
    if not url:
        return None
    import redis  # only when configured

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def newest_backup_age(folder: str | None, now: float) -> float | None:
    """Hours since the newest `hotline backup` file in ``folder`` was written; None when there is none."""
    if not folder or not Path(folder).is_dir():
        return None
    times = [path.stat().st_mtime for pattern in BACKUP_PATTERNS for path in Path(folder).glob(pattern)]
    return (now - max(times)) / 3600 if times else None
