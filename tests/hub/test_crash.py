"""The hub killed with SIGKILL at random points while nodes work: nothing acknowledged is lost,
nothing happens twice, no number is issued twice, every event reaches a subscriber.

The test runs until enough work was acknowledged and the hub was killed often enough, however
long that takes on this machine (within its timeout): it proves exactly-once, not throughput."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import pytest

from tests.helpers import eventually
from tests.helpers import rows as db_rows
from wire.client import HubClient, HubUnreachable
from wire.clock import HallClock
from wire.contract import HubError

pytestmark = pytest.mark.timeout(300)
GIVE_UP_S = 240  # the work below must be done by then, on however busy a machine
KILLS, TICKETS, RATINGS = 10, 60, 20  # what must be acknowledged through that many kills

START = datetime.fromisoformat("2026-11-23T10:00:00+08:00")


class HubProcess:
    """hall-hub as its own process, restarted with the hall time it had reached."""

    def __init__(self, broker, db):
        self.broker, self.db, self.proc, self.t0 = broker, db, None, time.monotonic()
        self.kills = 0

    def start(self):
        hall_now = START + timedelta(seconds=time.monotonic() - self.t0)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "--config", "examples/hall.toml", "--broker",
             self.broker.url, "--db", self.db, "--clock", hall_now.isoformat()],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.kills += 1

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def test_sigkill_loses_nothing_acknowledged(hall_config, broker, tmp_path):
    db = str(tmp_path / "hall.db")
    hub = HubProcess(broker, db)
    hub.start()
    clock = HallClock(hall_config.tz, START)
    seen_seqs: list[int] = []
    board = HubClient(hall_config, "board-1", broker.url, clock)
    board.on_event("*", lambda kind, p: seen_seqs.append(p["seq"]))
    board.start()
    tickets: list[str] = []
    ratings: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    rng = random.Random(20261123)

    def kiosk():
        client = HubClient(hall_config, "kiosk-1", broker.url, clock)
        client.start()
        n = 0
        while not stop.is_set():
            n += 1
            try:
                r = client.request("ticket.take", {"service": "ABCD"[n % 4]}, timeout=30)
            except HubUnreachable:
                continue
            except HubError:  # a service's daily cap reached: refused, nothing issued
                time.sleep(0.05)
                continue
            with lock:
                tickets.append(r["ticket"]["ticket_id"])
        client.stop()

    def window(n: int):
        client = HubClient(hall_config, f"rater-{n}", broker.url, clock)
        client.start()
        staff = next(s.number for s in hall_config.staff.values() if s.windows == (n,))
        while True:
            try:
                client.request("window.login", {"window": n, "staff": staff}, timeout=30)
                break
            except HubUnreachable:
                continue
        while not stop.is_set():
            try:
                called = client.request("window.call_next", {"window": n}, timeout=30)
                if not called["ticket"]:
                    time.sleep(0.05)
                    continue
                client.request("window.finish", {"window": n}, timeout=30)
                r = client.request("rating.submit", {"window": n, "score": 5}, timeout=30)
                with lock:
                    ratings.append(r["rating"]["ticket_id"])
            except (HubUnreachable, HubError):
                continue
        client.stop()

    threads = [threading.Thread(target=kiosk)] + [
        threading.Thread(target=window, args=(n,)) for n in (1, 2, 4, 6)]
    for t in threads:
        t.start()
    def acknowledged() -> int:
        with lock:
            return len(tickets) + len(ratings)

    def enough() -> bool:
        with lock:
            return hub.kills >= KILLS and len(tickets) >= TICKETS and len(ratings) >= RATINGS

    give_up = time.monotonic() + GIVE_UP_S
    try:
        while not enough():
            assert time.monotonic() < give_up, (
                f"after {GIVE_UP_S} s only kills={hub.kills} tickets={len(tickets)} "
                f"ratings={len(ratings)}: the hub makes no progress across restarts")
            # each incarnation gets some work acknowledged (so progress never depends on
            # the machine's speed), then dies at a random point of the work in flight
            target = acknowledged() + rng.randint(1, 8)
            eventually(lambda t=target: acknowledged() >= t, timeout=give_up - time.monotonic())
            time.sleep(rng.uniform(0.0, 0.3))  # where the kill lands, not a synchronisation
            hub.kill()
            hub.start()
    finally:
        stop.set()
        for t in threads:
            t.join(120)

    def logged() -> set[int]:
        return {r["seq"] for r in db_rows(db, "SELECT seq FROM events")}

    # the outbox of the last incarnation reaches the board
    eventually(lambda: logged() <= set(seen_seqs), timeout=60)
    hub.stop()
    board.stop()

    print(f"kills={hub.kills} tickets={len(tickets)} ratings={len(ratings)} events={len(set(seen_seqs))}")
    assert not any(t.is_alive() for t in threads)
    assert hub.kills >= KILLS and len(tickets) >= TICKETS and len(ratings) >= RATINGS
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT ticket_id FROM tickets").fetchall()
    stored = [r[0] for r in rows]
    assert len(stored) == len(set(stored))
    assert set(tickets) <= set(stored)  # every acknowledged ticket exists
    issued = [r[0] for r in conn.execute("SELECT data FROM events WHERE kind='issued'")]
    assert len(issued) == len(stored)  # one issue event per ticket: nothing acted on twice
    rated = [r[0] for r in conn.execute("SELECT ticket_id FROM ratings")]
    assert len(rated) == len(set(rated))
    assert set(ratings) <= set(rated)
    assert len(ratings) == len(set(ratings))
    log_seqs = {r[0] for r in conn.execute("SELECT seq FROM events")}
    missing = log_seqs - set(seen_seqs)
    assert not missing, f"{len(missing)} events never reached the board: {sorted(missing)[:10]}"
    assert len(seen_seqs) == len(set(seen_seqs))  # the client dropped the repeats
