"""Announcements: chimed, said twice, one at a time, storms coalesced (docs/announcements.md)."""

from __future__ import annotations

import numpy as np
import pytest

from callboard.announcer import GAP_AFTER_CHIME_S, GAP_BETWEEN_READINGS_S, Announcer, Voice
from callboard.speech import Template
from devices.audio.base import AudioOut
from devices.audio.clips import CHIME, LEAD_IN_S, ClipLibrary
from devices.audio.pcm import SAMPLE_RATE, read_wav, seconds
from devices.audio.sim import WavAudioOut
from devices.recorder import Recording

TEMPLATE = Template("请 {no} 号 到 {window} 号 窗口 办理", "cmn-latn-pinyin")


def _synthetic_voice() -> Voice:
    """Every clip a distinct constant 0.1 s block, so that the output can be read back."""
    names = sorted(TEMPLATE.clip_texts({n: f"{n}号窗口" for n in range(1, 13)})) + [CHIME]
    clips = {name: np.full(SAMPLE_RATE // 10, 100 + i, np.int16) for i, name in enumerate(names)}
    return Voice(TEMPLATE, ClipLibrary(clips))


@pytest.fixture
def speaker(tmp_path, fake_time):
    out = WavAudioOut(tmp_path, monotonic=fake_time)
    out.recorder = Recording()
    return out


def _announcer(speaker, fake_time, voices=None, **kw):
    a = Announcer(voices or [_synthetic_voice()], speaker, fake_time, **kw)
    a.recorder = Recording()  # what it said and dropped (an announcer keeps none itself)
    return a


def test_a_call_is_lead_in_chime_and_two_readings(speaker, fake_time):
    a = _announcer(speaker, fake_time)
    a.call("A012", 3)
    said = a.poll()
    assert said.no == "A012" and said.times == 2 and said.at == fake_time.t
    wav = read_wav(speaker.recorder["audio.played"][0].path)
    lib = a.voices[0].library
    reading = np.concatenate([lib[n] for n in TEMPLATE.clips("A012", 3)])
    lead, gap = round(LEAD_IN_S * SAMPLE_RATE), round(GAP_AFTER_CHIME_S * SAMPLE_RATE)
    pause = round(GAP_BETWEEN_READINGS_S * SAMPLE_RATE)
    expected = np.concatenate([np.zeros(lead, np.int16), lib[CHIME], np.zeros(gap, np.int16),
                               reading, np.zeros(pause, np.int16), reading])
    assert np.array_equal(wav, expected)


def test_the_real_voice_is_not_silent(speaker, fake_time, voices):
    a = _announcer(speaker, fake_time, voices)
    a.call("C105", 12)
    a.poll()
    wav = read_wav(speaker.recorder["audio.played"][0].path)
    assert 6 < seconds(wav) < 14
    assert np.max(np.abs(wav.astype(np.int32))) > 20000


def test_announcements_never_overlap(speaker, fake_time):
    a = _announcer(speaker, fake_time)
    a.call("A001", 1)
    a.call("B001", 2)
    first = a.poll()
    assert a.poll() is None  # still speaking
    fake_time.advance(first.duration_s - 0.01)
    assert a.poll() is None
    fake_time.advance(0.02)
    second = a.poll()
    assert (second.no, second.window) == ("B001", 2)
    assert second.at >= first.at + first.duration_s
    with pytest.raises(RuntimeError):
        speaker.play(np.ones(10, np.int16))


def test_a_recall_is_said_again_after_the_first(speaker, fake_time):
    a = _announcer(speaker, fake_time)
    a.call("A001", 1)
    first = a.poll()
    a.call("A001", 1)  # recall while the first is playing
    fake_time.advance(first.duration_s)
    assert a.poll().no == "A001"
    assert len(a.recorder["said"]) == 2


def test_a_call_already_waiting_is_not_queued_twice(speaker, fake_time):
    a = _announcer(speaker, fake_time)
    a.call("A001", 1)
    a.poll()
    a.call("B001", 2)
    a.call("B001", 2)
    assert [(p.no, p.window) for p in a.pending] == [("B001", 2)]


def test_a_newer_call_of_a_window_replaces_its_waiting_one_in_place(speaker, fake_time):
    a = _announcer(speaker, fake_time)
    a.call("A001", 1)
    a.poll()
    a.call("B001", 2)
    a.call("C001", 4)
    a.call("B002", 2)
    assert [(p.no, p.window) for p in a.pending] == [("B002", 2), ("C001", 4)]
    assert ("B001", 2, "superseded") in a.recorder["dropped"]


def test_a_storm_is_said_once_and_stale_calls_dropped(speaker, fake_time, voices):
    a = _announcer(speaker, fake_time, voices, backlog_s=20, max_age_s=60)
    for n in range(1, 13):
        a.call(f"A{n:03d}", n)
    assert all(p.times == 1 for p in a.pending)  # 12 calls said twice would be ~2 minutes
    while a.pending:
        said = a.poll()
        if said is None:
            break
        fake_time.advance(said.duration_s)
    waited = [s.at - a.recorder["said"][0].at for s in a.recorder["said"]]
    assert max(waited) <= 60
    assert len(a.recorder["said"]) + len([d for d in a.recorder["dropped"] if d[2] == "too old"]) == 12
    assert a.recorder["said"][0].times == 1


def test_an_unspeakable_ticket_changes_nothing(speaker, fake_time):
    a = _announcer(speaker, fake_time)
    with pytest.raises(ValueError):
        a.call("a-1", 1)
    with pytest.raises(KeyError):
        a.call("A001", 99)  # a window the hall does not have: no clip for it
    assert a.pending == [] and a.poll() is None


class BrokenSpeaker(AudioOut):
    def _start(self, samples):
        raise OSError("no sound card")

    def busy(self):
        return False

    def health(self):
        return {"state": "error"}


def test_a_broken_speaker_is_recorded_not_raised(fake_time):
    a = _announcer(BrokenSpeaker(fake_time), fake_time)
    a.call("A001", 1)
    assert a.poll() is None
    assert "no sound card" in a.error and a.recorder["dropped"][-1][2] == "speaker error"


def test_two_languages(speaker, fake_time, voices, clip_cache):
    en = Template("Number {no}, please go to window {window}", "en")
    lib = ClipLibrary.load(en.clip_texts({3: "3号窗口"}), "en", clip_cache)
    a = _announcer(speaker, fake_time, [voices[0], Voice(en, lib)])
    one = np.concatenate(a.compose("A012", 3, 1))
    only_zh = np.concatenate(_announcer(speaker, fake_time, voices).compose("A012", 3, 1))
    assert len(one) > len(only_zh) + sum(len(lib[n]) for n in en.clips("A012", 3))


def test_bad_settings_are_refused(speaker, fake_time):
    with pytest.raises(ValueError):
        Announcer([], speaker, fake_time)
    with pytest.raises(ValueError):
        _announcer(speaker, fake_time, repeats=0)


def test_a_restarted_wav_speaker_never_overwrites(tmp_path, fake_time):
    first = WavAudioOut(tmp_path, monotonic=fake_time)
    first.play(np.ones(10, np.int16))
    again = WavAudioOut(tmp_path, monotonic=fake_time)
    again.play(np.full(10, 2, np.int16))
    assert [p.name for p in sorted(tmp_path.glob("*.wav"))] == ["announcement-0001.wav",
                                                                "announcement-0002.wav"]
    assert list(read_wav(tmp_path / "announcement-0001.wav")) == [1] * 10
    assert again.health() == {"state": "ok", "backend": "wav", "played": 1}
