"""A window's work: call next (strict order), recall, skip, hold/call back, call out of order,
start, transfer, finish, walk-in, and each refusal."""

from __future__ import annotations

import pytest

from wire.contract import BadRequest, Conflict, NoTicket, UnknownService, UnknownWindow

from .engine_helpers import snapshot


def refused(hall, exc, node, op, **args):
    """Assert the op raises ``exc`` and leaves the engine exactly as it was."""
    before, n = snapshot(hall.engine), len(hall.log)
    with pytest.raises(exc) as err:
        hall.do(node, op, **args)
    assert snapshot(hall.engine) == before and len(hall.log) == n
    return err.value


def test_call_next_event_board_and_window_state(hall):
    hall.take("A")
    hall.open(1)
    hall.wait(90)
    ev = hall.events("rater-1", "window.call_next", window=1)[0]
    assert ev.kind == "called"
    assert ev.public() | {} == ev.data  # nothing private in a call
    assert ev.data["text"] == "请A001号到1号窗口办理"
    assert (ev.data["no"], ev.data["window"], ev.data["recall"], ev.data["wait_s"]) == \
        ("A001", 1, False, 90)
    board = hall.engine.board_state()
    assert board["calls"] == [{"no": "A001", "window": 1, "service": "A",
                               "at": "2026-11-23T10:01:30+08:00", "recall": False}]
    w = hall.engine.window_state(1)
    assert w["serving"] == {"no": "A001", "service": "A", "called_at": "2026-11-23T10:01:30+08:00"}
    assert w["staff"] == {"number": "1001", "name": "张敏", "post": "A"}
    assert hall.engine.queue_state(hall.at)["services"]["A"]["waiting"] == 0


def test_empty_queue_answers_none(hall):
    hall.open(1)
    assert hall.win(1, "call_next") == {"ticket": None}
    assert hall.log[-1][0].kind == "window"  # the login only


def test_strict_green_first_then_preference_then_issue_time(hall):
    # window 2 serves A then B
    hall.take("B")
    hall.wait(1)
    hall.take("A")
    hall.wait(1)
    hall.take("B", priority="military")
    hall.wait(1)
    hall.take("A")
    hall.open(2)
    order = []
    while (no := hall.next(2)) is not None:
        order.append(no)
        hall.win(2, "finish")
    assert order == ["B002", "A001", "A002", "B001"]


def test_board_keeps_ten_newest_first(hall):
    hall.open(12)
    for _ in range(12):
        hall.take("H")
    for _ in range(12):
        hall.wait(1)
        hall.next(12)
        hall.win(12, "finish")
    calls = hall.engine.board_state()["calls"]
    assert [c["no"] for c in calls] == [f"H{n:03d}" for n in range(12, 2, -1)]


def test_recall_up_to_the_cap(hall):
    hall.take("A")
    hall.open(1)
    hall.next(1)
    for i in range(1, 4):
        ev = hall.events("rater-1", "window.recall", window=1)[0]
        assert ev.data["recall"] is True and ev.data["recalls"] == i
    err = refused(hall, Conflict, "rater-1", "window.recall", window=1)
    assert "3" in err.message
    assert hall.engine.board_state()["calls"][0]["recall"] is True


def test_skip_then_call_out_of_order(hall):
    hall.take("A")
    hall.take("A")
    hall.open(1)
    hall.next(1)
    hall.win(1, "skip")
    assert hall.engine.window_state(1)["serving"] is None
    refused(hall, BadRequest, "rater-1", "window.call", window=1, no="A001")  # no reason
    ev = hall.events("rater-1", "window.call", window=1, no="A001", reason="群众返回")[0]
    assert ev.data["how"] == "call" and ev.data["reason"] == "群众返回"
    hall.win(1, "finish")
    assert hall.next(1) == "A002"


def test_call_refusals(hall):
    hall.take("B")
    hall.open(1)
    refused(hall, Conflict, "rater-1", "window.call", window=1, no="B001", reason="x")  # not A
    refused(hall, NoTicket, "rater-1", "window.call", window=1, no="A009", reason="x")
    hall.open(3)
    hall.next(3)
    refused(hall, Conflict, "rater-3", "window.call", window=3, no="B001", reason="x")  # busy


def test_hold_and_call_back(hall):
    hall.take("A")
    hall.take("A")
    hall.open(1)
    hall.next(1)
    hall.win(1, "hold")
    assert hall.engine.window_state(1)["serving"] is None
    assert hall.next(1) == "A002"
    refused(hall, Conflict, "rater-1", "window.call_back", window=1, no="A001")  # busy
    hall.win(1, "finish")
    refused(hall, Conflict, "rater-1", "window.call_back", window=1, no="A002")  # not held
    ev = hall.events("rater-1", "window.call_back", window=1, no="A001")[0]
    assert ev.data["how"] == "call_back"
    hall.take("A")
    hall.open(2)
    hall.next(2)
    hall.win(2, "hold")
    refused(hall, Conflict, "rater-1", "window.call_back", window=1, no="A003")  # held at 2


