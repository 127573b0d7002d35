"""One hall-rater process serving several windows: systemd hears "alive" only while every
window's loop runs, and a window whose loop dies ends the process with status 1.

The nodes are real (simulated pads, no broker: they run offline); a hang or a crash is made by
replacing one node's poll()."""

from __future__ import annotations

import threading

import pytest

from rater.app import build
from rater.windows import WindowLoops
from tests.helpers import eventually

pytestmark = pytest.mark.timeout(30)
NO_BROKER = "mqtt://127.0.0.1:9"


@pytest.fixture
def windows(hall_config, hall_clock):
    nodes = [build(hall_config, f"rater-{n}", NO_BROKER, hall_clock, headless=True, simulate=True,
                   devices={"screen": {"backend": "none"}}) for n in (3, 4)]
    yield nodes
    for node in nodes:
        node.stop()


def run_in_thread(loops: WindowLoops, stop: threading.Event) -> tuple[threading.Thread, list]:
    status: list[int] = []
    thread = threading.Thread(target=lambda: status.append(loops.run(stop)), daemon=True)
    thread.start()
    return thread, status


def test_every_window_running_feeds_the_watchdog(windows):
    said, stop = [], threading.Event()
    thread, status = run_in_thread(WindowLoops(windows, said.append), stop)
    assert eventually(lambda: said.count("WATCHDOG=1") >= 2, timeout=10.0), "not reached"
    stop.set()
    thread.join(5)
    assert said[0] == "READY=1" and status == [0]
    assert all(node.loop_at is not None for node in windows)  # both loops went round


def test_a_hung_window_starves_the_watchdog_until_it_runs_again(windows):
    hang, hung = threading.Event(), threading.Event()
    real_poll = windows[1].poll

    def poll():
        hung.set()
        hang.wait()  # window 4's code stuck, e.g. on a device that never answers
        real_poll()

    windows[1].poll = poll
    said, stop = [], threading.Event()
    loops = WindowLoops(windows, said.append, stall_s=0.3)
    offered: list[str] = []  # what window 3's loop offered, said or withheld
    notify = loops._notify
    loops._notify = lambda message: (offered.append(message), notify(message))
    thread, status = run_in_thread(loops, stop)
    try:
        assert hung.wait(10)
        assert eventually(lambda: loops.stalled() == [4], timeout=10.0), "not reached"
        before, offers = len(said), offered.count("WATCHDOG=1")
        # window 3's loop offers WATCHDOG=1 each second meanwhile: twice more, and withheld
        assert eventually(lambda: offered.count("WATCHDOG=1") >= offers + 2, timeout=15.0)
        assert said[before:] == [] and said[0] == "READY=1"
        assert loops.stalled() == [4]
        hang.set()
        assert eventually(lambda: "WATCHDOG=1" in said[before:], timeout=10.0), "not reached"
        assert loops.stalled() == []
    finally:
        hang.set()
        stop.set()
        thread.join(5)
    assert status == [0]


def test_a_window_whose_loop_dies_ends_the_process_with_status_1(windows, caplog):
    def poll():
        raise RuntimeError("pad driver bug")

    windows[1].poll = poll
    said, stop = [], threading.Event()
    thread, status = run_in_thread(WindowLoops(windows, said.append), stop)
    thread.join(10)
    assert not thread.is_alive() and status == [1]
    assert stop.is_set()
    assert "window 4: its loop died" in caplog.text and "pad driver bug" in caplog.text


def test_one_window_is_the_plain_loop(windows):
    said, stop = [], threading.Event()
    thread, status = run_in_thread(WindowLoops(windows[:1], said.append), stop)
    assert eventually(lambda: "WATCHDOG=1" in said, timeout=10.0), "not reached"
    stop.set()
    thread.join(5)
    assert status == [0] and windows[1].loop_at is None  # window 4 was never run


def test_no_window_is_refused():
    with pytest.raises(ValueError, match="no window"):
        WindowLoops([])
