"""hall-bench's web figure: from the hub's ``called`` event to the phone page's stream saying
so, with many ticket pages open at once, and hall-web's memory with them open; then a steady
rate (``--web-rate`` calls a second for ``--web-seconds``): called → that page, called → every
other moved page's 前面还有 N 人, and the rows the hub wrote for hall-web meanwhile.

The pages are Server-Sent-Event streams read by one asyncio thread here (what a phone's
EventSource receives); the DOM's own update after that is the browser's and not measured.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from hallsim import bench_hub
from hallsim.broker import stop_process
from hallsim.stats import rss_mb, summary
from wire.client import HubClient
from wire.clock import HallClock

WINDOW = 12  # serves every service
EARLY_S = 0.05  # a page's update may come before the observer hears the call (see steady)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pages:
    """``tokens`` ticket pages held open as SSE streams; ``called[no]`` is when each page's
    stream first said its ticket was called (perf_counter)."""

    def __init__(self, port: int, tokens: list[str]):
        self.port, self.tokens = port, tokens
        self.opened = 0
        self.called: dict[str, float] = {}
        self.ahead: dict[str, list[tuple[float, int]]] = {}   # token -> (when, people ahead)
        self.service: dict[str, str] = {}                      # token -> its service
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()
        self.futures = [asyncio.run_coroutine_threadsafe(self._page(token), self.loop)
                        for token in self.tokens]

    async def _page(self, token: str) -> None:
        first = True
        while True:  # as EventSource does: a refused or dropped stream is opened again
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            writer.write(f"GET /t/{token}/events HTTP/1.1\r\nHost: bench\r\n"
                         "Accept: text/event-stream\r\n\r\n".encode())
            await writer.drain()
            while line := await reader.readline():
                if not line.startswith(b"data: "):
                    continue
                view = json.loads(line[6:])
                now = time.perf_counter()
                if first:
                    self.opened, first = self.opened + 1, False
                    self.service[token] = view.get("service")
                seen = self.ahead.setdefault(token, [])
                n = view.get("waiting_ahead")
                if n is not None and (not seen or seen[-1][1] != n):
                    seen.append((now, n))
                if view.get("status") == "called" and view["no"] not in self.called:
                    self.called[view["no"]] = time.perf_counter()
            writer.close()
            await asyncio.sleep(1.0)

    def stop(self) -> None:
        for f in self.futures:
            f.cancel()
        time.sleep(0.2)  # the cancellations run on the loop before it stops
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def run(cfg, config_path: Path, broker, work: Path, pages: int, calls: int,
        rate: float = 4.0, seconds: float = 60.0) -> dict:
    started = time.monotonic()

    def hall_now() -> str:
        return (datetime.fromisoformat(bench_hub.START)
                + timedelta(seconds=time.monotonic() - started)).isoformat()

    hub = bench_hub.start_hub_process(config_path, broker.url, work / "web.db")
    web = None
    clients: list[HubClient] = []
    try:
        bench_hub.wait_answered(cfg, broker.url)
        port = _free_port()
        web = subprocess.Popen(
            [sys.executable, "-m", "web.app", "--config", str(config_path), "--broker",
             broker.url, "--db", str(work / "web.db"), "--listen", f"127.0.0.1:{port}",
             "--clock", hall_now()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ))
        clock = HallClock(cfg.tz, hall_now())
        for node in ("kiosk-1", f"rater-{WINDOW}", "admin-1"):
            c = HubClient(cfg, node, broker.url, clock)
            c.start()
            c.wait_connected(5)
            clients.append(c)
        kiosk, rater, observer = clients
        heard: dict[str, float] = {}
        observer.on_event("called", lambda _k, ev: heard.setdefault(ev["no"],
                                                                     time.perf_counter()))
        services = sorted(cfg.services)
        tokens = [kiosk.request("ticket.take", {"service": services[i % len(services)]},
                                timeout=30)["ticket"]["token"] for i in range(pages)]
        _wait_port(port)
        reader = Pages(port, tokens)
        reader.start()
        if not _wait(lambda: reader.opened == pages, 60):
            raise RuntimeError(f"only {reader.opened} of {pages} ticket pages opened")
        rss_open = round(rss_mb(web.pid), 1)
        staff = next(s.number for s in cfg.staff.values() if WINDOW in s.windows)
        rater.request("window.login", {"window": WINDOW, "staff": staff}, timeout=30)
        samples, missed = [], 0
        for _ in range(min(calls, pages)):
            ticket = rater.request("window.call_next", {"window": WINDOW}, timeout=30)["ticket"]
            no = ticket["no"]
            if _wait(lambda n=no: n in reader.called and n in heard, 10):
                samples.append(max(0.0, reader.called[no] - heard[no]))
            else:
                missed += 1
            rater.request("window.finish", {"window": WINDOW}, timeout=30)
        out = {"web_called_to_page": {**summary(samples), "missed": missed, "pages": pages},
               "web_rss": {"mb": rss_open, "pages": pages},
               "web_rss_after_calls": {"mb": round(rss_mb(web.pid), 1), "pages": pages}}
        if rate > 0 and seconds > 0:
            out |= steady(rater, reader, heard, work / "web.db", pages, rate, seconds)
            out["web_rss_steady"] = {"mb": round(rss_mb(web.pid), 1), "pages": pages}
        reader.stop()
        return out
    finally:
        for c in clients:
            c.stop()
        for proc in (web, hub):
            if proc is not None:
                stop_process(proc)


def steady(rater, reader: Pages, heard: dict, db: Path, pages: int, rate: float,
            seconds: float) -> dict:
    """Calls at a steady ``rate`` for ``seconds`` (call, then finish before the next), as a
    busy hall's windows together make them: each called page's stream, and every other page
    whose place moved (its 前面还有 N 人 one less), timed from the hub's ``called`` event."""
    rows_before = _web_rows(db)
    called: list[tuple[str, float]] = []
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds:
        due = start + n / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        ticket = rater.request("window.call_next", {"window": WINDOW}, timeout=30)["ticket"]
        if ticket is None:
            break  # every page's ticket called
        called.append((ticket["no"], ticket["service"]))
        rater.request("window.finish", {"window": WINDOW}, timeout=30)
        n += 1
    _wait(lambda: all(no in heard for no, _ in called), 10)
    _wait(lambda: all(no in reader.called for no, _ in called), 10)
    to_page = [max(0.0, reader.called[no] - heard[no]) for no, _ in called
               if no in reader.called and no in heard]
    moved = []
    changes: dict[str, list] = {}   # service -> its pages' (times, counts)
    for token, seen in reader.ahead.items():
        changes.setdefault(reader.service.get(token), []).append(
            ([t for t, _ in seen], [k for _, k in seen]))
    for no, service in called:
        at = heard.get(no)
        if at is None:
            continue
        for times, counts in changes.get(service, ()):  # only its own queue moved
            # this page's first change after the call, if it is one less than before it; the
            # page may hear it a little before the bench's own observer does (two clients of
            # one broker), so look from EARLY_S before and count that as 0
            i = bisect.bisect_left(times, at - EARLY_S)
            if 0 < i < len(times) and counts[i] == counts[i - 1] - 1:
                moved.append(max(0.0, times[i] - at))
    rows = _web_rows(db) - rows_before
    return {"web_steady_called_to_page": {**_summary(to_page), "missed": len(called) - len(to_page),
                                          "calls": len(called), "rate_per_s": rate,
                                          "seconds": seconds, "pages": pages},
            "web_steady_people_ahead": {**_summary(moved), "pages": pages},
            "web_steady_rows": {"rows": rows, "page_updates": len(moved) + len(to_page),
                                "per_page_read": round(rows / max(1, len(moved) + len(to_page)),
                                                       4)}}


def _summary(samples: list[float]) -> dict:
    return summary(samples) if samples else {"n": 0}


def _web_rows(db: Path) -> int:
    """Rows the hub has stored for hall-web's requests (its replies), read-only."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM replies WHERE node = 'web'").fetchone()[0]
    except sqlite3.Error:
        return 0


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return bool(predicate())


def _wait_port(port: int, timeout: float = 30.0) -> None:
    if not _wait(lambda: _answers(port), timeout):
        raise RuntimeError(f"hall-web did not listen on {port} within {timeout} s")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
