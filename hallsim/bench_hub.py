"""hall-bench, the hub's part: raw Mosquitto round trips, durable throughput, restart with a full
day in the log, resident memory. Each runs against the bench's own tuned broker."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

from hallsim.stats import rss_mb, summary
from wire.clock import HallClock
from wire.config import HallConfig, parse_config
from wire.mqtt import new_client

START = "2026-11-23T09:00:00+08:00"
KEY_GAP_S = 0.08  # between a clerk's presses in the call latency run (and the paused floors)


def bench_config_text(example: Path) -> str:
    """The example hall with 12 services of 999 tickets each (room for a 10,000-ticket day),
    window 12 serving them all, and no rate limit its load generator would meet (a machine,
    not a person: hub.ratelimit's limits are measured by the black-box suite instead)."""
    text = example.read_text(encoding="utf-8")
    text = re.sub(r"daily_cap = \d+", "daily_cap = 999", text)
    text = re.sub(r"slot_caps = \[.*?\]\n", "", text, flags=re.S)
    text = text.replace('services = ["A", "B", "C", "D", "E", "F", "G", "H"]',
                        'services = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"]')
    for extra in "IJKL":
        text += (f'\n[[services]]\nid = "{extra}"\nname = "综合业务{extra}"\narea = "综合服务"\n'
                 "daily_cap = 999\n")
    for rate in ("kiosk", "keypad", "pad", "status", "page", "citizen", "manage"):
        text += f"\n[limits.{rate}]\nburst = 100000\nper_minute = 1000000\n"
    return text


def bench_config(path: Path) -> HallConfig:
    return parse_config(tomllib.loads(path.read_text(encoding="utf-8")), str(path))


def mosquitto_rtt(broker_url: str, n: int, pause_s: float = 0.0) -> list[float]:
    """QoS1 request/reply between two plain paho clients: the floor every figure is compared to.
    ``pause_s`` between samples measures it as the clerk's keys meet it: after an idle gap."""
    from wire.mqtt import parse_broker_url

    host, port = parse_broker_url(broker_url)
    echo, asker = new_client("bench-echo"), new_client("bench-asker")
    got = threading.Event()
    echo.on_message = lambda c, u, m: c.publish("bench/resp", m.payload, qos=1)
    asker.on_message = lambda c, u, m: got.set()
    for client, topic in ((echo, "bench/req"), (asker, "bench/resp")):
        ready = threading.Event()
        client.on_subscribe = lambda *a, ev=ready: ev.set()
        client.connect(host, port)
        client.loop_start()
        client.subscribe(topic, qos=1)
        ready.wait(5)
    samples = []
    payload = b'{"id":"x","op":"ticket.take","args":{"service":"A"}}'
    for _ in range(n):
        time.sleep(pause_s)
        got.clear()
        t0 = time.perf_counter()
        asker.publish("bench/req", payload, qos=1)
        got.wait(5)
        samples.append(time.perf_counter() - t0)
    for client in (echo, asker):
        client.disconnect()
        client.loop_stop()
    return samples


def disk_sync(folder: Path, n: int, pause_s: float = KEY_GAP_S) -> list[float]:
    """One 4 KB page overwritten and fdatasync'd, ``pause_s`` apart: what the disk alone costs
    each durable commit (the hub's SQLite commit is one such sync of its WAL)."""
    path = folder / "disk-sync.bin"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        page = b"\x5a" * 4096
        for i in range(16):
            os.pwrite(fd, page, i * 4096)
        os.fsync(fd)
        samples = []
        for i in range(n):
            time.sleep(pause_s)
            t0 = time.perf_counter()
            os.pwrite(fd, page, (i % 16) * 4096)
            os.fdatasync(fd)
            samples.append(time.perf_counter() - t0)
        return samples
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)


def start_hub_process(config_path: Path, broker_url: str, db: Path, clock: str = START):
    """hall-hub in its own process (so its memory and CPU are its own). The bench moves its
    hall from one fresh database to the next on one broker: each hub takes the hall over
    (``--take-over``, docs/one-hub.md), as an operator would."""
    env = dict(os.environ)
    return subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "--config", str(config_path), "--broker", broker_url,
         "--db", str(db), "--clock", clock, "--take-over"], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=env, text=True)


