"""Fixtures of the legacy end-to-end checks (issue 10): a kiosk on the real hub, and helpers
that poll window nodes until something a person would see has happened."""

from __future__ import annotations

import time

import pytest

from tests.helpers import rows as read_rows


def pump(nodes, predicate, timeout: float = 8.0) -> None:
    """poll() each node until ``predicate()`` holds; AssertionError after ``timeout`` s."""
    nodes = nodes if isinstance(nodes, list | tuple) else [nodes]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for node in nodes:
            node.poll()
        if predicate():
            return
        time.sleep(0.005)
    raise AssertionError(f"not reached within {timeout} s; clerks were told "
                         f"{[n.clerk_message for n in nodes][:4]}")


def keys_handled(node) -> int:
    """How many key presses ``node`` has handled (each is in its timeline)."""
    return sum(e[1] == "key" for e in node.timeline)


def settle(nodes, keys: int = 0, timeout: float = 10.0) -> None:
    """poll() until each node handled ``keys`` presses in all (a press crosses the line on the
    bus thread) and has nothing in flight: every request it sent answered and handled. The hub
    publishes what an op caused before its answer, so events that might (wrongly) come have
    arrived by then too."""
    nodes = nodes if isinstance(nodes, list | tuple) else [nodes]

    def quiet(node) -> bool:
        kinds = [e[1] for e in node.timeline]
        return (keys_handled(node) >= keys and len(node.inbox) == 0
                and kinds.count("sent") == kinds.count("answer")
                and node.ratings_sent == node.ratings_answered)

    pump(nodes, lambda: all(quiet(node) for node in nodes), timeout)


@pytest.fixture
def kiosk(node_client, hub_service):
    """A hub client in the kiosk's role: takes tickets."""
    return node_client("kiosk-1")


@pytest.fixture(name="pump")
def pump_fixture():
    return pump


@pytest.fixture(name="settle")
def settle_fixture():
    return settle


@pytest.fixture
def rows():
    """``rows(db_path, sql, *args)``: the hub's SQLite rows, read-only."""
    return read_rows


@pytest.fixture(scope="session")
def voices(hall_config, tmp_path_factory):
    """The example hall's Mandarin voice, clips made once per session (espeak-ng)."""
    from callboard.announcer import Voice
    from callboard.settings import DEFAULT_TEMPLATE, DEFAULT_VOICE
    from callboard.speech import Template
    from devices.audio.clips import ClipLibrary

    t = Template(DEFAULT_TEMPLATE, DEFAULT_VOICE)
    windows = {n: w.name for n, w in hall_config.windows.items()}
    cache = tmp_path_factory.mktemp("clips")
    return [Voice(t, ClipLibrary.load(t.clip_texts(windows), t.voice, cache))]
