"""Where a recording's audio is kept: call recordings fetched from Twilio and field voice notes live in two folders,
and a stored path is relative to the folder of its kind (a field contact's recording is a voice note)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotline.files import inside
from hotline.intake.constants import Channel
from hotline.intake.models import Recording


@dataclass(frozen=True)
class RecordingFolders:
    """The two folders recordings are stored in."""

    calls: Path  # recordings fetched from Twilio (HOTLINE_RECORDINGS_DIR)
    voice_notes: Path  # voice notes uploaded with field reports (HOTLINE_VOICE_NOTES_DIR)

    def root(self, recording: Recording) -> Path:
        """The folder ``recording.storage_path`` is relative to."""
        return self.voice_notes if recording.contact.channel == Channel.FIELD else self.calls

    def file(self, recording: Recording | None) -> Path | None:
        """The recording's local file if it is there (and inside its folder: a stored path cannot point
        elsewhere)."""
        if recording is None or not recording.storage_path or recording.purged_at is not None:
            return None
        path = inside(self.root(recording), recording.storage_path)
        return path if path is not None and path.is_file() else None
