"""Retained state says which events it reflects: a node that took a call on its fast path can
tell an older window state that reaches it later (docs/node-api.md, state payloads)."""

from __future__ import annotations

from .outside import HALL, wait_for


def test_every_retained_state_names_the_last_event_it_reflects(hall):
    kiosk = hall.node("kiosk-1")
    rater = hall.node("rater-1", f"hall/{HALL}/event/called")
    assert kiosk.request("ticket.take", {"service": "A"})["ok"]
    assert rater.request("window.login", {"window": 1, "staff": "1001"})["ok"]
    assert rater.request("window.call_next", {"window": 1})["result"]["ticket"]["no"] == "A001"
    (called,) = wait_for(lambda: rater.events_of("called"), what="the called event")
    topic = f"hall/{HALL}/state/window/1"
    late = hall.node("board-1", topic)  # a board starting now: the retained state
    state = wait_for(lambda: (late.retained.get(topic) or {}).get("serving") and
                     late.retained[topic], what="window 1's state serving A001")
    assert state["serving"]["no"] == "A001"
    assert state["epoch"] == called["epoch"]
    assert isinstance(state["seq"], int) and state["seq"] >= called["seq"]
