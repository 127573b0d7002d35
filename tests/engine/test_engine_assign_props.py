"""Hypothesis: across any mix of tickets, calls, finishes, transfers and reassignments (under
both balances, the hub's automatic assistance and the capacity check), no ticket is lost or
served twice, and a full replay of the log ends in the same state."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wire.contract import HubError

from .engine_helpers import Hall, snapshot, with_queue

WINDOWS = (1, 8, 9, 12)
SERVICES = ("A", "E", "F", "D")
STEP = st.one_of(
    st.tuples(st.just("take"), st.sampled_from(SERVICES), st.booleans()),
    st.tuples(st.just("next"), st.sampled_from(WINDOWS)),
    st.tuples(st.just("finish"), st.sampled_from(WINDOWS)),
    st.tuples(st.just("transfer"), st.sampled_from(WINDOWS), st.sampled_from(SERVICES)),
    st.tuples(st.just("assign"), st.sampled_from(WINDOWS),
              st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True)),
    st.tuples(st.just("tick"), st.integers(1, 900)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, max_size=60), st.sampled_from(("preference", "worst_off")),
       st.sampled_from(("off", "refuse")))
def test_no_ticket_is_lost_or_served_twice(base_cfg, steps, balance, capacity):
    hall = Hall(with_queue(base_cfg, balance=balance, assist="auto", capacity=capacity))
    for n in WINDOWS:
        hall.open(n)
    for step in steps:
        try:
            if step[0] == "take":
                hall.do("kiosk-1", "ticket.take", service=step[1],
                        priority="elderly" if step[2] else None)
            elif step[0] == "next":
                serves = hall.engine.state.services_of(step[1])
                no = hall.next(step[1])
                t = hall.engine.state.current(step[1])
                # only what the window serves at that moment (or a ticket sent to it)
                assert no is None or t.service in serves or t.to_window == step[1]
            elif step[0] == "finish":
                hall.win(step[1], "finish")
            elif step[0] == "transfer":
                hall.win(step[1], "transfer", service=step[2])
            elif step[0] == "assign":
                hall.do("admin", "window.assign", window=step[1], services=step[2], by="x")
            else:
                hall.wait(step[1])
                hall.tick()
        except HubError:
            pass  # a refusal changes nothing (checked in test_engine_assign)
    hall.at = hall.at.replace(hour=23, minute=59)
    hall.tick()
    issued = {ev.data["ticket_id"] for ev, _ in hall.log if ev.kind == "issued"}
    finished = [ev.data["ticket_id"] for ev, _ in hall.log if ev.kind == "finished"]
    closed = [c["ticket_id"] for ev, _ in hall.log if ev.kind == "day_closed"
              for c in ev.data["closed"]]
    assert len(finished) == len(set(finished))                    # never served twice
    assert not set(finished) & set(closed)
    in_hand = {w.current for w in hall.engine.state.windows.values()} - {None}
    assert issued == set(finished) | set(closed) | in_hand       # never lost
    replay = Hall(hall.cfg)
    for ev, at in hall.log:
        replay.engine.apply(ev, at)
    assert snapshot(replay.engine) == snapshot(hall.engine)
