"""Window posts: login/logout (A/B post), pause/resume, and authorisation of window ops."""

from __future__ import annotations

import pytest

from hub import ops
from wire.contract import BadRequest, Conflict, Forbidden, UnknownOp, UnknownWindow

from .test_engine_calling import refused


def test_login_logout_b_post_takes_over(hall):
    r = hall.do("rater-1", "window.login", window=1, staff="1001")
    assert r["window"]["status"] == "open" and r["window"]["staff"]["post"] == "A"
    assert r["window"] == hall.engine.window_state(1)
    ev = hall.log[-1][0]
    assert (ev.kind, ev.data["action"], ev.data["session_id"]) == ("window", "login",
                                                                    "20261123-1-1")
    refused(hall, Conflict, "rater-1", "window.login", window=1, staff="2001")  # occupied
    refused(hall, Conflict, "rater-1", "window.logout", window=1, staff="2001")  # not him
    r = hall.do("rater-1", "window.logout", window=1, staff="1001")
    assert r["window"]["status"] == "closed" and r["window"] == hall.engine.window_state(1)
    r = hall.do("rater-1", "window.login", window=1, staff="2001")
    assert r["window"]["staff"] == {"number": "2001", "name": "郑华", "post": "B"}
    assert hall.log[-1][0].data["session_id"] == "20261123-1-2"
    refused(hall, Conflict, "rater-2", "window.login", window=2, staff="2001")  # elsewhere


def test_login_refusals(hall):
    refused(hall, BadRequest, "rater-1", "window.login", window=1, staff="9999")
    refused(hall, Forbidden, "rater-1", "window.login", window=1, staff="1002")  # not his post
    refused(hall, BadRequest, "rater-1", "window.login", window=1)
    refused(hall, BadRequest, "rater-1", "window.login", window=1, staff=1001)


def test_logout_with_a_ticket_in_hand_is_refused(hall):
    hall.take("A")
    hall.open(1)
    hall.next(1)
    refused(hall, Conflict, "rater-1", "window.logout", window=1, staff="1001")
    hall.win(1, "hold")
    hall.do("rater-1", "window.logout", window=1, staff="1001")


def test_pause_resume(hall):
    refused(hall, Conflict, "rater-1", "window.pause", window=1)  # closed window
    hall.open(1)
    r = hall.win(1, "pause", reason="午休")
    assert r["window"]["status"] == "paused" and r["window"]["reason"] == "午休"
    assert hall.engine.window_state(1) == r["window"]
    assert hall.engine.queue_state(hall.at)["services"]["A"]["open_windows"] == 0
    refused(hall, Conflict, "rater-1", "window.pause", window=1)
    r = hall.do("admin", "window.resume", window=1)
    assert r["window"]["status"] == "open" and r["window"]["reason"] is None
    refused(hall, Conflict, "rater-1", "window.resume", window=1)


def test_a_rater_acts_only_on_its_own_window(hall):
    hall.open(2)
    err = refused(hall, Forbidden, "rater-1", "window.call_next", window=2)
    assert err.code == "forbidden"
    refused(hall, Forbidden, "rater-1", "rating.submit", window=2, score=5)
    refused(hall, UnknownWindow, "rater-1", "window.call_next", window=99)
    refused(hall, BadRequest, "rater-1", "window.call_next", window="1")
    refused(hall, BadRequest, "rater-1", "window.call_next", window=True)


@pytest.mark.parametrize("node,op,args", [
    ("kiosk-1", "window.call_next", {"window": 1}),
    ("board-1", "ticket.take", {"service": "A"}),
    ("rater-1", "ticket.take", {"service": "A"}),
    ("rater-1", "ticket.status", {"no": "A001"}),
    ("admin", "window.call_next", {"window": 1}),
    ("kiosk-1", "rating.submit", {"window": 1, "score": 5}),
    ("kiosk-1", "appointment.book", {"code": "x", "service": "A",
                                      "slot": "2026-11-23T10:00:00+08:00"}),
])
def test_roles(hall, node, op, args):
    refused(hall, Forbidden, node, op, **args)


@pytest.mark.parametrize("op", ["ticket.fly", "", None, 3, "window", "rating.submit "])
def test_unknown_op(hall, op):
    err = refused(hall, UnknownOp, "admin", op)
    assert err.code == "bad_request"  # wire.contract: an unknown op is a bad request on the wire


@pytest.mark.parametrize("args", [None, [], "window", 3, ["window", 1]])
def test_args_must_be_an_object(hall, args):
    before = len(hall.log)
    with pytest.raises(BadRequest):
        ops.decide("window.call_next", args, hall.ctx("rater-1"), engine=hall.engine)
    assert len(hall.log) == before


def test_state_keys_name_the_retained_states_an_op_changes(hall):
    keys = hall.engine.state_keys
    assert keys(hall.events("kiosk-1", "ticket.take", service="A")) == {"queue"}
    assert keys(hall.events("rater-1", "window.login", window=1, staff="1001")) == \
        {"queue", "window/1"}
    assert keys(hall.events("rater-1", "window.call_next", window=1)) == \
        {"queue", "board", "window/1"}
    assert keys(hall.events("rater-1", "window.start", window=1)) == {"window/1"}
    assert keys(hall.events("rater-1", "window.finish", window=1)) == {"queue", "window/1"}
    assert keys(hall.events("rater-1", "rating.submit", window=1, score=5)) == set()
    hall.open(4)
    assert keys(hall.events("rater-4", "window.walk_in", window=4, service="C")) == \
        {"queue", "window/4"}
    hall.at = hall.at.replace(day=24, hour=1)
    assert keys(hall.tick()) == {"queue", "window/1", "window/4"}
