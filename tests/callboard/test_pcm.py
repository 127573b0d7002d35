"""PCM helpers: WAV in/out, trimming, normalising, the chime."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from devices.audio.pcm import (
    SAMPLE_RATE,
    chime,
    normalise,
    peak_dbfs,
    read_wav,
    seconds,
    silence,
    trim,
    write_wav,
)

samples16 = arrays(np.int16, st.integers(1, 2000))


@settings(max_examples=50, deadline=None)
@given(samples16)
def test_wav_round_trip_is_exact(tmp_path_factory, samples):
    path = tmp_path_factory.mktemp("wav") / "x.wav"
    write_wav(path, samples)
    assert np.array_equal(read_wav(path), samples)


def _write(path, data: bytes, width: int, channels: int, rate: int):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)


def test_stereo_44k_is_mixed_down_and_resampled(tmp_path):
    t = np.arange(44100) / 44100
    left = (np.sin(2 * np.pi * 440 * t) * 10000).astype("<i2")
    stereo = np.stack([left, left], axis=1).ravel()
    _write(tmp_path / "s.wav", stereo.tobytes(), 2, 2, 44100)
    mono = read_wav(tmp_path / "s.wav")
    assert abs(len(mono) - SAMPLE_RATE) <= 1
    assert 9000 < np.max(np.abs(mono)) <= 10000


def test_eight_bit_is_read(tmp_path):
    _write(tmp_path / "b.wav", bytes([128, 255, 0, 128]), 1, 1, SAMPLE_RATE)
    assert list(read_wav(tmp_path / "b.wav")) == [0, 32512, -32768, 0]


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00", b"not a wav at all" * 10])
def test_a_file_that_is_not_wav_is_a_clear_error(tmp_path, content):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    with pytest.raises(ValueError, match="bad.wav"):
        read_wav(bad)


def test_24_bit_is_refused_by_name(tmp_path):
    _write(tmp_path / "c.wav", b"\x00\x00\x01" * 10, 3, 1, SAMPLE_RATE)
    with pytest.raises(ValueError, match="24-bit"):
        read_wav(tmp_path / "c.wav")


def test_trim_cuts_silent_ends_but_keeps_a_little():
    tone = (np.sin(np.arange(2205) / 3) * 8000).astype(np.int16)
    padded = np.concatenate([silence(0.5), tone, silence(0.3)])
    cut = trim(padded)
    keep = int(0.02 * SAMPLE_RATE)
    assert len(tone) <= len(cut) <= len(tone) + 2 * keep + 2
    assert len(trim(silence(1.0))) == 0


@settings(max_examples=50, deadline=None)
@given(arrays(np.int16, st.integers(1, 500), elements=st.integers(-32768, 32767)),
       st.floats(-20, 0))
def test_normalise_puts_the_peak_where_asked(samples, target):
    out = normalise(samples, target)
    if not np.any(samples):
        assert not np.any(out)
    else:
        assert abs(peak_dbfs(out) - target) < 0.1 or np.max(np.abs(samples.astype(int))) < 4


def test_normalise_refuses_a_peak_over_full_scale():
    with pytest.raises(ValueError):
        normalise(np.ones(4, dtype=np.int16), 1.0)


def test_chime_is_two_tones_and_loud_enough():
    c = chime()
    assert seconds(c) == pytest.approx(0.9, abs=0.01)
    half = len(c) // 2
    for part in (c[:half], c[half:]):
        assert peak_dbfs(part) > -10
    # The two tones differ: their dominant frequencies are the chime's two notes.
    freqs = [np.argmax(np.abs(np.fft.rfft(p))) * SAMPLE_RATE / len(p) for p in (c[:half], c[half:])]
    assert freqs[0] == pytest.approx(659.25, abs=5) and freqs[1] == pytest.approx(523.25, abs=5)


def test_negative_silence_is_refused():
    with pytest.raises(ValueError):
        silence(-1)
