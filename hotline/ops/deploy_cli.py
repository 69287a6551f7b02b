"""`hotline check --deploy`: one line per unsafe or incomplete production setting, each with its fix."""

from __future__ import annotations

import sys

import click

from hotline.ops.deploy_checks import (
    CHECKS,
    WARNING,
    check_audio,
    check_catalogues,
    check_secrets,
    check_settings_load,
    run_checks,
)
from hotline.ops.deploy_facts import gather_facts

# When the settings do not load, only what does not depend on them can be judged.
WITHOUT_SETTINGS = (check_settings_load, check_secrets, check_catalogues, check_audio)


@click.command("check")
@click.option("--deploy", is_flag=True, help="Check the production settings (secrets, HTTPS, TOTP, file modes, "
                                              "catalogues, audio, Redis, backups, database).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check_command(deploy: bool, strict: bool) -> None:
    """Check this installation; exit 1 when a problem is found (with --strict, a warning too)."""
    if not deploy:
        raise click.UsageError("say what to check: hotline check --deploy")
    facts = gather_facts()
    problems = run_checks(facts, CHECKS if facts.settings_error is None else WITHOUT_SETTINGS)
    for problem in problems:
        click.echo(problem.line())
    warnings = sum(problem.level == WARNING for problem in problems)
    errors = len(problems) - warnings
    if not problems:
        click.echo("deploy check: no problems found")
        return
    click.echo(f"deploy check: {errors} error(s), {warnings} warning(s)")
    if errors or strict:
        sys.exit(1)
