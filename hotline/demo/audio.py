"""A playable recording for the demo: a few seconds of Dari, so a newcomer hears the console's audio player work.

The demo's calls are synthetic and Twilio never recorded them, so their audio would show as "not stored". The
Dari reports of the "safe boat" rumour get ``sample-recording-prs.wav``: that rumour's sentence ("the smuggler says
the boat is big and safe. Is it true?") spoken by espeak-ng's Persian voice, resampled to 8 kHz mono like a phone
line (``espeak-ng -v fa -s 150 -w raw.wav "<text>"``, then 8 kHz 16-bit PCM: 5 s, 77 KB).
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

from hotline.demo.content import DEMO_DIR
from hotline.demo.plan import PlannedReport
from hotline.files import private_dir, write_private
from hotline.intake.models import Recording

# (language, sample id) -> the recording of that sample's words in that language.
SAMPLE_AUDIO = {("prs", "safe_boat"): DEMO_DIR / "sample-recording-prs.wav"}
FOLDER = "demo"  # under the recordings folder, apart from the days' folders real recordings go to


def attach_sample_audio(plan: PlannedReport, recording: Recording, storage: Path) -> bool:
    """Give ``recording`` the sample audio of what ``plan`` says, when there is one; True if it did."""
    source = SAMPLE_AUDIO.get((plan.language, plan.sample.id))
    if source is None or not recording.provider_sid:
        return False
    folder = private_dir(storage / FOLDER)  # 0700, as every folder of recordings
    shared = folder / source.name
    if not shared.exists():
        write_private(shared, source.read_bytes())
    target = folder / f"{recording.provider_sid}.wav"
    if not target.exists():
        try:
            # One file on disk, however many calls: retention or erasure deleting one link leaves the others.
            os.link(shared, target)
        except OSError:
            write_private(target, shared.read_bytes())
    recording.storage_path = f"{FOLDER}/{target.name}"
    recording.content_type = "audio/wav"
    recording.duration_seconds = _seconds(source)
    return True


def _seconds(path: Path) -> int:
    with wave.open(str(path)) as audio:
        frames, rate = int(audio.getnframes()), int(audio.getframerate())
    return max(1, round(frames / rate))
