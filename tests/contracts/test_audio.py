"""One body for every speaker backend: the simulated one (a WAV file per announcement) and
pygame.mixer through SDL's disk driver (what the real sound card would be given).

The checks run in front of the backend (AudioOut.play) and in it; both must agree (issue 15 §6).
"""

from __future__ import annotations

import numpy as np
import pytest

from devices.audio.base import AudioOut, AudioUnavailable
from devices.audio.pcm import SAMPLE_RATE, chime, silence
from devices.audio.sim import WavAudioOut
from devices.recorder import Recording
from tests.helpers import eventually


@pytest.fixture(params=["wav", "mixer"])
def speaker(request, tmp_path, monkeypatch):
    if request.param == "wav":
        out = WavAudioOut(tmp_path / "wav")
    else:
        monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
        monkeypatch.setenv("SDL_DISKAUDIOFILE", str(tmp_path / "sdlaudio.raw"))
        monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        from devices.audio.mixer import MixerAudioOut

        out = MixerAudioOut()
    out.recorder = Recording()  # the starts, for these checks (a speaker keeps none itself)
    yield out
    out.close()


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)


def test_a_play_starts_at_once_and_ends(speaker):
    assert speaker.health()["state"] == "ok" and not speaker.busy()
    speaker.play([silence(0.05), chime(tone_s=0.1)])  # parts, joined while the first plays
    starts = speaker.recorder["audio.start"]
    assert len(starts) == 1 and speaker.plays == 1 and speaker.last_start == starts[0]
    assert eventually(lambda: not speaker.busy(), timeout=10.0)
    speaker.play(tone(0.05))
    assert len(starts) == 2 and starts[0] <= starts[1] == speaker.last_start
    assert speaker.health()["state"] == "ok"


def test_announcements_never_overlap(speaker):
    speaker.play(tone(30.0))
    assert speaker.busy()
    with pytest.raises(RuntimeError, match="still playing"):
        speaker.play(tone(0.1))
    assert len(speaker.recorder["audio.start"]) == 1 and speaker.plays == 1


@pytest.mark.parametrize("samples", [
    np.zeros(0, np.int16), [], [np.zeros(0, np.int16)],
    np.zeros(100, np.float32), np.zeros(100, np.int32), np.zeros((100, 2), np.int16),
    [np.zeros(100, np.int16), [0, 1, 2]], [b"\0\0"],
])
def test_bad_samples_are_a_value_error_and_play_nothing(speaker, samples):
    with pytest.raises(ValueError):
        speaker.play(samples)
    assert speaker.recorder["audio.start"] == [] and speaker.last_start is None
    assert not speaker.busy() and speaker.health()["state"] == "ok"


def test_a_closed_speaker_cannot_play_and_says_so(speaker):
    speaker.close()
    assert not speaker.busy()
    with pytest.raises(AudioUnavailable):
        speaker.play(tone(0.05))
    assert speaker.recorder["audio.start"] == [] and speaker.plays == 0
    assert speaker.health()["state"] == "error"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # wave.py, failed open
def test_the_simulated_speaker_fails_as_a_broken_device_does(tmp_path):
    """A WAV that cannot be written is the simulation's broken sound card: AudioUnavailable,
    not counted as started, health error; the next good play clears it."""
    out = WavAudioOut(tmp_path / "wav")
    out.recorder = rec = Recording()
    (tmp_path / "wav").rmdir()
    (tmp_path / "wav").write_text("not a folder")
    with pytest.raises(AudioUnavailable):
        out.play(tone(0.05))
    assert rec["audio.start"] == [] and out.health()["state"] == "error" and not out.busy()
    (tmp_path / "wav").unlink()
    (tmp_path / "wav").mkdir()
    out.play(tone(0.05))
    assert out.health()["state"] == "ok" and out.last.path.name == "announcement-0001.wav"
    assert rec["audio.played"] == [out.last]
    assert isinstance(out, AudioOut)
