"""Call announcements: chime, the sentence said twice, one at a time, a storm coalesced.

The rules (docs/announcements.md): never overlap, never interrupt; a newer call of a window
replaces that window's call still waiting to be said; a call already waiting is not queued twice;
once more than ``backlog_s`` of speech waits, waiting calls are said once instead of twice; a call
that waited longer than ``max_age_s`` is dropped (the display still shows it). What was said
and dropped goes to the recorder (``said``: :class:`Said`, ``dropped``: (no, window, why)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from callboard.speech import Template
from devices.audio.base import AudioOut
from devices.audio.clips import CHIME, LEAD_IN_S, ClipLibrary
from devices.audio.pcm import SAMPLE_RATE, silence
from devices.recorder import DISCARD, Recorder

GAP_AFTER_CHIME_S = 0.2
GAP_BETWEEN_READINGS_S = 0.6
GAP_BETWEEN_LANGUAGES_S = 0.4


@dataclass(frozen=True)
class Voice:
    """One language's reading: its template and the clips it is made of."""

    template: Template
    library: ClipLibrary


@dataclass
class Pending:
    """A call waiting to be said."""

    no: str
    window: int
    received: float
    times: int
    parts: list[np.ndarray] = field(repr=False)
    service: str | None = None

    @property
    def duration_s(self) -> float:
        return sum(len(p) for p in self.parts) / SAMPLE_RATE


@dataclass(frozen=True)
class Said:
    """A call that started playing: what, when (monotonic s), how long and how many readings."""

    no: str
    window: int
    at: float
    duration_s: float
    times: int


class Announcer:
    """Turns calls into announcements on one speaker zone. :meth:`call` queues (from the node's
    loop), :meth:`poll` starts the next announcement when the speaker is free.
    """

    def __init__(self, voices: list[Voice], out: AudioOut, monotonic: Callable[[], float],
                 repeats: int = 2, backlog_s: float = 20.0, max_age_s: float = 60.0):
        if not voices:
            raise ValueError("an announcer needs at least one voice")
        if repeats < 1 or backlog_s <= 0 or max_age_s <= 0:
            raise ValueError("repeats ≥ 1, backlog_s > 0 and max_age_s > 0 are required")
        self.voices = voices
        self.out = out
        self.monotonic = monotonic
        self.repeats = repeats
        self.backlog_s = backlog_s
        self.max_age_s = max_age_s
        self.pending: list[Pending] = []  # at most one per window (rule 2)
        self.recorder: Recorder = DISCARD
        self.error: str | None = None
        self._silences: dict[float, np.ndarray] = {}

    def compose(self, no: str, window: int, times: int,
                service: str | None = None) -> list[np.ndarray]:
        """The whole announcement as parts played back to back: lead-in silence, chime, then the
        reading ``times`` times. The parts are the clips themselves: nothing is copied before
        the speaker starts (it joins them during the lead-in)."""
        once: list[np.ndarray] = []
        for i, voice in enumerate(self.voices):
            if i:
                once.append(self._silence(GAP_BETWEEN_LANGUAGES_S))
            once += voice.library.parts(voice.template.clips(no, window, service))
        first = self.voices[0].library
        parts = [self._silence(LEAD_IN_S), first[CHIME], self._silence(GAP_AFTER_CHIME_S), *once]
        for _ in range(times - 1):
            parts += [self._silence(GAP_BETWEEN_READINGS_S), *once]
        return parts

    def _silence(self, seconds_: float) -> np.ndarray:
        if seconds_ not in self._silences:
            self._silences[seconds_] = silence(seconds_)
        return self._silences[seconds_]

    def call(self, no: str, window: int, service: str | None = None) -> None:
        """Queue ticket ``no`` (of ``service``) called to ``window``; ValueError (nothing
        queued) if unspeakable."""
        parts = self.compose(no, window, self.repeats, service)  # raises before anything changes
        for i, item in enumerate(self.pending):
            if item.window == window:
                if item.no != no:  # the window has moved on: say its newest call in that place
                    self.recorder.record("dropped", (item.no, item.window, "superseded"))
                    self.pending[i] = Pending(no, window, self.monotonic(), self.repeats, parts,
                                              service)
                break
        else:
            self.pending.append(Pending(no, window, self.monotonic(), self.repeats, parts,
                                        service))
        if self.backlog() > self.backlog_s:
            for item in self.pending:
                if item.times > 1:
                    item.times, item.parts = 1, self.compose(item.no, item.window, 1,
                                                             item.service)

    def backlog(self) -> float:
        """Seconds of speech waiting."""
        return sum(item.duration_s for item in self.pending)

    def poll(self) -> Said | None:
        """Start the next waiting announcement if the speaker is free; return it if one started."""
        if not self.pending or self.out.busy():
            return None
        now = self.monotonic()
        while self.pending:
            item = self.pending.pop(0)
            if now - item.received > self.max_age_s:
                self.recorder.record("dropped", (item.no, item.window, "too old"))
                continue
            try:
                self.out.play(item.parts)
            except Exception as exc:  # a broken speaker must not stop the board
                self.error = f"{type(exc).__name__}: {exc}"
                self.recorder.record("dropped", (item.no, item.window, "speaker error"))
                return None
            self.error = None
            said = Said(item.no, item.window, self.out.last_start, item.duration_s, item.times)
            self.recorder.record("said", said)
            return said
        return None
