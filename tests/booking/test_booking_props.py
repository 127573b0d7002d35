"""Properties of bookings under any sequence of citizens' acts (Hypothesis): a slot never holds
more than its capacity, one person holds one open booking per service and day, and replaying
the log gives the same bookings."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.engine.bookstate import BOOKED, CHECKED_IN
from hub.engine.slots import day_slots
from wire.contract import HubError

from .conftest import engine_helpers as eh

DAYS = ["2026-11-23", "2026-11-24", "2026-11-25"]
STARTS = ["10:30", "11:00", "14:00"]
PEOPLE = [eh.make_id(f"1101051949123{i:04d}") for i in range(6)]

acts = st.lists(st.one_of(
    st.tuples(st.just("make"), st.sampled_from("AD"), st.sampled_from(DAYS),
              st.sampled_from(STARTS), st.integers(0, 5)),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("move"), st.integers(0, 20), st.sampled_from(DAYS),
              st.sampled_from(STARTS)),
    st.tuples(st.just("close"), st.sampled_from("AD"), st.sampled_from(DAYS)),
    st.tuples(st.just("wait"), st.integers(1, 90)),
), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(acts)
def test_bookings_hold_their_rules_whatever_happens(base_cfg, script):
    hall = eh.Hall(base_cfg)
    made: list[dict] = []
    for act in script:
        try:
            if act[0] == "make":
                _, svc, day, start, who = act
                made.append(hall.do("web", "booking.make", service=svc, day=day, start=start,
                                    name="测试", id_number=PEOPLE[who],
                                    phone=f"1390000000{who}"))
            elif act[0] == "cancel" and made:
                b = made[act[1] % len(made)]
                hall.do("web", "booking.cancel", code=b["code"], token=b["token"])
            elif act[0] == "move" and made:
                b = made[act[1] % len(made)]
                hall.do("web", "booking.move", code=b["code"], token=b["token"], day=act[2],
                        start=act[3])
            elif act[0] == "close":
                hall.do("web", "booking.close_slots", service=act[1], day=act[2],
                        start="10:30", end="11:30", by="值班主任")
            elif act[0] == "wait":
                hall.wait(minutes=act[1])
                hall.tick()
        except HubError:
            pass  # a refusal changes nothing: the invariants below still hold
    book = hall.engine.state.book
    for svc in "AD":
        for day in DAYS:
            _, _, slots = day_slots(hall.engine.state, svc, date.fromisoformat(day))
            base = {s.start: s.capacity for s in slots}
            for start in STARTS:
                taken = book.taken(svc, day, start)
                # closing keeps bookings made before; otherwise never over capacity
                closed = base.get(start, 0) == 0
                assert closed or taken <= base[start], (svc, day, start, taken, base)
    open_ = [(r.id_hash, r.service, r.day) for r in book.by_bid.values()
             if r.state in (BOOKED, CHECKED_IN)]
    assert len(open_) == len(set(open_))
    fresh = eh.QueueEngine(base_cfg, eh.KEY)
    for ev, at in hall.log:
        fresh.apply(ev, at)
    assert fresh.state.book == book
