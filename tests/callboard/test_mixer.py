"""The real speaker backend through SDL's disk driver: what pygame.mixer really writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import time, numpy as np
from devices.audio.mixer import MixerAudioOut
from devices.audio.pcm import chime
out = MixerAudioOut()
print(out.rate, out.channels, out.health()["state"])
out.play([np.zeros(2205, np.int16), chime()])  # parts: a silence first, the rest queued
try:
    out.play(chime())
except RuntimeError:
    print("refused overlap")
deadline = time.monotonic() + 10
while out.busy() and time.monotonic() < deadline:
    time.sleep(0.05)
print("busy", out.busy())
out.close()
"""


def test_pygame_mixer_plays_the_chime_through_sdl(tmp_path):
    raw = tmp_path / "sdlaudio.raw"
    env = dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(raw),
               SDL_DISKAUDIODELAY="40", PYTHONPATH=str(ROOT))  # about real time: busy stays busy
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                         timeout=30, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.split("\n")
    rate, channels, state = lines[0].split()
    assert state == "ok" and "refused overlap" in run.stdout and "busy False" in run.stdout
    data = np.frombuffer(raw.read_bytes(), dtype="<i2")
    assert len(data) > 0.9 * int(rate) * int(channels)  # the silence, then the 0.9 s chime
    loud = np.flatnonzero(np.abs(data.astype(np.int32)) > 1000)
    assert loud[0] >= 0.09 * int(rate) * int(channels)  # the chime came after the silence
    assert np.max(np.abs(data.astype(np.int32))) > 10000
