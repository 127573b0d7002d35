"""Mono 16-bit PCM at one sample rate: WAV in and out, trimming, normalising, tones, silence."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

#: espeak-ng's own rate; every clip and announcement is converted to it once, at load.
SAMPLE_RATE = 22050
#: Below this level (about −40 dBFS) a sample counts as silence when trimming.
SILENCE_LEVEL = 330


def seconds(samples: np.ndarray) -> float:
    """Duration of ``samples`` in seconds."""
    return len(samples) / SAMPLE_RATE


def silence(duration_s: float) -> np.ndarray:
    """``duration_s`` seconds of digital silence."""
    if duration_s < 0:
        raise ValueError(f"silence needs a duration ≥ 0, got {duration_s}")
    return np.zeros(int(round(duration_s * SAMPLE_RATE)), dtype=np.int16)


def read_wav(path: str | Path) -> np.ndarray:
    """Read a PCM WAV file (8/16/32-bit, any rate, mono or stereo) as mono int16 at SAMPLE_RATE.

    Raises ValueError naming the file when it is not a PCM WAV file or holds no audio.
    """
    try:
        with wave.open(str(path), "rb") as w:
            width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"{path}: not a PCM WAV file ({exc})") from None
    if width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128) * 256
    elif width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.float64)
    elif width == 4:
        data = np.frombuffer(raw, dtype="<i4").astype(np.float64) / 65536
    else:
        raise ValueError(f"{path}: {8 * width}-bit samples; use 8, 16 or 32-bit PCM")
    if len(data) < channels or not len(data):
        raise ValueError(f"{path}: holds no audio")
    data = data[: len(data) // channels * channels].reshape(-1, channels).mean(axis=1)
    if rate != SAMPLE_RATE:
        # Linear interpolation is plenty for speech clips going to a hall's loudspeaker.
        n_out = max(1, int(round(len(data) * SAMPLE_RATE / rate)))
        data = np.interp(np.linspace(0, len(data) - 1, n_out), np.arange(len(data)), data)
    return np.clip(np.round(data), -32768, 32767).astype(np.int16)


def write_wav(path: str | Path, samples: np.ndarray) -> Path:
    """Write ``samples`` as a mono 16-bit WAV at SAMPLE_RATE and return the path."""
    path = Path(path)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return path


def trim(samples: np.ndarray, level: int = SILENCE_LEVEL, keep_s: float = 0.02) -> np.ndarray:
    """Cut leading and trailing silence, keeping ``keep_s`` of it at each end.

    espeak-ng ends each clip with ~0.3 s of silence; untrimmed, a composed call lasts 1.8× as long.
    """
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > level)
    if not len(loud):
        return samples[:0].copy()
    keep = int(keep_s * SAMPLE_RATE)
    return samples[max(0, loud[0] - keep): loud[-1] + 1 + keep].copy()


def normalise(samples: np.ndarray, peak_dbfs: float = -3.0) -> np.ndarray:
    """Scale so the loudest sample sits at ``peak_dbfs`` (silence stays silence)."""
    if peak_dbfs > 0:
        raise ValueError(f"peak must be ≤ 0 dBFS, got {peak_dbfs}")
    peak = int(np.max(np.abs(samples.astype(np.int32)))) if len(samples) else 0
    if peak == 0:
        return samples.copy()
    gain = 32767 * 10 ** (peak_dbfs / 20) / peak
    return np.clip(np.round(samples * gain), -32768, 32767).astype(np.int16)


def peak_dbfs(samples: np.ndarray) -> float:
    """Level of the loudest sample in dBFS (−inf for silence)."""
    peak = int(np.max(np.abs(samples.astype(np.int32)))) if len(samples) else 0
    return float("-inf") if peak == 0 else 20 * float(np.log10(peak / 32767))


def chime(tones: tuple[float, ...] = (659.25, 523.25), tone_s: float = 0.45,
          peak: float = -6.0) -> np.ndarray:
    """A 叮咚 chime: each tone in turn with a soft attack and an exponential decay."""
    t = np.arange(int(tone_s * SAMPLE_RATE)) / SAMPLE_RATE
    envelope = np.minimum(t / 0.01, 1.0) * np.exp(-t * 5.0)
    parts = []
    for f in tones:
        # A touch of the octave makes it sound like a bell rather than a test tone.
        wave_ = np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t)
        parts.append(wave_ * envelope)
    data = np.concatenate(parts)
    data = data / np.max(np.abs(data)) * 32767 * 10 ** (peak / 20)
    return np.round(data).astype(np.int16)
