"""wire/memory.py: every long-running process caps glibc's malloc arenas at its start (issue
28.4; the black-box check of the running processes: tests/blackbox/test_node_memory.py)."""

import importlib
import logging
from datetime import datetime, time
from types import SimpleNamespace

import pytest

from wire import memory


class FakeLibc:
    def __init__(self, answer: int = 1):
        self.calls, self.answer = [], answer

    def mallopt(self, param, value):
        self.calls.append((param, value))
        return self.answer


def test_the_cap_is_set_through_mallopt():
    libc = FakeLibc()
    assert memory.limit_arenas(env={}, libc=libc) == 2
    assert libc.calls == [(memory.M_ARENA_MAX, 2)]


@pytest.mark.parametrize("env, kept", [
    ({"MALLOC_ARENA_MAX": "4"}, 4),
    ({"GLIBC_TUNABLES": "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=3"}, 3),
])
def test_an_operators_own_limit_wins(env, kept):
    libc = FakeLibc()
    assert memory.limit_arenas(env=env, libc=libc) == kept
    assert libc.calls == []


def test_without_glibc_nothing_is_done_and_it_says_so(monkeypatch, caplog):
    monkeypatch.setattr(memory, "_libc", lambda: None)
    with caplog.at_level(logging.INFO, logger="wire.memory"):
        assert memory.limit_arenas(env={}) is None
    assert "no glibc" in caplog.text


def test_a_refused_mallopt_is_logged(caplog):
    assert memory.limit_arenas(env={}, libc=FakeLibc(answer=0)) is None
    assert "refused" in caplog.text


def test_this_machines_glibc_takes_the_cap():
    assert memory._libc() is not None  # Debian's glibc, as on a Pi's Raspberry Pi OS
    assert memory.limit_arenas(env={}) == 2


class Called(Exception):
    pass


@pytest.mark.parametrize("module, entry", [
    ("kiosk.app", "main"), ("callboard.main", "main"), ("rater.app", "main"),
    ("hub.cli", "main"), ("web.app", "main"), ("hallsim.demo", "main"),
    ("hallsim.hubproc", "serve"),
])
def test_each_entry_point_caps_the_arenas_before_anything_else(monkeypatch, module, entry):
    mod = importlib.import_module(module)

    def called(*_a, **_k):
        raise Called

    monkeypatch.setattr(mod, "limit_arenas", called)
    with pytest.raises(Called):  # first: before the arguments, the config, any thread
        getattr(mod, entry)(["--help"] if entry == "main" else "no-such-setup")


class Clock:
    def __init__(self, at: str):
        self.at = datetime.fromisoformat(at)

    def now(self):
        return self.at


class Libc(FakeLibc):
    def malloc_trim(self, pad):
        self.calls.append(("trim", pad))
        return 1


def test_a_node_trims_once_a_day_after_the_halls_last_session():
    clock, libc = Clock("2026-12-01T16:59:59+08:00"), Libc()
    hours = SimpleNamespace(sessions=((time(9), time(12)), (time(13), time(17))))
    trim = memory.NightlyTrim(clock, hours, libc=libc)
    assert not trim()  # still open
    clock.at = datetime.fromisoformat("2026-12-01T17:00:00+08:00")
    assert trim() and not trim()  # once, at the close
    clock.at = datetime.fromisoformat("2026-12-02T08:50:00+08:00")
    assert not trim()  # the next morning: not yet
    clock.at = datetime.fromisoformat("2026-12-02T23:00:00+08:00")
    assert trim()
    assert libc.calls == [("trim", 0), ("trim", 0)] and trim.trims == 2


def test_without_glibc_the_nightly_trim_does_nothing(monkeypatch):
    monkeypatch.setattr(memory, "_libc", lambda: None)
    hours = SimpleNamespace(sessions=((time(9), time(10)),))
    trim = memory.NightlyTrim(Clock("2026-12-01T11:00:00+08:00"), hours)
    assert trim() and trim.trims == 1  # counted, nothing called
