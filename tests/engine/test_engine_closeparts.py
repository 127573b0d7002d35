"""A busy day's close-out: in parts that each fit the wire (hub.engine.closeparts)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from hub.engine import QueueEngine, closeparts
from hub.engine.types import Event
from wire import payload
from wire.contract import MAX_PAYLOAD

from .engine_helpers import KEY, TZ, snapshot

# the example hall's caps at 10:00 (C is capped per slot): 1,000 tickets in one morning
MORNING = {"A": 200, "B": 120, "C": 120, "D": 300, "E": 200, "F": 60}


def _wire(ev) -> bytes:
    return json.dumps({"seq": 10**6, "at": "2026-11-23T17:00:00+08:00", "epoch": "0" * 16,
                       **ev.public()}, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_thousand_open_tickets_close_in_parts_that_each_fit(hall):
    for service, n in MORNING.items():
        for _ in range(n):
            hall.take(service)
    hall.at = datetime(2026, 11, 23, 17, 0, tzinfo=TZ)
    parts = [e for e in hall.tick() if e.kind == "day_closed"]
    assert len(parts) > 1
    for n, ev in enumerate(parts, 1):
        assert (ev.data["part"], ev.data["parts"]) == (n, len(parts))
        raw = _wire(ev)
        assert len(raw) <= MAX_PAYLOAD
        payload.parse(raw, MAX_PAYLOAD)  # the item and depth limits a consumer checks
        assert closeparts.is_last(ev.data) == (n == len(parts))
        assert ("counts" in ev.data) == (n == len(parts)) and "_carry" not in ev.public()
    closed = [c["ticket_id"] for ev in parts for c in ev.data["closed"]]
    assert len(closed) == len(set(closed)) == 1000
    assert parts[-1].data["counts"]["closed"] == parts[-1].data["counts"]["issued"] == 1000
    assert "_carry" in parts[-1].data and all("_carry" not in e.data for e in parts[:-1])
    assert hall.engine.queue_state(hall.at)["services"]["A"]["waiting"] == 0
    assert hall.tick() == []  # closed once
    # a replay from the last part's checkpoint (the hub's restart) ends where the full one does
    again = QueueEngine(hall.cfg, KEY)
    again.apply(parts[-1], hall.at)
    assert snapshot(again) == snapshot(hall.engine)


def test_the_manager_s_close_of_a_busy_day_answers_with_the_last_part(hall):
    for _ in range(300):
        hall.take("D")
    n = len(hall.log)
    r = hall.do("web", "manage.close_day", by="王主任")["day_closed"]
    parts = [ev for ev, _ in hall.log[n:]]
    assert len(parts) > 1 and r == parts[-1].public() and r["by"] == "王主任"
    assert r["counts"]["day_end_waiting"] == 300
    assert sum(len(ev.data["closed"]) for ev in parts) == 300


def test_an_event_too_big_for_the_wire_is_refused_where_it_is_made():
    with pytest.raises(closeparts.TooBig):
        closeparts.check({"text": "x" * MAX_PAYLOAD})
    with pytest.raises(closeparts.TooBig):
        closeparts.check({"closed": [{"n": i} for i in range(payload.MAX_ITEMS)]})
    small = closeparts.split("2026-11-23", [], [], {"closed": 0}, "2026-11-23T17:00:00+08:00")
    assert [e.data for e in small] == [{"date": "2026-11-23", "closed": [], "windows": [],
                                        "closed_at": "2026-11-23T17:00:00+08:00",
                                        "counts": {"closed": 0}}]
    assert isinstance(small[0], Event)
