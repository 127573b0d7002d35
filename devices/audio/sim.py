"""Simulated speaker: each announcement goes to its own WAV file, exactly as it would play."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from devices.audio.base import AudioOut, AudioUnavailable
from devices.audio.pcm import seconds, write_wav


@dataclass(frozen=True)
class Played:
    """One announcement: when it started (monotonic s), its WAV file and its length."""

    at: float
    path: Path
    duration_s: float


class WavAudioOut(AudioOut):
    """Writes each play to ``out_dir/announcement-NNNN.wav`` and stays busy for as long as a
    speaker would take to play it, measured on ``monotonic`` (a test may pass its own clock).
    Each play also goes to the recorder as ``("audio.played", Played)``; :attr:`last` is the
    latest.
    """

    simulated = True

    def __init__(self, out_dir: str | Path, monotonic: Callable[[], float] = time.monotonic):
        super().__init__(monotonic)
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.last: Played | None = None
        # A restarted node keeps numbering after what an earlier run left, never overwriting it.
        self._number = max((int(p.stem.rsplit("-", 1)[1]) for p in
                            self.out_dir.glob("announcement-[0-9][0-9][0-9][0-9].wav")), default=0)
        self._until = float("-inf")
        self._error: str | None = None
        self._closed = False

    def _start(self, parts: list[np.ndarray]) -> None:
        at = self.last_start
        samples = np.concatenate(parts)
        self._number += 1
        path = self.out_dir / f"announcement-{self._number:04d}.wav"
        if self._closed:
            self._error = "closed"
            raise AudioUnavailable("cannot play: the speaker is closed")
        try:
            write_wav(path, samples)
        except OSError as exc:  # a full or gone disk is this speaker's broken device
            self._number -= 1
            self._error = f"cannot write {path}: {exc.strerror}"
            raise AudioUnavailable(f"cannot play: {self._error}") from None
        self._error = None
        self.last = Played(at, path, seconds(samples))
        self.recorder.record("audio.played", self.last)
        self._until = at + seconds(samples)

    def busy(self) -> bool:
        return self.monotonic() < self._until

    def close(self) -> None:
        """Like a closed sound device: later plays fail with AudioUnavailable."""
        self._closed = True
        self._until = float("-inf")

    def health(self) -> dict:
        if self._closed:
            return {"state": "error", "detail": "closed"}
        if self._error:
            return {"state": "error", "detail": self._error}
        return {"state": "ok", "backend": "wav", "played": self.plays}
