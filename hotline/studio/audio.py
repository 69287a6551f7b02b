"""Audio for the phone line: any recording (WebM/Opus from a browser, MP3, WAV, OGG...) -> 8 kHz mono 16-bit WAV,
silence trimmed at both ends, loudness levelled. Decoding and resampling are FFmpeg's (PyAV); the rest is numpy.

Pure: bytes in, bytes out; no Flask, no database.
"""

from __future__ import annotations

import hashlib
import io
import wave
from dataclasses import dataclass

import av
import numpy as np
from numpy.typing import NDArray

RATE = 8000  # Twilio <Play> plays 8 kHz PCM WAV without transcoding: what the phone network carries
TARGET_RMS_DBFS = -20.0  # speech level of a telephone prompt
PEAK_CEILING_DBFS = -1.0
SILENCE_DBFS = -45.0  # 20 ms windows quieter than this (relative to full scale) at either end are silence
WINDOW = RATE // 50
PAD = RATE // 10  # 100 ms kept around the speech so that words are not clipped
MAX_SECONDS = 120
MIN_SPEECH_MS = 300


class AudioRejected(ValueError):
    """Not audio we can decode, silent, or too long; the message says which."""


@dataclass(frozen=True)
class PhoneAudio:
    """A normalised prompt: WAV bytes, duration, digest."""

    wav: bytes
    duration_ms: int
    sha256: str


def normalise(data: bytes) -> PhoneAudio:
    """Decode ``data``, mix to mono at 8 kHz, trim the silence at both ends and level the loudness."""
    samples = _decode(data)
    speech = _trim(samples)
    if len(speech) * 1000 // RATE < MIN_SPEECH_MS:
        raise AudioRejected("the recording is silent or too short")
    levelled = _level(speech)
    wav = _wav(levelled)
    return PhoneAudio(wav, len(levelled) * 1000 // RATE, hashlib.sha256(wav).hexdigest())


def _decode(data: bytes) -> NDArray[np.float32]:
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError) as exc:
        raise AudioRejected("not an audio file we can read") from exc
    with container:
        if not container.streams.audio:
            raise AudioRejected("the file has no audio")
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        chunks: list[NDArray[np.float32]] = []
        total = 0
        try:
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1).astype(np.float32)
                    chunks.append(chunk)
                    total += len(chunk)
                if total > MAX_SECONDS * RATE:
                    raise AudioRejected(f"longer than {MAX_SECONDS} seconds")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).astype(np.float32))
        except av.FFmpegError as exc:
            raise AudioRejected("the audio is damaged") from exc
    if not chunks:
        raise AudioRejected("the file has no audio")
    return np.concatenate(chunks)


def _trim(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    windows = len(samples) // WINDOW
    if windows == 0:
        return samples[:0]
    rms = np.sqrt(np.mean(samples[: windows * WINDOW].reshape(windows, WINDOW) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(20 * np.log10(rms) > SILENCE_DBFS)
    if loud.size == 0:
        return samples[:0]
    start = max(0, int(loud[0]) * WINDOW - PAD)
    end = min(len(samples), (int(loud[-1]) + 1) * WINDOW + PAD)
    return samples[start:end]


def _level(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    centred = samples - np.mean(samples)
    rms = float(np.sqrt(np.mean(centred**2)))
    peak = float(np.max(np.abs(centred)))
    gain = min(10 ** (TARGET_RMS_DBFS / 20) / rms, 10 ** (PEAK_CEILING_DBFS / 20) / peak)
    return (centred * gain).astype(np.float32)


def _wav(samples: NDArray[np.float32]) -> bytes:
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def loudness_dbfs(wav: bytes) -> float:
    """The RMS level of a 16-bit WAV in dBFS (for checks and the console)."""
    with wave.open(io.BytesIO(wav)) as source:
        pcm = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2").astype(np.float64) / 32768
    return float(20 * np.log10(np.sqrt(np.mean(pcm**2)) + 1e-12))
