"""Studio audio for the phone line: decoded with FFmpeg (PyAV), mono 8 kHz, silence trimmed, loudness levelled."""

from __future__ import annotations

import io
import wave

import av
import pytest

from hotline.studio.audio import PEAK_CEILING_DBFS, RATE, TARGET_RMS_DBFS, AudioRejected, loudness_dbfs, normalise
from tests.studio_audio import voice_like_wav


def _shape(wav: bytes) -> tuple[int, int, int, int]:
    with wave.open(io.BytesIO(wav)) as source:
        return source.getnchannels(), source.getsampwidth(), source.getframerate(), source.getnframes()


def test_a_quiet_stereo_studio_file_becomes_a_levelled_mono_8khz_wav() -> None:
    before = voice_like_wav(seconds=1.2, rate=44100, channels=2, amplitude=0.02, silence=0.8)
    result = normalise(before)
    channels, width, rate, frames = _shape(result.wav)
    assert (channels, width, rate) == (1, 2, RATE)
    assert 1300 <= result.duration_ms <= 1450  # 1.2 s of voice + 100 ms kept each side; 1.6 s of silence gone
    assert frames * 1000 // RATE == result.duration_ms
    assert loudness_dbfs(before) < TARGET_RMS_DBFS - 10
    assert TARGET_RMS_DBFS - 3 <= loudness_dbfs(result.wav) <= PEAK_CEILING_DBFS


def test_a_loud_file_is_turned_down_without_clipping() -> None:
    result = normalise(voice_like_wav(amplitude=0.99, rate=16000, channels=1))
    assert loudness_dbfs(result.wav) <= TARGET_RMS_DBFS + 1


def test_compressed_audio_from_a_browser_is_decoded(tmp_path) -> None:
    # The browser's MediaRecorder gives WebM/Opus; make one with PyAV's encoder from the generated voice.
    source = av.open(io.BytesIO(voice_like_wav(rate=48000, channels=1)))
    target_buffer = io.BytesIO()
    target = av.open(target_buffer, mode="w", format="webm")
    stream = target.add_stream("libopus", rate=48000)
    for frame in source.decode(audio=0):
        frame.pts = None
        for packet in stream.encode(frame):
            target.mux(packet)
    for packet in stream.encode(None):
        target.mux(packet)
    target.close()
    result = normalise(target_buffer.getvalue())
    assert _shape(result.wav)[:3] == (1, 2, RATE)
    assert 1100 <= result.duration_ms <= 1600


@pytest.mark.parametrize("data", [b"", b"not audio at all" * 100, voice_like_wav(amplitude=0.0)])
def test_unreadable_or_silent_audio_is_refused(data: bytes) -> None:
    with pytest.raises(AudioRejected):
        normalise(data)
