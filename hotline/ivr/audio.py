"""`hotline ivr audio`: synthesised stand-in prompts with espeak-ng, for languages without a recording or voice.

Stand-ins go to <instance>/ivr-stand-ins/<lang>/synthetic/<prompt>.wav (the folder marks them as synthetic) and a
coverage file records, per language and prompt, whether callers hear a recording, Twilio's voice or a stand-in.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from hotline.content.languages import LanguageTable
from hotline.ivr.prompts import RECORDED, TTS, PromptBook

COVERAGE_FILE = "coverage.json"
_ESPEAK_TIMEOUT = 60


class AudioError(RuntimeError):
    """espeak-ng is missing or failed."""


def espeak_binary() -> str:
    """The espeak-ng executable (installed by `make system-deps`)."""
    found = shutil.which("espeak-ng")
    if found is None:
        raise AudioError("espeak-ng is not installed: run `make system-deps` (Debian package espeak-ng)")
    return found


def build_stand_ins(prompts: PromptBook, languages: LanguageTable, audio_dir: Path,
                    force: bool = False) -> Iterator[str]:
    """Synthesise every prompt that has text but neither a recording nor a Twilio voice; yield what was done."""
    binary = espeak_binary()
    for lang in languages.languages:
        if not lang.espeak:
            continue
        for prompt in prompts.used:
            resolved = prompts.resolve(prompt, lang.code)
            text = prompts.text(prompt, lang.code)
            if resolved.source in (RECORDED, TTS) or not text:
                continue
            target = audio_dir / lang.code / "synthetic" / f"{prompt}.wav"
            if target.exists() and not force:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            _synthesise(binary, lang.espeak, text, target)
            yield f"{lang.code}/{prompt}: synthesised with espeak-ng voice {lang.espeak}"


def write_coverage(coverage: dict[str, dict[str, str]], audio_dir: Path) -> Path:
    """Record which prompts are recorded, spoken by Twilio, synthetic or missing, per language."""
    path = audio_dir / COVERAGE_FILE
    audio_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(coverage, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _synthesise(binary: str, voice: str, text: str, target: Path) -> None:
    partial = target.with_suffix(".tmp")
    # Text goes through stdin, never the command line; no shell is involved.
    result = subprocess.run([binary, "-v", voice, "-s", "140", "-w", str(partial), "--stdin"],  # noqa: S603
                            input=text.encode("utf-8"), capture_output=True, timeout=_ESPEAK_TIMEOUT, check=False)
    if result.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        raise AudioError(f"espeak-ng failed for {target}: {result.stderr.decode(errors='replace').strip()}")
    partial.replace(target)
