"""The real speaker: pygame.mixer on the node's sound card (SDL picks the driver)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from devices.audio.base import AudioOut, AudioUnavailable
from devices.audio.pcm import SAMPLE_RATE


class MixerAudioOut(AudioOut):
    """Plays through ``pygame.mixer`` on one reserved channel.

    ``device`` is an SDL output device name (None: the default). SDL's driver comes from
    ``SDL_AUDIODRIVER`` (``disk`` writes ``SDL_DISKAUDIOFILE``, useful to check a node's output).
    """

    def __init__(self, device: str | None = None, buffer: int = 512,
                 monotonic: Callable[[], float] = time.monotonic):
        super().__init__(monotonic)
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame  # only here: a node without a speaker never loads SDL audio

        self._pygame = pygame
        pygame.mixer.pre_init(SAMPLE_RATE, -16, 1, buffer, devicename=device)
        try:
            pygame.mixer.init()
        except pygame.error as exc:
            raise AudioUnavailable(
                f"cannot open the sound device {device or '(default)'}: {exc}") from None
        init = pygame.mixer.get_init()  # init() can "succeed" without a device: ask again
        if not init:
            raise AudioUnavailable(f"no sound device {device or '(default)'}")
        self.rate, size, self.channels = init
        if abs(size) != 16:
            pygame.mixer.quit()
            raise AudioUnavailable(f"the mixer opened with {abs(size)}-bit samples, not 16")
        pygame.mixer.set_reserved(1)
        self._channel = pygame.mixer.Channel(0)
        self._sounds: list = []  # kept referenced while they play
        self._error: str | None = None

    def _start(self, parts: list[np.ndarray]) -> None:
        # the first part plays at once; the rest is joined meanwhile and queued right behind it
        head, rest = parts[0], parts[1:]
        try:
            self._sounds = [self._sound_of(head)]
            self._channel.play(self._sounds[0])
            if rest:
                self._sounds.append(self._sound_of(np.concatenate(rest)))
                self._channel.queue(self._sounds[1])
        except self._pygame.error as exc:
            self._error = str(exc)
            raise AudioUnavailable(f"cannot play: {exc}") from None
        self._error = None

    def _sound_of(self, data: np.ndarray):
        if self.rate != SAMPLE_RATE:
            n_out = int(round(len(data) * self.rate / SAMPLE_RATE))
            data = np.interp(np.linspace(0, len(data) - 1, n_out), np.arange(len(data)),
                             data).astype(np.int16)
        if self.channels > 1:
            data = np.repeat(data, self.channels)
        return self._pygame.mixer.Sound(buffer=data.astype("<i2").tobytes())

    def busy(self) -> bool:
        if not self._pygame.mixer.get_init():  # closed: nothing plays (get_busy would raise)
            return False
        return bool(self._channel.get_busy())

    def health(self) -> dict:
        if self._error:
            return {"state": "error", "detail": self._error}
        if not self._pygame.mixer.get_init():
            return {"state": "error", "detail": "mixer closed"}
        return {"state": "ok", "backend": "pygame", "rate": self.rate}

    def close(self) -> None:
        self._pygame.mixer.quit()
