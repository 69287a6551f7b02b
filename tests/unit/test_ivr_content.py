"""Flow and hotline files: validation errors name file, line and key; the linter finds structural faults."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline.content.yamlfile import ContentError
from hotline.ivr.flow import load_flow
from hotline.ivr.hotlines import load_hotlines
from hotline.ivr.lint import LintReport, check_flow, coverage_matrix
from hotline.settings import CONFIG_DIR

ROOT = Path(__file__).resolve().parents[2]
BASE = """version: 1
start: hello
invalid_prompt: bye
prompts: {hello: Hello, bye: Bye}
nodes:
  hello: {kind: say, prompts: [hello], next: end}
  end: {kind: hangup, prompts: [bye]}
"""


def write(tmp_path: Path, text: str, name: str = "flow.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_flow_and_numbers_load() -> None:
    flow = load_flow(ROOT / "hotline" / "ivr_scripts" / "default.yaml")
    hotlines = load_hotlines(CONFIG_DIR / "hotlines.yaml", ["prs", "ps", "haz", "en", "ms", "rhg", "bn", "ta",
                                                                "si", "id", "dv", "th", "ur"])
    assert flow.start == "notice" and hotlines.for_number("+93790000000").languages[0] == "prs"
    assert hotlines.for_number("+10000000000") == hotlines.default


def test_unknown_target_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("next: end", "next: nowhere"))
    with pytest.raises(ContentError) as error:
        load_flow(path)
    assert f"{path}:6: nodes.hello.next: no node named 'nowhere'" in str(error.value)


def test_unknown_prompt_and_kind_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as error:
        load_flow(write(tmp_path, BASE.replace("prompts: [bye]", "prompts: [farewell]")))
    assert ":7: nodes.end.prompts: no prompt named 'farewell'" in str(error.value)
    with pytest.raises(ContentError) as error:
        load_flow(write(tmp_path, BASE.replace("kind: say", "kind: sing")))
    assert ":6: nodes.hello.kind: Must be one of" in str(error.value)


def test_lint_finds_unreachable_nodes_and_silent_loops(tmp_path: Path) -> None:
    text = BASE + "  orphan: {kind: say, prompts: [hello], next: orphan}\n"
    report = LintReport()
    check_flow(load_flow(write(tmp_path, text)), report)
    assert "node 'orphan' is unreachable from 'hello'" in report.errors
    assert "node 'orphan' is in a loop that never waits for the caller" in report.errors


def test_lint_finds_dead_ends(tmp_path: Path) -> None:
    text = BASE.replace("next: end", "next: menu") + (
        "  menu: {kind: menu, prompts: [hello], on_fail: menu, options: {'1': {goto: menu}}}\n")
    report = LintReport()
    check_flow(load_flow(write(tmp_path, text)), report)
    assert any("dead end" in e for e in report.errors)


def test_shipped_flow_is_structurally_clean() -> None:
    report = LintReport()
    check_flow(load_flow(ROOT / "hotline" / "ivr_scripts" / "default.yaml"), report)
    assert report.errors == []


def test_hotlines_validation_and_office_hours(tmp_path: Path) -> None:
    bad = write(tmp_path, "version: 1\nflow: default\nqueue_prefix: q-\ndefault:\n  languages: [xx]\n"
                "  timezone: Mars/Olympus\n  office_hours: {days: [mon], open: '09:00', close: '08:00'}\n", "h.yaml")
    with pytest.raises(ContentError) as error:
        load_hotlines(bad, ["en"])
    message = str(error.value)
    assert "default.languages" in message and "default.timezone" in message and "close" in message
    hotlines = load_hotlines(CONFIG_DIR / "hotlines.yaml", ["prs", "ps", "haz", "en", "ms", "rhg", "bn", "ta",
                                                                "si", "id", "dv", "th", "ur"])
    kabul = hotlines.for_number("+93790000000")
    assert kabul.office_open(datetime(2026, 11, 28, 5, 0, tzinfo=UTC))  # Saturday 09:30 in Kabul
    assert not kabul.office_open(datetime(2026, 11, 27, 5, 0, tzinfo=UTC))  # Friday


def test_coverage_matrix_marks_each_source() -> None:
    text = coverage_matrix({"en": {"hello": "tts"}, "prs": {"hello": "synthetic"}, "ps": {"hello": "missing"}})
    assert text.splitlines()[1].split() == ["hello", "T", "S", "-"]


def test_offered_languages_per_number_skip_languages_without_prompts(tmp_path: Path) -> None:
    from hotline.content.languages import load_languages
    from hotline.ivr.content import IvrPaths, load_ivr_content

    languages = load_languages(ROOT / "hotline" / "config" / "languages.yaml")
    content = load_ivr_content(languages, IvrPaths(audio=tmp_path))  # no audio: only Twilio voices resolve
    default = content.offered_languages(None)
    assert default and all(content.prompts.offered(code) for code in default)
    assert content.offered_languages("+10000000000") == default  # a number not configured gets the default's
    malaysia = content.offered_languages("+60390000000")
    assert "rhg" not in malaysia and set(malaysia) <= set(content.hotlines.for_number("+60390000000").languages)
    assert content.offered_languages("+60390000000") is malaysia  # computed once per loaded content
