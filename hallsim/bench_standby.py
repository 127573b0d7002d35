"""hall-bench, the standby's part: what the synchronous copy costs a call and a ticket, and the
standby's memory (docs/standby.md).

Both runs use the same broker, the same bench hall and the same client: first ``hall-hub``
alone, then ``hall-hub standby run`` on two loopback "machines" (127.0.0.1 serves, 127.0.0.2
keeps the copy) with one local etcd member standing in for the three. A call is the clerk's
``window.call_next`` round trip (then ``window.finish``, not timed), a ticket ``ticket.take``'s;
keys come ``KEY_GAP_S`` apart, as in the call latency figure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from hallsim import bench_hub
from hallsim.stats import rss_mb, summary
from wire.client import HubClient
from wire.clock import HallClock

ETCD = shutil.which("etcd") or "/usr/bin/etcd"
WINDOW = 12


def available() -> bool:
    return os.path.exists(ETCD)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _etcd(work: Path) -> tuple[subprocess.Popen, str]:
    client, peer = _port(), _port()
    url = f"http://127.0.0.1:{client}"
    proc = subprocess.Popen(
        [ETCD, "--name", "bench", "--data-dir", str(work / "etcd"),
         "--listen-client-urls", url, "--advertise-client-urls", url,
         "--listen-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-cluster", f"bench=http://127.0.0.1:{peer}", "--logger", "zap",
         "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as resp:
                if json.loads(resp.read()).get("health") == "true":
                    return proc, url
        except (OSError, ValueError):
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("etcd did not start")


def _standby_config(config_path: Path, etcd_url: str, out: Path) -> Path:
    out.write_text(config_path.read_text(encoding="utf-8") + f"""
[standby]
etcd = ["{etcd_url}", "{etcd_url}", "{etcd_url}"]
copy_port = {_port()}

[standby.machines]
bench-a = "127.0.0.1"
bench-b = "127.0.0.2"
""", encoding="utf-8")
    return out


def _machine(config: Path, broker_url: str, work: Path, name: str) -> subprocess.Popen:
    """One machine; the bench moves its hall to a fresh database (--take-over, as
    bench_hub.start_hub_process does)."""
    return subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "standby", "run", "--machine", name, "--config",
         str(config), "--broker", broker_url, "--db", str(work / f"{name}.db"),
         "--run-dir", str(work / f"run-{name}"), "--clock", bench_hub.START, "--take-over"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))


def latencies(cfg, broker_url: str, runs: int) -> tuple[list[float], list[float]]:
    """(call round trips, ticket round trips), ``runs`` of each."""
    clock = HallClock(cfg.tz, bench_hub.START)
    kiosk, rater = HubClient(cfg, "kiosk-1", broker_url, clock), \
        HubClient(cfg, f"rater-{WINDOW}", broker_url, clock)
    for c in (kiosk, rater):
        c.start()
        c.wait_connected(10)
    try:
        staff = next(s.number for s in cfg.staff.values() if WINDOW in s.windows)
        rater.request("window.login", {"window": WINDOW, "staff": staff}, timeout=30)
        calls, tickets = [], []
        for _ in range(runs):
            time.sleep(bench_hub.KEY_GAP_S)  # a clerk's key after a gap, not a flood
            t0 = time.perf_counter()
            kiosk.request("ticket.take", {"service": "A"})
            tickets.append(time.perf_counter() - t0)
            time.sleep(bench_hub.KEY_GAP_S)
            t0 = time.perf_counter()
            rater.request("window.call_next", {"window": WINDOW})
            calls.append(time.perf_counter() - t0)
            rater.request("window.finish", {"window": WINDOW})
        return calls, tickets
    finally:
        kiosk.stop()
        rater.stop()


def run(cfg, config_path: Path, broker, work: Path, runs: int) -> dict:
    """The single hub's figures, then the standby pair's, on the same broker."""
    results: dict = {}
    hub = bench_hub.start_hub_process(config_path, broker.url, work / "single.db")
    try:
        bench_hub.wait_answered(cfg, broker.url)
        calls, tickets = latencies(cfg, broker.url, runs)
        results["call_single"] = summary(calls)
        results["ticket_single"] = summary(tickets)
    finally:
        hub.terminate()
        hub.wait(10)
    etcd, url = _etcd(work)
    config = _standby_config(config_path, url, work / "standby-hall.toml")
    a = b = None
    try:
        a = _machine(config, broker.url, work, "bench-a")
        bench_hub.wait_answered(cfg, broker.url)
        b = _machine(config, broker.url, work, "bench-b")
        _wait_in_sync(url, cfg.hall_id)
        calls, tickets = latencies(cfg, broker.url, runs)
        results["call_standby"] = summary(calls)
        results["ticket_standby"] = summary(tickets)
        results["standby_rss"] = {"mb": round(rss_mb(b.pid), 1), "when": "keeping the copy"}
        results["serving_rss_with_standby"] = {"mb": round(rss_mb(a.pid), 1)}
    finally:
        for p in (a, b, etcd):
            if p is not None:
                p.terminate()
                p.wait(10)
    results["call_standby_ratio"] = round(results["call_standby"]["p50_ms"]
                                          / results["call_single"]["p50_ms"], 2)
    return results


def _wait_in_sync(etcd_url: str, hall: str, timeout: float = 30.0) -> None:
    import base64

    key = base64.b64encode(f"/hallstack/{hall}/copy".encode()).decode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        req = urllib.request.Request(f"{etcd_url}/v3/kv/range",
                                     data=json.dumps({"key": key}).encode())
        with urllib.request.urlopen(req, timeout=1) as resp:
            kvs = json.loads(resp.read()).get("kvs") or []
        if kvs and json.loads(base64.b64decode(kvs[0]["value"])).get("in_sync"):
            return
        time.sleep(0.05)
    raise RuntimeError("the standby never caught up")
