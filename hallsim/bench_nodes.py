"""hall-bench, the nodes' part: call latency (clerk key → hub commit → LED bytes written and
announcement started on the call board), ticket latency (kiosk touch → bytes handed to the
printer), and each node's resident memory as its own process.

The nodes are their real code with simulated devices; the hub and the call board run as processes
of their own (as in the hall), the window node and the kiosk in this one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from devices.recorder import Recording
from hallsim import bench_hub
from hallsim.stats import rss_mb, summary
from wire.client import HubClient
from wire.clock import HallClock

DEBUG = False
WINDOW = 12  # the comprehensive window: it serves every service, so tickets never run out


def run(cfg, config_path: Path, broker, work: Path, runs: int) -> dict:
    started = time.monotonic()
    hub = bench_hub.start_hub_process(config_path, broker.url, work / "nodes.db")

    def hall_now() -> str:
        # a node started later shows the hall time the hub has reached, not the hub's start
        # time (requests carry a time-to-live and do not depend on it)
        return (datetime.fromisoformat(bench_hub.START)
                + timedelta(seconds=time.monotonic() - started)).isoformat()

    try:
        bench_hub.wait_answered(cfg, broker.url)
        results = {"call_latency": call_latency(cfg, config_path, broker.url, work, runs,
                                                hall_now),
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


def call_latency(cfg, config_path: Path, url: str, work: Path, runs: int, hall_now) -> dict:
    """The clerk's key is pressed here (the window node's real code, simulated keypad); the call
    board runs as its own process, as on its own Pi, and reports when it wrote the LED and
    started the announcement."""
    from rater.app import build as build_rater

    report = work / "board-report.json"
    board = subprocess.Popen(
        [sys.executable, "-m", "hallsim.bench_board", "--config", str(config_path),
         "--broker", url, "--clock", hall_now(), "--window", str(WINDOW), "--report",
         str(report)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    clock = HallClock(cfg.tz, hall_now())
    staff = next(s.number for s in cfg.staff.values() if WINDOW in s.windows and s.post == "A")
    rater = build_rater(cfg, f"rater-{WINDOW}", url, clock, headless=True, simulate=True,
                        devices={"staff": staff, "screen": {"backend": "none"}})
    kiosk = HubClient(cfg, "kiosk-1", url, clock, follow=False)  # a ticket source, no kiosk node
    stop = threading.Event()
    thread = threading.Thread(target=rater.run_forever, args=(stop,), daemon=True)
    kiosk.start()
    rater.start()
    thread.start()
    try:
        if board.stdout.readline().strip() != "ready":
            raise RuntimeError("the bench's call board did not start")
        wait_until(lambda: rater.staff is not None and kiosk.connected, 10)
        time.sleep(0.5)
        pressed = _calls(cfg, rater, kiosk, runs)
    finally:
        stop.set()
        thread.join(5)
        rater.stop()
        kiosk.stop()
        board.terminate()
        board.wait(10)
    seen = json.loads(report.read_text(encoding="utf-8"))
    samples, misses = [], 0
    for no, t0 in pressed:
        led = next((t for t, text in seen["led"] if no in text and t >= t0), None)
        said = next((s["at"] for s in seen["said"] if s["no"] == no and s["at"] >= t0), None)
        if led is None or said is None:
            misses += 1
            if DEBUG:
                print("miss", no, file=sys.stderr)
        else:
            samples.append(max(led, said) - t0)
            if DEBUG:
                print(f"{no} led {(led - t0) * 1e3:.2f} audio {(said - t0) * 1e3:.2f} ms",
                      file=sys.stderr)
    return {**summary(samples), "missed": misses}


def _calls(cfg, rater, kiosk: HubClient, runs: int) -> list[tuple[str, float]]:
    """``runs`` times: a ticket taken, then the clerk's call key and, once called, finish.
    Returns each ticket number with the instant its call key was pressed."""
    ids = sorted(cfg.services)
    pins, pin = rater.keypad.pins, rater.keypad.pin_of
    last = [0.0]

    def press(key: str) -> float:
        # a person's presses are far more than the keypad's 50 ms debounce apart
        time.sleep(max(0.0, last[0] + bench_hub.KEY_GAP_S - time.monotonic()))
        last[0] = time.monotonic()
        pins.tap(pin(key), at=last[0], hold_s=0.001)
        return last[0]

    def serving() -> str | None:
        return ((rater.client.state.get(f"window/{WINDOW}") or {}).get("serving") or {}).get("no")

    pressed = []
    for i in range(runs):
        no = kiosk.request("ticket.take", {"service": ids[i % len(ids)]})["ticket"]["no"]
        pressed.append((no, press("call_next")))
        wait_until(lambda no=no: serving() == no, 2)
        time.sleep(0.01)  # the board's own work after the call (the display's frame) is not timed
        press("finish")
        wait_until(lambda: serving() is None, 2)
    return pressed


def ticket_latency(cfg, url: str, runs: int, hall_now) -> dict:
    from kiosk.app import build as build_kiosk

    clock = HallClock(cfg.tz, hall_now())
    kiosk = build_kiosk(cfg, "kiosk-1", url, clock, simulate=True, screen_backend="offscreen")
    record = Recording()
    kiosk.attach(record)
    timings = record["timing"]  # the live list: a ticket's timing is filed when the hub replies
    kiosk.start()
    wait_until(lambda: kiosk.client.connected, 10)
    for _ in range(50):
        kiosk.poll()
        time.sleep(0.01)
    ids = sorted(cfg.services)
    samples, misses = [], 0
    for i in range(runs):
        before = len(timings)
        t0 = time.monotonic()
        if not kiosk.choose_service(ids[i % len(ids)], touched_at=t0):
            misses += 1
            kiosk.poll()
            continue
        deadline = t0 + 5

        def printed(before=before):
            return len(timings) > before and timings[-1].bytes_out

        while not printed() and time.monotonic() < deadline:
            kiosk.poll()
        if printed():
            timing = timings[-1]
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
         "--headless", "--simulate", "--clock", hall_now()], stdout=subprocess.DEVNULL,
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
