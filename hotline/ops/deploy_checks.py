"""`hotline check --deploy`: unsafe or incomplete production settings, as pure checks over a DeployFacts value.

Each check takes the facts (gathered by hotline.ops.deploy_facts from the settings, the file system, Redis) and
returns the problems it sees, each with the fix. Nothing here reads a file or the environment, so every check is
tested with a hand-made DeployFacts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ERROR, WARNING = "error", "warning"
MIN_KEY_LENGTH = 32
# Roles that read caller text: a stolen password alone must not open it.
CALLER_TEXT_ROLES = ("operator", "supervisor", "admin")
BACKUP_MAX_AGE_HOURS = 48


@dataclass(frozen=True)
class Problem:
    """One unsafe or incomplete setting: a stable id, what is wrong, and how to fix it."""

    id: str
    message: str
    fix: str
    level: str = ERROR

    def line(self) -> str:
        """The one line the command prints."""
        return f"{self.level}: [{self.id}] {self.message} Fix: {self.fix}"


@dataclass(frozen=True)
class Catalogue:
    """One compiled gettext catalogue: its .po path (as shown), and whether its .mo exists and is up to date."""

    po: str
    mo_present: bool
    mo_current: bool


@dataclass(frozen=True)
class DeployFacts:
    """What the checks look at. ``settings_error`` is set when the settings could not even be loaded."""

    mode: str = "production"
    settings_error: str | None = None
    # secret name (HOTLINE_…) -> its length (0 when unset)
    secret_lengths: dict[str, int] = field(default_factory=dict)
    # HOTLINE_… names whose value is the one generated for demo mode (instance/demo-secrets.json)
    demo_secrets: tuple[str, ...] = ()
    same_keys: bool = False  # HOTLINE_SECRET_KEY == HOTLINE_PSEUDONYM_KEY
    public_url: str | None = None
    totp_required_roles: tuple[str, ...] = ()
    database_backend: str = "postgresql"
    # a path label (e.g. "instance folder /srv/hotline") -> (its mode, whether it is a folder)
    path_modes: dict[str, tuple[int, bool]] = field(default_factory=dict)
    catalogues: tuple[Catalogue, ...] = ()
    # "prs (12 prompt(s) without audio, e.g. welcome; numbers: default, +93…)" per configured language not offered
    unvoiced: tuple[str, ...] = ()
    redis_url: str | None = None
    redis_error: str | None = None  # None: reachable (or not configured)
    backup_dir: str | None = None
    newest_backup_age_hours: float | None = None  # None: no backup file in backup_dir


Check = Callable[[DeployFacts], list[Problem]]


def check_settings_load(facts: DeployFacts) -> list[Problem]:
    """The settings load at all (a missing secret stops production start-up)."""
    if facts.settings_error is None:
        return []
    return [Problem("settings", f"the settings do not load: {facts.settings_error}",
                    "set the variable it names (see the README's configuration table).")]


def check_mode(facts: DeployFacts) -> list[Problem]:
    """Production runs in production mode (demo mode generates secrets and turns protections off)."""
    if facts.mode == "production":
        return []
    return [Problem("mode", f"HOTLINE_MODE is {facts.mode!r}, not production.",
                    "unset HOTLINE_MODE (production is the default) or set HOTLINE_MODE=production.")]


def check_secrets(facts: DeployFacts) -> list[Problem]:
    """Secrets are set, long enough, not the demo's generated ones, and the two keys differ."""
    problems = []
    for name, length in sorted(facts.secret_lengths.items()):
        if length == 0:
            problems.append(Problem("secret-missing", f"{name} is not set.", f"set {name} in the environment."))
        elif name in ("HOTLINE_SECRET_KEY", "HOTLINE_PSEUDONYM_KEY") and length < MIN_KEY_LENGTH:
            problems.append(Problem("secret-short", f"{name} has {length} characters (at least {MIN_KEY_LENGTH}).",
                                    f"set {name} to a random value: python3 -c 'import secrets; "
                                    "print(secrets.token_urlsafe(48))'."))
    for name in facts.demo_secrets:
        problems.append(Problem("secret-demo", f"{name} is the value generated for demo mode (demo-secrets.json).",
                                f"set {name} to a secret of its own and delete demo-secrets.json from the "
                                "instance folder."))
    if facts.same_keys:
        problems.append(Problem("secret-reused", "HOTLINE_SECRET_KEY and HOTLINE_PSEUDONYM_KEY are the same.",
                                "give each its own random value (rotating one must not touch the other)."))
    return problems


