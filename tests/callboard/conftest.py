"""Fixtures of the callboard suite: clips made once per session, a callboard on the real hub."""

from __future__ import annotations

import pytest

from callboard.settings import DEFAULT_TEMPLATE, DEFAULT_VOICE
from callboard.speech import Template
from tests.helpers import FakeTime, eventually


@pytest.fixture(scope="session")
def png_dir(pictures):
    """Where tests leave the pictures a person should look at (the session's callboard folder)."""
    return pictures("callboard")


@pytest.fixture(scope="session")
def wait_for():
    """``wait_for(predicate, poll, timeout=5.0)``: poll a node until the predicate holds."""
    return eventually


@pytest.fixture(scope="session")
def clip_cache(tmp_path_factory):
    """A clip cache shared by the session (espeak-ng runs once per clip, not once per test)."""
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def voices(hall_config, clip_cache):
    """The default Mandarin voice of the example hall."""
    from callboard.announcer import Voice
    from devices.audio.clips import ClipLibrary

    t = Template(DEFAULT_TEMPLATE, DEFAULT_VOICE)
    windows = {n: w.name for n, w in hall_config.windows.items()}
    return [Voice(t, ClipLibrary.load(t.clip_texts(windows), t.voice, clip_cache))]


@pytest.fixture
def fake_time():
    return FakeTime()