def wait_answered(cfg: HallConfig, broker_url: str, timeout: float = 30.0) -> float:
    """Seconds until the hub answers a request (``ticket.status``, any answer). A request sent
    before the hub has subscribed is lost, so a new one goes out every 10 ms: the figure is the
    hub's, not a node's re-send interval."""
    from wire.contract import Topics
    from wire.mqtt import parse_broker_url

    topics = Topics(cfg.hall_id)
    probe = new_client("bench-restart-probe")
    answered = threading.Event()
    probe.on_message = lambda _c, _u, _m: answered.set()
    subscribed = threading.Event()
    probe.on_subscribe = lambda *_: subscribed.set()
    host, port = parse_broker_url(broker_url)
    probe.connect(host, port)
    probe.loop_start()
    probe.subscribe(topics.resp("kiosk-1"), qos=1)
    subscribed.wait(5)
    t0 = time.perf_counter()
    try:
        for n in range(int(timeout / 0.01)):
            payload = json.dumps({"id": f"probe-{n}", "op": "ticket.status", "args": {"no": "A001"}})
            probe.publish(topics.req("kiosk-1"), payload, qos=1)
            if answered.wait(0.01):
                return time.perf_counter() - t0
        raise RuntimeError(f"the hub did not answer within {timeout} s")
    finally:
        probe.disconnect()
        probe.loop_stop()


def throughput(cfg: HallConfig, broker_url: str, seconds: float = 5.0,
               in_flight: int = 64, backlog: int = 120) -> dict:
    """Durable ops/s under a busy hall's load (hallsim.bench_load): the kiosk keeps ``in_flight``
    ticket requests outstanding and at most ``backlog`` tickets waiting (an endless queue is no
    hall) while every window calls, finishes and gets rated, one request at a time."""
    from hallsim.bench_load import HallLoad

    return HallLoad(cfg, broker_url, in_flight, backlog).run(seconds)


def build_day(cfg: HallConfig, db: Path, tickets: int) -> int:
    """Write a day of ``tickets`` tickets (issued, called, finished, rated) into ``db`` through
    the hub's own request path, in large batches; returns the number of events logged."""
    from hub.service import HubService

    clock = HallClock(cfg.tz, START)
    hub = HubService(cfg, str(db), "mqtt://127.0.0.1:1", clock)
    ids = sorted(cfg.services)
    windows = sorted(cfg.windows)
    hub.run_offline([(f"rater-{n}", "window.login", {
        "window": n, "staff": next(s.number for s in cfg.staff.values() if n in s.windows)})
        for n in windows])
    issued = 0
    while issued < tickets:
        batch = min(1000, tickets - issued)
        hub.run_offline([("kiosk-1", "ticket.take", {"service": ids[i % len(ids)]})
                         for i in range(issued, issued + batch)])
        issued += batch
        for _ in range(batch // len(windows) + 2):
            reqs = []
            for n in windows:
                reqs += [(f"rater-{n}", "window.call_next", {"window": n}),
                         (f"rater-{n}", "window.finish", {"window": n}),
                         (f"rater-{n}", "rating.submit", {"window": n, "score": 5})]
            hub.run_offline(reqs)
    with hub.store.transaction():
        hub.store.set_meta("published_upto", str(hub.store.last_seq()))
    events = hub.store.last_seq()
    hub.store.close()
    return events


def restart(cfg: HallConfig, config_path: Path, broker_url: str, db: Path, runs: int) -> dict:
    """Hub process start → first answered request, with a full day in the log."""
    samples, rss = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = start_hub_process(config_path, broker_url, db,
                                 (datetime.fromisoformat(START) + timedelta(hours=3)).isoformat())
        wait_answered(cfg, broker_url)
        samples.append(time.perf_counter() - t0)
        rss.append(rss_mb(proc.pid))
        proc.terminate()
        proc.wait(10)
    return {**summary(samples), "rss_mb": round(max(rss), 1)}
