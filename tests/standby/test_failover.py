"""Black-box: a standby hall in network namespaces (tests/standby/netns_parts.py) under a steady
load of tickets and calls from raw paho nodes. Nothing here imports hallstack: the machines run
the real processes (etcd, Mosquitto, keepalived, ``hall-hub standby run``) and the test judges
by what nodes received and by the SQLite files."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.standby.netns_parts import StandbyHall, can_run, wait_for

pytestmark = [pytest.mark.skipif(can_run() is not None, reason=str(can_run())),
              pytest.mark.timeout(90)]


@pytest.fixture
def hall():
    # a folder Mosquitto can reach after dropping to its user (pytest's tmp_path is 0700)
    workdir = Path(tempfile.mkdtemp(prefix="hallstack-sb-"))
    os.chmod(workdir, 0o755)
    h = StandbyHall(workdir)
    try:
        h.start_etcd()
        h.start_machine("hub-a")
        wait_for(lambda: h.serving() == "hub-a", 20, "hub-a to take the lease")
        h.start_machine("hub-b")
        wait_for(h.copy_in_sync, 20, "hub-b's copy to be in sync")
        # the serving hub keeps etcd's raft leader on the witness (docs/standby.md)
        wait_for(h.etcd_leader_is_witness, 20, "the witness to lead etcd")
        yield h
    finally:
        h.close()
        if not os.environ.get("KEEP_SB"):
            shutil.rmtree(workdir, ignore_errors=True)


class Load:
    """A kiosk taking tickets and a window calling them, one request after the other, each
    acknowledged reply kept with the monotonic time it came."""

    def __init__(self, hall: StandbyHall):
        self.kiosk, self.window = hall.node("kiosk-1"), hall.node("rater-1")
        for n in (self.kiosk, self.window):
            assert n.connected.wait(20), f"{n.user} did not reach the floating address"
        assert self.window.request("window.login", {"window": 1, "staff": "1001"})["ok"]
        self.tickets: list[tuple[float, dict]] = []
        self.calls: list[tuple[float, dict]] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n, op, args, out), daemon=True)
                        for n, op, args, out in (
                            (self.kiosk, "ticket.take", {"service": "A"}, self.tickets),
                            (self.window, "window.call_next", {"window": 1}, self.calls))]
        for t in self.threads:
            t.start()

    def _run(self, node, op, args, out) -> None:
        while not self.stop.is_set():
            try:
                reply = node.request(op, args, timeout=30)
            except TimeoutError:
                continue
            called = op != "window.call_next" or (reply.get("result") or {}).get("ticket")
            if reply.get("ok") and called:  # a call that found nobody waiting called nobody
                out.append((time.monotonic(), reply))
                if op == "window.call_next":  # a window finishes a citizen before the next
                    try:
                        node.request("window.finish", args, timeout=30)
                    except TimeoutError:
                        pass
            self.stop.wait(0.15)

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(35)


def events_by_req(db) -> dict[str, list[str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        out: dict[str, list[str]] = {}
        for req_id, kind in conn.execute("SELECT req_id, kind FROM events WHERE req_id IS NOT "
                                         "NULL ORDER BY seq"):
            out.setdefault(req_id, []).append(kind)
        return out


def ticket_numbers(db) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return [r[0] for r in conn.execute("SELECT json_extract(data, '$.no') FROM events "
                                           "WHERE kind = 'issued' ORDER BY seq")]


def test_pulling_the_serving_machines_power_loses_no_acknowledged_ticket(hall):
    load = Load(hall)
    wait_for(lambda: len(load.tickets) >= 5 and len(load.calls) >= 2, 20, "a steady load")
    pulled = time.monotonic()
    print(f"power pulled at {time.strftime('%H:%M:%S')}.{int(time.time() * 1000) % 1000:03d}")
    acked_before = len(load.tickets)
    hall.power_off("hub-a")
    wait_for(lambda: any(t > pulled for t, _ in load.tickets[acked_before:]), 30,
             "a ticket acknowledged by the standby")
    first_after = min(t for t, _ in load.tickets[acked_before:] if t > pulled) - pulled
    wait_for(lambda: len(load.tickets) >= acked_before + 5, 20, "more tickets after failover")
    load.finish()
    print(f"failover: next acknowledged ticket {first_after:.2f} s after the power was pulled")
    assert hall.serving() == "hub-b"
    assert first_after <= 10.0
    by_req = events_by_req(hall.db("hub-b"))
    for _, reply in load.tickets:
        assert by_req.get(reply["rid"]) == ["issued"], reply  # exactly once, on hub-b's disk
    for _, reply in load.calls:
        assert by_req.get(reply["rid"], []).count("called") == 1, reply
    numbers = ticket_numbers(hall.db("hub-b"))
    assert numbers == [f"A{i:03d}" for i in range(1, len(numbers) + 1)]  # no gap, no repeat
    acked = [r["result"]["ticket"]["no"] for _, r in load.tickets]
    assert acked == sorted(set(acked))