def test_start_sets_service_time(hall):
    hall.take("A")
    hall.open(1)
    hall.next(1)
    hall.wait(30)
    hall.win(1, "start")
    refused(hall, Conflict, "rater-1", "window.start", window=1)
    refused(hall, Conflict, "rater-1", "window.skip", window=1)  # already at the window
    refused(hall, Conflict, "rater-1", "window.recall", window=1)
    hall.wait(600)
    ev = hall.events("rater-1", "window.finish", window=1, outcome="supplement",
                     case_no="3301-2026-0001")[0]
    assert (ev.data["service_s"], ev.data["wait_s"], ev.data["outcome"], ev.data["case_no"]) \
        == (600, 0, "supplement", "3301-2026-0001")


def test_service_time_from_the_call_when_start_never_pressed(hall):
    hall.take("A")
    hall.open(1)
    hall.wait(10)
    hall.next(1)
    hall.wait(400)
    ev = hall.events("rater-1", "window.finish", window=1)[0]
    assert (ev.data["service_s"], ev.data["wait_s"], ev.data["outcome"]) == (400, 10, "done")
    # the running mean of A moves from the seeded 900 s: (900 + 400) / 2
    assert hall.engine.state.times["A"].mean_s == 650


def test_finish_refusals(hall):
    hall.open(1)
    refused(hall, NoTicket, "rater-1", "window.finish", window=1)
    hall.take("A")
    hall.next(1)
    refused(hall, BadRequest, "rater-1", "window.finish", window=1, outcome="maybe")
    refused(hall, BadRequest, "rater-1", "window.finish", window=1, case_no=7)
    refused(hall, Conflict, "rater-1", "window.call_next", window=1)  # finish first


def test_transfer_to_a_service_keeps_issue_time(hall):
    hall.take("A")            # A001 at 10:00
    hall.wait(60)
    hall.take("B")            # B001 at 10:01
    hall.open(1)
    hall.next(1)
    ev = hall.events("rater-1", "window.transfer", window=1, service="B")[0]
    assert (ev.data["from_service"], ev.data["service"], ev.data["transferred"]) == \
        ("A", "B", 1)
    hall.open(3)
    assert hall.next(3) == "A001"  # same number, now for B, ahead of B001 by issue time
    assert hall.engine.queue_state(hall.at)["services"]["B"]["waiting"] == 1


def test_transfer_to_one_window(hall):
    hall.take("A")
    hall.take("A")
    hall.open(1)
    hall.open(2)
    hall.next(1)
    hall.win(1, "transfer", to_window=12)
    assert hall.next(2) == "A002"  # window 2 serves A but the ticket was sent to 12
    hall.open(12)
    hall.take("A", priority="elderly")
    assert hall.next(12) == "A003"  # green channel still first
    hall.win(12, "finish")
    assert hall.next(12) == "A001"


@pytest.mark.parametrize("args,exc", [
    ({}, BadRequest), ({"service": "B", "to_window": 3}, BadRequest),
    ({"service": "A"}, BadRequest), ({"to_window": 1}, BadRequest),
    ({"service": "Q"}, UnknownService), ({"to_window": 99}, UnknownWindow),
    ({"to_window": "3"}, BadRequest),
])
def test_transfer_refusals(hall, args, exc):
    hall.take("A")
    hall.open(1)
    hall.next(1)
    refused(hall, exc, "rater-1", "window.transfer", window=1, **args)


def test_walk_in_is_served_at_once_and_can_be_rated(hall):
    hall.open(4)
    ev = hall.events("rater-4", "window.walk_in", window=4, service="C")[0]
    assert ev.kind == "issued" and ev.data["walk_in"] is True and ev.data["no"] == "C001"
    assert hall.engine.window_state(4)["serving"]["no"] == "C001"
    assert hall.take("C") == "C002"  # the walk-in used a number
    refused(hall, Conflict, "rater-4", "window.walk_in", window=4, service="C")  # busy
    hall.win(4, "finish")
    refused(hall, Conflict, "rater-4", "window.walk_in", window=4, service="A")  # not served
    refused(hall, UnknownService, "rater-4", "window.walk_in", window=4, service="Z")
    hall.do("rater-4", "rating.submit", window=4, score=5)
    assert hall.log[-1][0].data["no"] == "C001"


def test_calls_need_an_open_window(hall):
    hall.take("A")
    refused(hall, Conflict, "rater-1", "window.call_next", window=1)  # nobody logged in
    hall.open(1)
    hall.win(1, "pause", reason="午休")
    refused(hall, Conflict, "rater-1", "window.call_next", window=1)
    refused(hall, Conflict, "rater-1", "window.walk_in", window=1, service="A")
    hall.win(1, "resume")
    assert hall.next(1) == "A001"
