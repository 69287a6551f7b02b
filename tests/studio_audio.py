"""Audio files the studio tests make: a voice-like signal (a pitched buzz with syllable-rate loudness) between
stretches of silence, in whatever rate and channel count a test wants."""

from __future__ import annotations

import io
import wave

import numpy as np


def voice_like_wav(seconds: float = 1.2, rate: int = 44100, channels: int = 2, amplitude: float = 0.05,
                   silence: float = 0.6, pitch: float = 180.0) -> bytes:
    """A 16-bit WAV: ``silence`` s of silence, ``seconds`` of a voice-like signal, ``silence`` s of silence."""
    t = np.arange(int(seconds * rate)) / rate
    buzz = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 6))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)
    voice = amplitude * buzz * syllables / np.max(np.abs(buzz))
    gap = np.zeros(int(silence * rate))
    mono = np.concatenate([gap, voice, gap])
    pcm = (np.clip(mono, -1, 1) * 32767).astype("<i2")
    frames = np.repeat(pcm[:, None], channels, axis=1).reshape(-1)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.tobytes())
    return buffer.getvalue()
