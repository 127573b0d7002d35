"""Nodes follow the highest lease term (wire.client): what a deposed hub (a lower term) says is
dropped, events and retained state alike; a hall without a standby (no term) is unchanged."""

from __future__ import annotations

import json

from wire.client import HubClient


def client(hall_config, hall_clock):
    c = HubClient(hall_config, "board-1", "mqtt://127.0.0.1:1", hall_clock)
    got = []
    c.on_event("*", lambda kind, ev: got.append((kind, ev["seq"], ev.get("term"))))
    return c, got


def event(seq: int, term: int | None, epoch: str = "e1") -> bytes:
    body = {"seq": seq, "epoch": epoch, "at": "2026-11-23T10:00:00+08:00"}
    return json.dumps(body if term is None else {**body, "term": term}).encode()


def test_events_of_a_lower_term_are_dropped(hall_config, hall_clock):
    c, got = client(hall_config, hall_clock)
    c._on_event("issued", event(1, 5))
    c._on_event("issued", event(2, 9))  # the standby took over: a higher term
    c._on_event("issued", event(3, 5))  # the deposed hub: dropped
    c._on_event("issued", event(3, 9))
    assert got == [("issued", 1, 5), ("issued", 2, 9), ("issued", 3, 9)]
    assert c.term == 9


def test_retained_state_of_a_lower_term_is_ignored(hall_config, hall_clock):
    c, _ = client(hall_config, hall_clock)
    c._on_state("queue", json.dumps({"waiting": 3, "epoch": "e1", "seq": 5, "term": 9}).encode())
    c._on_state("queue", json.dumps({"waiting": 7, "epoch": "e1", "seq": 6, "term": 4}).encode())
    assert c.state["queue"]["waiting"] == 3


def test_a_hall_without_terms_is_unchanged(hall_config, hall_clock):
    c, got = client(hall_config, hall_clock)
    for seq in (1, 2, 2, 3):
        c._on_event("called", event(seq, None))
    assert [s for _, s, _ in got] == [1, 2, 3] and c.term is None
