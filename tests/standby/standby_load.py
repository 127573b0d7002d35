"""The steady load of the standby hall's black-box tests: raw paho nodes (netns_parts.Node)
taking tickets and calling them, and what the SQLite files say afterwards."""

from __future__ import annotations

import sqlite3
import threading
import time

from tests.standby.netns_parts import StandbyHall


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


def assert_each_acknowledged_once(load: Load, db) -> None:
    """Every ticket and call a node had acknowledged is in ``db`` exactly once, and the
    numbering has no gap and no repeat."""
    by_req = events_by_req(db)
    for _, reply in load.tickets:
        assert by_req.get(reply["rid"]) == ["issued"], reply
    for _, reply in load.calls:
        assert by_req.get(reply["rid"], []).count("called") == 1, reply
    numbers = ticket_numbers(db)
    assert numbers == [f"A{i:03d}" for i in range(1, len(numbers) + 1)]


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


def events(db) -> list[tuple]:
    """The event log: (seq, kind, node, req_id, data)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT seq, kind, node, req_id, data FROM events ORDER BY seq").fetchall()
