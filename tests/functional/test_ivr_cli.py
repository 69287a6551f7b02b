"""`hotline ivr lint` and `hotline ivr audio`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from hotline.cli import cli
from hotline.context import runtime
from hotline.ivr.cli import ivr_group
from hotline.ivr.content import IvrPaths, load_ivr_content
from hotline.ivr.runtime import ivr_content

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def ivr_paths(app: Flask, tmp_path: Path):
    """Point the IVR at copies of the flow and numbers (and an empty audio folder) that a test may break."""
    scripts, config = tmp_path / "scripts", tmp_path / "config"
    shutil.copytree(ROOT / "hotline" / "ivr_scripts", scripts, ignore=shutil.ignore_patterns("audio"))
    config.mkdir()
    shutil.copy(ROOT / "hotline" / "config" / "hotlines.yaml", config / "hotlines.yaml")
    paths = IvrPaths(scripts=scripts, config=config, audio=tmp_path / "audio", stand_ins=tmp_path / "instance-audio")
    original = app.extensions["hotline_ivr"]
    app.extensions["hotline_ivr"] = load_ivr_content(runtime(app).languages, paths)
    yield paths
    app.extensions["hotline_ivr"] = original


def test_ivr_commands_are_part_of_the_hotline_cli() -> None:
    assert cli.commands["ivr"] is ivr_group


def test_lint_passes_on_the_shipped_flow_and_prints_the_matrix(runner, ivr_paths: IvrPaths) -> None:
    result = runner.invoke(ivr_group, ["lint"])
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split()
    assert header == list(runtime().languages.codes)
    assert "main_menu" in result.output and "0 error(s)" in result.output
    assert "number +93790000000: ps not offered" in result.output


def test_lint_fails_on_an_unreachable_node(runner, ivr_paths: IvrPaths) -> None:
    flow = ivr_paths.scripts / "default.yaml"
    flow.write_text(flow.read_text(encoding="utf-8") + "  lost:\n    kind: hangup\n    prompts: [goodbye]\n",
                    encoding="utf-8")
    result = runner.invoke(ivr_group, ["lint"])
    assert result.exit_code == 1
    assert "node 'lost' is unreachable" in result.output


def test_lint_fails_when_a_number_offers_no_language(runner, ivr_paths: IvrPaths) -> None:
    hotlines = ivr_paths.config / "hotlines.yaml"
    hotlines.write_text(hotlines.read_text(encoding="utf-8").replace("languages: [dv, en]", "languages: [dv, ps]"),
                        encoding="utf-8")
    result = runner.invoke(ivr_group, ["lint"])
    assert result.exit_code == 1 and "number +9603000000: none of ['dv', 'ps']" in result.output


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (make system-deps)")
def test_audio_builds_stand_ins_for_languages_without_a_voice(runner, ivr_paths: IvrPaths) -> None:
    result = runner.invoke(ivr_group, ["audio"])
    assert result.exit_code == 0, result.output
    stand_ins = ivr_paths.stand_in_root
    assert (stand_ins / "prs" / "synthetic" / "main_menu.wav").stat().st_size > 1000
    assert not (ivr_paths.audio / "prs").exists()  # built in the instance, never into the package's audio
    assert not (stand_ins / "en" / "synthetic").exists()  # English has a Twilio voice
    assert not (stand_ins / "ps").exists()  # no espeak-ng voice for Pashto: a human must record it
    rebuilt = load_ivr_content(runtime().languages, ivr_paths)
    assert rebuilt.prompts.offered("prs") and rebuilt.prompts.resolve("notice", "prs").source == "synthetic"
    # The spoken-reply call's prompts, played outside the flow, get stand-ins too (else no Dari spoken reply).
    assert rebuilt.prompts.resolve("spoken_reply_greeting", "prs").source == "synthetic"
    assert (stand_ins / "coverage.json").exists()
    assert ivr_content().paths == ivr_paths


def test_lint_passes_on_the_content_the_app_serves(runner) -> None:
    result = runner.invoke(ivr_group, ["lint"])
    assert result.exit_code == 0, result.output


def test_stand_ins_live_in_the_instance_folder_and_are_served_from_there(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    root = ivr_content(app).paths.stand_in_root
    assert root.is_relative_to(Path(app.config["HOTLINE"].instance_path))
    assert not root.is_relative_to(ROOT / "hotline")  # an installed package is never written to
    target = root / "prs" / "synthetic" / "stand_in_probe.wav"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
    try:
        response = client.get("/ivr/audio/prs/synthetic/stand_in_probe.wav")
        assert response.status_code == 200 and response.data.startswith(b"RIFF")
        response.close()
    finally:
        target.unlink()
