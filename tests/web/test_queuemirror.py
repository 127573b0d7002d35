"""The queue mirror counts the tickets ahead by the hub's rule (hub.engine.views.waiting_ahead):
issue order, kept on a transfer, reset on a requeue, green channel first; ``places`` (one sort
per service) agrees with ``ahead`` (the rule spelled out) on random days."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from web.queuemirror import QueueMirror

DAY = "2026-11-23"


def issue(m: QueueMirror, n: int, service: str = "A", green: bool = False, at: str = "") -> str:
    tid = f"20261123-{service}{n:03d}"
    m.fold("issued", {"ticket_id": tid, "service": service, "date": DAY,
                      "priority": "elderly" if green else None}, at or f"{DAY}T09:00:{n:02d}")
    return tid


def test_the_hubs_rule():
    m = QueueMirror()
    a1, a2, a3 = issue(m, 1), issue(m, 2), issue(m, 3)
    assert [m.ahead(t) for t in (a1, a2, a3)] == [0, 1, 2]
    g = issue(m, 4, green=True)                         # the green channel goes first
    assert [m.ahead(t) for t in (a1, a2, a3, g)] == [1, 2, 3, 0]
    m.fold("called", {"ticket_id": a1}, f"{DAY}T09:01:00")
    m.fold("skipped", {"ticket_id": a1}, f"{DAY}T09:02:00")
    m.fold("requeued", {"ticket_id": a1}, f"{DAY}T09:03:00")   # behind those waiting now
    assert m.ahead(a1) == 3 and m.ahead(a2) == 1
    m.fold("transferred", {"ticket_id": a2, "service": "B"}, f"{DAY}T09:04:00")
    assert m.ahead(a2) == 0 and m.ahead(a3) == 1        # its own place, in its new queue
    m.fold("day_closed", {"closed": [{"ticket_id": a3}]}, f"{DAY}T17:00:00")
    assert m.ahead(a3) is None


def test_places_agree_with_ahead_on_random_days():
    rnd = random.Random(7)
    base = datetime(2026, 11, 23, 9, 0)
    for _ in range(200):
        m, ids = QueueMirror(), []
        for i in range(rnd.randint(1, 40)):
            at = (base + timedelta(seconds=rnd.randint(0, 5))).isoformat()
            ids.append(issue(m, i, rnd.choice("AB"), rnd.random() < 0.3, at))
            if rnd.random() < 0.3:
                kind = rnd.choice(["called", "requeued", "transferred", "moved", "cancelled"])
                m.fold(kind, {"ticket_id": rnd.choice(ids), "service": rnd.choice("AB")}, at)
        places = m.places()
        assert all(places.get(t) == m.ahead(t) for t in ids)


def test_an_event_already_folded_is_not_folded_again():
    m = QueueMirror()
    m.fold("issued", {"ticket_id": "20261123-A001", "service": "A", "date": DAY},
           f"{DAY}T09:00:00", seq=5)
    assert not m.fold("called", {"ticket_id": "20261123-A001"}, f"{DAY}T09:01:00", seq=5)
    assert m.ahead("20261123-A001") == 0
