"""The audio-out interface every speaker backend implements."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np

from devices.recorder import DISCARD, Recorder


class AudioUnavailable(RuntimeError):
    """The sound device could not be opened (no driver, no device, busy)."""


class AudioOut(ABC):
    """One speaker zone: plays one piece of PCM at a time.

    A backend must implement :meth:`_start` (begin playing mono int16 PCM at
    ``devices.audio.SAMPLE_RATE`` and return at once), :meth:`busy` and :meth:`health`; it may
    override :meth:`close`. A piece may come as parts played back to back: the backend starts
    the first at once and joins the rest while it plays (an announcement starts with a short
    silence that wakes the amplifier, so nothing need be copied before the speaker starts). :meth:`play` refuses to overlap (RuntimeError while busy): queueing
    and coalescing are the announcer's job, above the backend. Every backend keeps
    :attr:`last_start`, the ``monotonic()`` instant the last play began, and :attr:`plays`, how
    many began; each start also goes to :attr:`recorder` as ``("audio.start", instant)``
    (hall-bench and tests attach one: a speaker keeps nothing that grows). A
    backend that cannot play (a broken device, or closed) raises :class:`AudioUnavailable` and
    reports ``error`` in ``health`` until a play succeeds again. ``health`` returns at least
    ``{"state": "ok" | "error" | "unknown"}``. ``tests/contracts/test_audio.py`` holds every
    backend to this.
    """

    #: True for a speaker nobody hears (node health says so).
    simulated = False

    def __init__(self, monotonic: Callable[[], float] = time.monotonic):
        self.monotonic = monotonic
        self.last_start: float | None = None
        self.plays = 0
        self.recorder: Recorder = DISCARD

    def play(self, samples: np.ndarray | Sequence[np.ndarray]) -> None:
        """Start playing ``samples`` (an array, or parts back to back) now; RuntimeError if still
        playing, ValueError if empty or not mono int16, AudioUnavailable if it cannot play."""
        parts = [samples] if isinstance(samples, np.ndarray) else list(samples)
        for part in parts:
            if not isinstance(part, np.ndarray) or part.dtype != np.int16 or part.ndim != 1:
                raise ValueError("audio must be 1-D int16 arrays (mono 16-bit PCM)")
        if not sum(len(p) for p in parts):
            raise ValueError("nothing to play: no samples")
        if self.busy():
            raise RuntimeError("the speaker is still playing; announcements never overlap")
        before, self.last_start = self.last_start, self.monotonic()
        try:
            self._start([p for p in parts if len(p)])
        except BaseException:
            self.last_start = before  # it never began: hall-bench must not count it
            raise
        self.plays += 1
        self.recorder.record("audio.start", self.last_start)

    @abstractmethod
    def _start(self, parts: list[np.ndarray]) -> None:
        """Begin playing ``parts`` back to back (checked, none empty); return without waiting."""

    @abstractmethod
    def busy(self) -> bool:
        """True while something is playing."""

    @abstractmethod
    def health(self) -> dict:
        """Health of the sound device, see the class docstring."""

    def close(self) -> None:  # noqa: B027 - optional for backends, documented above
        """Release the device; the default has nothing to release."""
