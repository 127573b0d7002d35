"""The clip library: espeak-ng clips made once and cached, a hall's recordings preferred."""

from __future__ import annotations

import os

import numpy as np
import pytest

from devices.audio import clips as clips_mod
from devices.audio.clips import (
    CHIME,
    PAUSE,
    ClipError,
    ClipLibrary,
    check_clip_name,
    default_cache_dir,
)
from devices.audio.pcm import SAMPLE_RATE, peak_dbfs, seconds, write_wav


def test_clips_are_spoken_trimmed_normalised_and_cached(tmp_path, monkeypatch):
    texts = {"digit-1": "一", "word-办理": "办理"}
    lib = ClipLibrary.load(texts, "cmn-latn-pinyin", tmp_path)
    assert lib.sources == {"digit-1": "espeak", "word-办理": "espeak", CHIME: "synth",
                           PAUSE: "synth"}
    for name in texts:
        clip = lib[name]
        assert 0.1 < seconds(clip) < 0.9  # espeak's 0.3 s silent tail is gone
        assert peak_dbfs(clip) == pytest.approx(-3.0, abs=0.1)
        assert abs(int(clip[-1])) < 400  # ends in (near) silence, not cut mid-word
    cached = sorted(p.name for p in (tmp_path / "cmn-latn-pinyin").iterdir())
    assert len(cached) == 2

    # Second load: from the cache, espeak-ng is never run.
    def no_espeak(*a, **k):
        raise AssertionError("espeak-ng ran although the clip was cached")

    monkeypatch.setattr(clips_mod, "speak", no_espeak)
    again = ClipLibrary.load(texts, "cmn-latn-pinyin", tmp_path)
    assert np.array_equal(again["digit-1"], lib["digit-1"])


def test_the_halls_own_recording_wins(tmp_path):
    hall = tmp_path / "hall"
    hall.mkdir()
    tone = (np.sin(np.arange(SAMPLE_RATE // 2) / 2) * 3000).astype(np.int16)
    write_wav(hall / "word-请.wav", np.concatenate([np.zeros(5000, np.int16), tone]))
    write_wav(hall / "chime.wav", tone)
    lib = ClipLibrary.load({"word-请": "请", "digit-0": "零"}, "cmn-latn-pinyin",
                           tmp_path / "cache", hall)
    assert lib.sources["word-请"] == "hall" and lib.sources[CHIME] == "hall"
    assert lib.sources["digit-0"] == "espeak"
    assert seconds(lib["word-请"]) < 0.55  # its leading silence trimmed
    assert peak_dbfs(lib["word-请"]) == pytest.approx(-3.0, abs=0.1)


def test_a_word_the_hall_recorded_in_pieces_is_composed_of_them(tmp_path):
    """call_template "请{no}号到…" needs word-号到: a hall that recorded 号 and 到 hears its own
    voice, not espeak-ng's."""
    hall = tmp_path / "hall"
    hall.mkdir()
    for word, n in (("号", 3000), ("到", 4000), ("办理", 5000)):
        write_wav(hall / f"word-{word}.wav", np.full(n, 8000, np.int16))
    lib = ClipLibrary.load({"word-号到": "号到", "word-号到办理": "号到办理"}, "cmn-latn-pinyin",
                           tmp_path / "cache", hall)
    assert lib.sources["word-号到"] == "hall: word-号 + word-到"
    assert len(lib["word-号到"]) == 7000
    assert lib.sources["word-号到办理"] == "hall: word-号 + word-到 + word-办理"


def test_a_broken_hall_recording_names_the_file(tmp_path):
    hall = tmp_path / "hall"
    hall.mkdir()
    (hall / "word-请.wav").write_bytes(b"garbage")
    with pytest.raises(ClipError, match="word-请.wav"):
        ClipLibrary.load({"word-请": "请"}, "cmn-latn-pinyin", tmp_path / "c", hall)
    write_wav(hall / "word-请.wav", np.zeros(1000, np.int16))
    with pytest.raises(ClipError, match="silent"):
        ClipLibrary.load({"word-请": "请"}, "cmn-latn-pinyin", tmp_path / "c", hall)


def test_a_missing_hall_folder_is_an_error(tmp_path):
    with pytest.raises(ClipError, match="does not exist"):
        ClipLibrary.load({}, "cmn-latn-pinyin", tmp_path, tmp_path / "nope")


def test_without_espeak_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ClipError, match="apt-get install espeak-ng"):
        ClipLibrary.load({"word-请": "请"}, "cmn-latn-pinyin", tmp_path / "c")


def test_an_unknown_voice_is_an_error(tmp_path):
    with pytest.raises(ClipError, match="no-such-voice"):
        ClipLibrary.load({"word-x": "x"}, "no-such-voice", tmp_path)


def test_a_torn_cache_file_is_made_again(tmp_path):
    lib = ClipLibrary.load({"digit-2": "二"}, "cmn-latn-pinyin", tmp_path)
    (cached,) = (tmp_path / "cmn-latn-pinyin").iterdir()
    cached.write_bytes(cached.read_bytes()[:30])
    again = ClipLibrary.load({"digit-2": "二"}, "cmn-latn-pinyin", tmp_path)
    assert np.array_equal(again["digit-2"], lib["digit-2"])


@pytest.mark.parametrize("name", ["", ".hidden", "a/b", "a\\b", "a\0b", "a\nb"])
def test_clip_names_must_be_file_names(name):
    with pytest.raises(ValueError):
        check_clip_name(name)


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HALL_CLIPS_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("HALL_CLIPS_DIR")
    assert default_cache_dir() == type(tmp_path)(os.path.expanduser("~/.cache/hallstack/clips"))


def test_compose_and_unknown_clip():
    a, b = np.ones(3, np.int16), np.full(2, 7, np.int16)
    lib = ClipLibrary({"a": a, "b": b})
    out = lib.compose(["a", "b", "a"], gap_s=2 / SAMPLE_RATE)
    assert list(out) == [1, 1, 1, 0, 0, 7, 7, 0, 0, 1, 1, 1]
    with pytest.raises(KeyError, match="'c'"):
        lib["c"]
