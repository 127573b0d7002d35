"""Properties: replaying the event log rebuilds the same engine; a refused op changes nothing;
any op/args a node can send gets either an answer or a wire.contract error, never a crash."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub import ops
from hub.engine import QueueEngine
from wire.contract import HubError

from .engine_helpers import KEY, MONDAY_10, Hall, make_id, snapshot

SERVICES = ["A", "B", "C", "H", "Z"]
WINDOWS = [1, 2, 3, 12]
STAFF = {1: "1001", 2: "1002", 3: "1003", 12: "1012"}
NOS = ["A001", "A002", "A003", "B001", "C001", "H001", "H002"]

window = st.sampled_from(WINDOWS)


def window_op(name, **extra):
    return st.tuples(st.just(f"window.{name}"), window, st.fixed_dictionaries(extra))


STEP = st.one_of(
    st.tuples(st.just("ticket.take"), st.just(0), st.fixed_dictionaries(
        {"service": st.sampled_from(SERVICES)},
        optional={"priority": st.sampled_from(["elderly", "vip"]),
                  "id_no": st.sampled_from([make_id(), make_id("11010519491231002")])})),
    st.tuples(st.just("ticket.requeue"), st.just(0),
              st.fixed_dictionaries({"no": st.sampled_from(NOS)})),
    st.tuples(st.just("window.login"), window, st.just({})),
    st.tuples(st.just("window.logout"), window, st.just({})),
    window_op("call_next"), window_op("call_next"), window_op("call_next"),
    window_op("recall"), window_op("skip"), window_op("start"), window_op("hold"),
    window_op("finish", outcome=st.sampled_from(["done", "consult"])),
    window_op("finish"), window_op("finish"), window_op("finish"), window_op("finish"),
    window_op("hold"), window_op("skip"),
    window_op("transfer", service=st.sampled_from(SERVICES)),
    window_op("transfer", to_window=st.sampled_from(WINDOWS)),
    window_op("call_back", no=st.sampled_from(NOS)),
    window_op("call", no=st.sampled_from(NOS), reason=st.just("返回")),
    window_op("walk_in", service=st.sampled_from(SERVICES)),
    window_op("pause"), window_op("resume"),
    st.tuples(st.just("rating.submit"), window,
              st.fixed_dictionaries({"score": st.integers(0, 6)})),
    st.tuples(st.just("rating.submit"), window,
              st.fixed_dictionaries({"score": st.integers(1, 2)})),
    st.tuples(st.just("tick"), st.just(0), st.just({})),
)
ADVANCE = st.one_of(st.just(0), st.integers(0, 120), st.integers(0, 120),
                    st.integers(0, 7200), st.just(86400))
STEPS = st.lists(st.tuples(STEP, ADVANCE), min_size=1, max_size=40)


def morning(cfg) -> Hall:
    """A hall with some tickets waiting and three windows open, so that random steps call."""
    hall = Hall(cfg)
    for service in ("A", "B", "A", "H", "C"):
        hall.take(service)
    hall.take("A", priority="elderly")
    for n in (1, 2, 12):
        hall.open(n)
    return hall


def run_step(hall: Hall, step) -> None:
    op, win, args = step
    if op == "tick":
        hall.tick()
        return
    args = dict(args)
    if op in ("window.login", "window.logout"):
        args["staff"] = STAFF[win]
    node = "kiosk-1" if op.startswith("ticket.") else f"rater-{win}"
    if op.startswith(("window.", "rating.")):
        args["window"] = win
    before, n = snapshot(hall.engine), len(hall.log)
    try:
        hall.do(node, op, **args)
    except HubError:
        assert snapshot(hall.engine) == before, f"{op} {args} refused but changed the state"
        assert len(hall.log) == n
    st = hall.engine.state
    assert st.waiting == {tid: t for tid, t in st.tickets.items() if t.status == "waiting"}, \
        f"the waiting index drifted after {op} {args}"


def views(engine: QueueEngine, at) -> tuple:
    return (engine.queue_state(at), [engine.window_state(n) for n in engine.cfg.windows],
            engine.board_state())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS)
def test_replaying_the_log_rebuilds_the_same_engine(base_cfg, steps):
    hall = morning(base_cfg)
    for step, advance in steps:
        hall.wait(advance)
        run_step(hall, step)
    fresh = QueueEngine(base_cfg, KEY)
    for ev, at in hall.log:
        fresh.apply(ev, at)
    assert snapshot(fresh) == snapshot(hall.engine)
    assert views(fresh, hall.at) == views(hall.engine, hall.at)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS)
def test_the_service_time_estimate_and_queue_stay_sane(base_cfg, steps):
    hall = morning(base_cfg)
    for step, advance in steps:
        hall.wait(advance)
        run_step(hall, step)
        q = hall.engine.queue_state(hall.at)["services"]
        assert all(s["waiting"] >= 0 and s["est_wait_s"] >= 0 for s in q.values())
        in_hand = [w.current for w in hall.engine.state.windows.values() if w.current]
        assert len(in_hand) == len(set(in_hand)), "one ticket at two windows"
        for tid in in_hand:
            assert hall.engine.state.tickets[tid].status in ("called", "serving")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 1000) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6)
KEYS = st.sampled_from(["service", "priority", "window", "staff", "no", "score", "reasons",
                        "outcome", "case_no", "reason", "to_window", "id_no", "phone",
                        "appointment", "code", "slot", "ticket_id", "result", "extra"])


@settings(max_examples=400, deadline=None)
@given(op=st.sampled_from([
    "ticket.take", "ticket.status", "ticket.requeue", "window.login", "window.logout",
    "window.call_next", "window.recall", "window.skip", "window.finish", "window.transfer",
    "window.pause", "window.resume", "window.hold", "window.call_back", "window.call",
    "window.start", "window.walk_in", "rating.submit", "appointment.book", "follow_up.close",
    "ticket.nope", ""]) | st.text(max_size=12),
    node=st.sampled_from(["kiosk-1", "board-1", "rater-1", "rater-12", "admin"]),
    args=st.dictionaries(KEYS, JSON, max_size=4) | JSON)
def test_fuzzed_requests_get_an_answer_or_a_stable_error(base_cfg, op, node, args):
    hall = Hall(base_cfg)
    hall.take("A")
    hall.open(1)
    hall.next(1)
    before, n = snapshot(hall.engine), len(hall.log)
    try:
        d = ops.decide(op, args, hall.ctx(node), engine=hall.engine)
    except HubError as exc:
        assert exc.code in ("bad_request", "unknown_service", "unknown_window", "forbidden",
                            "closed", "capped", "no_ticket", "conflict")
        assert exc.message
    else:
        assert isinstance(d.result, dict)
    assert snapshot(hall.engine) == before and len(hall.log) == n  # decide never mutates


def test_a_replay_that_starts_after_a_day_close_does_not_trip(cfg):
    """The hub rebuilds from the last day close: events of older tickets are history only."""
    hall = Hall(cfg)
    hall.take("A")
    hall.open(1)
    hall.next(1)
    hall.at = MONDAY_10.replace(hour=17)
    hall.tick()
    cut = len(hall.log)
    hall.wait(60)
    hall.win(1, "finish")
    hall.at += timedelta(hours=8)
    hall.tick()
    fresh = QueueEngine(cfg, KEY)
    for ev, at in hall.log[cut:]:
        fresh.apply(ev, at)
    assert fresh.window_state(1)["status"] == "closed"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS, STEPS)
def test_a_replay_from_any_day_close_rebuilds_the_same_engine(base_cfg, before, after):
    """The hub may rebuild from its last day_closed: the carried checkpoint restores all."""
    hall = morning(base_cfg)
    for steps in (before, after):
        for step, advance in steps:
            hall.wait(advance)
            run_step(hall, step)
        close = hall.at.replace(hour=17, minute=0, second=0)
        hall.at = max(hall.at, close)
        hall.tick()
    starts = [i for i, (ev, _) in enumerate(hall.log) if ev.kind == "day_closed"]
    assert starts
    for i in starts:
        fresh = QueueEngine(base_cfg, KEY)
        for ev, at in hall.log[i:]:
            fresh.apply(ev, at)
        assert snapshot(fresh) == snapshot(hall.engine)
        assert views(fresh, hall.at) == views(hall.engine, hall.at)
