"""hall-bench, the nodes' part: call latency (clerk key → hub commit → LED bytes written and
announcement started on the call board), ticket latency (kiosk touch → bytes handed to the
printer), and each node's resident memory as its own process.

The nodes run in this process with simulated devices (their real code); the hub runs in its own.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from devices.audio.sim import WavAudioOut
from devices.ledscreen_sim import SimWindowScreen
from hallsim import bench_hub
from hallsim.stats import rss_mb, summary
from hub.client import HubClient
from hub.clock import HallClock

DEBUG = False
WINDOW = 12  # the comprehensive window: it serves every service, so tickets never run out


class BenchScreen(SimWindowScreen):
    """The simulated LED screen, also noting when each text was written."""

    def __init__(self, address: int):
        super().__init__(address)
        self.texts: list[tuple[float, str]] = []

    def show(self, text: str, mode: str = "static") -> None:
        super().show(text, mode)
        self.texts.append((self.sent[-1][0], text))


class InstantSpeaker(WavAudioOut):
    """Records when each announcement starts but is never busy: the bench measures how fast an
    announcement starts after a call, not how long the previous one takes to finish."""

    def busy(self) -> bool:
        return False


def run(cfg, config_path: Path, broker, work: Path, runs: int) -> dict:
    started = time.monotonic()
    hub = bench_hub.start_hub_process(config_path, broker.url, work / "nodes.db")

    def hall_now() -> str:
        # nodes must agree with the hub on hall time (requests carry their deadline): a node
        # started later gets the hall time the hub has reached, not the hub's start time
        return (datetime.fromisoformat(bench_hub.START)
                + timedelta(seconds=time.monotonic() - started)).isoformat()

    try:
        bench_hub.wait_answered(cfg, broker.url)
        results = {"call_latency": call_latency(cfg, broker.url, work, runs, hall_now),
                   "ticket_latency": ticket_latency(cfg, broker.url, runs, hall_now)}
        results.update(footprint(config_path, broker.url, work, hall_now))
        results["hub_rss_after_nodes"] = {"mb": round(rss_mb(hub.pid), 1)}
        return results
    finally:
        hub.terminate()
        hub.wait(10)


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)  # the timestamps come from the nodes; this loop only must not hog the GIL
    return False


def call_latency(cfg, url: str, work: Path, runs: int, hall_now) -> dict:
    from callboard.node import build as build_board
    from rater.app import build as build_rater

    clock = HallClock(cfg.tz, hall_now())
    led = BenchScreen(WINDOW)
    speaker = InstantSpeaker(work / "announcements")
    board = build_board(cfg, "board-1", url, clock, headless=True, speaker=speaker,
                        led_screens={WINDOW: led})
    staff = next(s.number for s in cfg.staff.values() if WINDOW in s.windows and s.post == "A")
    rater = build_rater(cfg, f"rater-{WINDOW}", url, clock, headless=True,
                        devices={"staff": staff, "screen": {"backend": "none"}})
    kiosk = HubClient(cfg, "kiosk-1", url, clock)
    stop = threading.Event()
    threads = [threading.Thread(target=board.run_forever, args=(stop.is_set,), daemon=True),
               threading.Thread(target=rater.run_forever, args=(stop,), daemon=True)]
    kiosk.start()
    kiosk.wait_connected(5)
    board.start()
    rater.start()
    for t in threads:
        t.start()
    wait_until(lambda: rater.staff is not None and board.client.connected, 10)
    time.sleep(0.5)
    ids = sorted(cfg.services)
    pins, pin = rater.keypad.pins, rater.keypad.pin_of
    samples, misses = [], 0
    arrivals: list[float] = []
    board.client.on_event("called", lambda kind, ev: arrivals.append(time.monotonic()))
    last = [0.0]

    def press(key: str) -> float:
        # a person's presses are far more than the keypad's 50 ms debounce apart
        time.sleep(max(0.0, last[0] + 0.08 - time.monotonic()))
        last[0] = time.monotonic()
        pins.tap(pin(key), at=last[0], hold_s=0.001)
        return last[0]

    def serving() -> str | None:
        return ((board.client.state.get(f"window/{WINDOW}") or {}).get("serving") or {}).get("no")

    for i in range(runs):
        no = kiosk.request("ticket.take", {"service": ids[i % len(ids)]})["ticket"]["no"]
        audio_n = len(speaker.starts)
        t0 = press("call_next")

        def shown(no=no, t0=t0):  # noqa: B023 - bound here on purpose
            return next((t for t, text in reversed(led.texts) if no in text and t >= t0), None)

        if not wait_until(lambda n=audio_n: shown() is not None and len(speaker.starts) > n):
            misses += 1
            if DEBUG:
                print("miss", no, led.texts[-1:], rater.clerk_message, file=sys.stderr)
        else:
            samples.append(max(shown(), speaker.starts[audio_n]) - t0)
            if DEBUG:
                ms = lambda t, t0=t0: round((t - t0) * 1000, 2)  # noqa: E731
                print("event", ms(arrivals[-1]), "audio", ms(speaker.starts[audio_n]), "led",
                      ms(shown()), file=sys.stderr)
        wait_until(lambda no=no: serving() == no, 2)
        press("finish")
        wait_until(lambda: serving() is None, 2)
    stop.set()
    for t in threads:
        t.join(5)
    for node in (rater, board):
        node.stop()
    kiosk.stop()
    return {**summary(samples), "missed": misses}


def ticket_latency(cfg, url: str, runs: int, hall_now) -> dict:
    from kiosk.app import build as build_kiosk

    clock = HallClock(cfg.tz, hall_now())
    kiosk = build_kiosk(cfg, "kiosk-1", url, clock, screen_backend="offscreen")
    kiosk.start()
    wait_until(lambda: kiosk.client.connected, 10)
    for _ in range(50):
        kiosk.poll()
        time.sleep(0.01)
    ids = sorted(cfg.services)
    samples, misses = [], 0
    for i in range(runs):
        before = len(kiosk.timings)  # a ticket's timing is filed when the hub replies
        t0 = time.monotonic()
        if not kiosk.choose_service(ids[i % len(ids)], touched_at=t0):
            misses += 1
            kiosk.poll()
            continue
        deadline = t0 + 5

        def printed(before=before):
            return len(kiosk.timings) > before and kiosk.timings[-1].bytes_out

        while not printed() and time.monotonic() < deadline:
            kiosk.poll()
        if printed():
            timing = kiosk.timings[-1]
            samples.append(timing.bytes_out - timing.touch)
        else:
            misses += 1
        while kiosk.busy and time.monotonic() < deadline:
            kiosk.poll()
    kiosk.stop()
    return {**summary(samples), "missed": misses}


def footprint(config_path: Path, url: str, work: Path, hall_now) -> dict:
    """Each node's console script as its own process, headless with simulated devices."""
    scripts = {"kiosk_rss": ["kiosk.app", "--node", "kiosk-1"],
               "callboard_rss": ["callboard.main", "--node", "board-1"],
               "rater_rss": ["rater", "--node", "rater-1"]}
    procs = {name: subprocess.Popen(
        [sys.executable, "-m", module, *args, "--config", str(config_path), "--broker", url,
         "--headless", "--clock", hall_now()], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, cwd=tempfile.mkdtemp(dir=work))
        for name, (module, *args) in scripts.items()}
    time.sleep(6)  # connected, state received, first frames drawn, clips loaded
    out = {}
    for name, proc in procs.items():
        out[name] = {"mb": round(rss_mb(proc.pid), 1) if proc.poll() is None else float("nan")}
        proc.terminate()
    for proc in procs.values():
        proc.wait(10)
    return out