def check_public_url(facts: DeployFacts) -> list[Problem]:
    """The public URL is set and HTTPS: Twilio and staff reach the app over TLS only."""
    url = facts.public_url
    if not url:
        return [Problem("public-url", "HOTLINE_PUBLIC_URL is not set.",
                        "set HOTLINE_PUBLIC_URL=https://your.host (what Twilio and staff use).")]
    if urlsplit(url).scheme != "https":
        return [Problem("public-url-https", f"HOTLINE_PUBLIC_URL {url!r} is not https.",
                        "serve Hotline over HTTPS (a TLS-terminating proxy) and set an https:// URL.")]
    return []


def check_totp(facts: DeployFacts) -> list[Problem]:
    """Every role that reads caller text must set up two-step sign-in."""
    missing = [role for role in CALLER_TEXT_ROLES if role not in facts.totp_required_roles]
    if not missing:
        return []
    return [Problem("totp", f"roles that read caller text sign in without a second step: {', '.join(missing)}.",
                    "set HOTLINE_TOTP_REQUIRED_ROLES=" + ",".join(
                        dict.fromkeys((*facts.totp_required_roles, *CALLER_TEXT_ROLES))) + ".")]


def check_file_modes(facts: DeployFacts) -> list[Problem]:
    """The instance folder, the SQLite files and the spool are readable by this user alone."""
    problems = []
    for label, (mode, is_dir) in sorted(facts.path_modes.items()):
        if mode & 0o077:
            wanted = "0700" if is_dir else "0600"
            problems.append(Problem("file-mode", f"{label} has mode {mode:04o}: other users can read it.",
                                    f"chmod {wanted} it (and run Hotline under its own user)."))
    return problems


def check_catalogues(facts: DeployFacts) -> list[Problem]:
    """Every catalogue is compiled, and compiled after its last edit."""
    problems = []
    for catalogue in facts.catalogues:
        if not catalogue.mo_present:
            problems.append(Problem("catalogue-missing", f"{catalogue.po} is not compiled (no .mo).",
                                    "run make catalogs."))
        elif not catalogue.mo_current:
            problems.append(Problem("catalogue-stale", f"{catalogue.po} changed after it was compiled.",
                                    "run make catalogs."))
    return problems


def check_audio(facts: DeployFacts) -> list[Problem]:
    """Every language configured on a number can be played: a recording, a Twilio voice or a stand-in."""
    return [Problem("audio", f"language {item}: callers will not be offered it.",
                    "add the recordings, or build stand-ins with hotline ivr audio (espeak-ng); hotline ivr lint "
                    "lists what is missing.") for item in facts.unvoiced]


def check_redis(facts: DeployFacts) -> list[Problem]:
    """When jobs go to Redis, Redis answers (and workers are expected to be running)."""
    if facts.redis_url and facts.redis_error is not None:
        return [Problem("redis", f"HOTLINE_REDIS_URL is set but Redis does not answer ({facts.redis_error}).",
                        "start Redis or fix the URL, and run hotline jobs worker on one or more hosts.")]
    return []


def check_backups(facts: DeployFacts) -> list[Problem]:
    """Backups are configured and recent."""
    if not facts.backup_dir:
        return [Problem("backup", "HOTLINE_BACKUP_DIR is not set: no nightly backup is known.",
                        "set HOTLINE_BACKUP_DIR and run hotline backup nightly from cron (copies encrypted, "
                        "off the host).")]
    age = facts.newest_backup_age_hours
    if age is None:
        return [Problem("backup", f"no backup in {facts.backup_dir}.",
                        "run hotline backup now, and nightly from cron.")]
    if age > BACKUP_MAX_AGE_HOURS:
        return [Problem("backup", f"the newest backup in {facts.backup_dir} is {age:.0f} hours old.",
                        "check the nightly hotline backup job.")]
    return []


def check_database(facts: DeployFacts) -> list[Problem]:
    """SQLite serves one host; production with several workers and hosts wants PostgreSQL."""
    if facts.database_backend != "sqlite":
        return []
    return [Problem("sqlite", "the database is SQLite: one host only, and no standby.",
                    "use PostgreSQL (HOTLINE_DATABASE_URL=postgresql://…) for production.", WARNING)]


CHECKS: tuple[Check, ...] = (check_settings_load, check_mode, check_secrets, check_public_url, check_totp,
                             check_file_modes, check_catalogues, check_audio, check_redis, check_backups,
                             check_database)


def run_checks(facts: DeployFacts, checks: Sequence[Check] = CHECKS) -> list[Problem]:
    """Every problem every check finds, in check order."""
    return [problem for check in checks for problem in check(facts)]
