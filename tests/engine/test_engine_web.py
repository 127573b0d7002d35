"""hall-web's ops: the ticket page's token, lookup, cancel and QR rating; the manager's pause,
resume, move, notice and alert acknowledgement, each recorded with the manager's name."""

from __future__ import annotations

import pytest

from hub.engine import QueueEngine
from hub.engine.tokens import is_token, ticket_token, token_key
from hub.ops import OPS
from wire.contract import BadRequest, Conflict, Forbidden, NoTicket

from .engine_helpers import KEY, Hall, snapshot
from .test_engine_calling import refused


def take(hall, service="A") -> dict:
    return hall.do("kiosk-1", "ticket.take", service=service)["ticket"]


def lookup(hall, token) -> dict:
    return hall.do("web", "ticket.lookup", token=token)["ticket"]


def test_every_web_op_has_a_handler():
    for op in ("ticket.lookup", "ticket.cancel", "ticket.rate", "manage.pause",
               "manage.resume", "manage.move", "manage.notice", "manage.ack"):
        assert OPS[op].roles == ("web",)


def test_take_carries_an_unguessable_token(hall):
    t = take(hall)
    assert is_token(t["token"]) and len(t["token"]) == 22
    # an HMAC of the ticket id under the hall's own secret, not the id-hash key itself
    assert t["token"] == ticket_token(token_key(KEY), t["ticket_id"])
    assert t["token"] != ticket_token(KEY, t["ticket_id"])
    other = QueueEngine(hall.cfg, b"another-hall-key-0123456789abcdef").state.tokens
    assert other.token(t["ticket_id"]) != t["token"]
    # no number or ticket id leads to it: status answers without it, the admin's take too
    status = hall.do("kiosk-1", "ticket.status", no=t["no"])["ticket"]
    assert "token" not in status
    assert "token" not in hall.do("admin", "ticket.take", service="A")["ticket"]


def test_lookup_shows_the_ticket_and_nothing_personal(hall):
    take(hall)
    t = take(hall)
    view = lookup(hall, t["token"])
    assert (view["no"], view["service_name"], view["status"]) == ("A002", "企业开办", "waiting")
    assert view["waiting_ahead"] == 1 and view["est_wait_s"] > 0
    assert [w["window"] for w in view["windows"]] == [1, 2, 12]
    assert view["can_cancel"] and not view["can_rate"]
    assert not {"token", "phone", "id_masked", "staff"} & set(view)


@pytest.mark.parametrize("token", ["", "A001", "20261123-A001", "x" * 22, "x" * 200,
                                   "../../../etc/passwd", "A" * 21 + "!"])
def test_a_token_not_from_a_ticket_shows_nothing(hall, token):
    take(hall)
    if token and len(token) <= 64:
        refused(hall, NoTicket, "web", "ticket.lookup", token=token)
    else:
        refused(hall, BadRequest, "web", "ticket.lookup", token=token)


def test_only_the_web_node_looks_up(hall):
    t = take(hall)
    refused(hall, Forbidden, "kiosk-1", "ticket.lookup", token=t["token"])
    refused(hall, Forbidden, "rater-1", "ticket.cancel", token=t["token"])


def test_the_page_follows_the_ticket(hall):
    t = take(hall)
    hall.open(1)
    assert hall.next(1) == t["no"]
    view = lookup(hall, t["token"])
    assert (view["status"], view["window"], view["window_name"]) == ("called", 1, "1号窗口")
    assert view["waiting_ahead"] is None and not view["can_cancel"]
    hall.win(1, "finish")
    view = lookup(hall, t["token"])
    assert view["status"] == "finished" and view["can_rate"]


def test_cancel_leaves_the_queue_and_keeps_the_number(hall):
    first, second = take(hall), take(hall)
    r = hall.do("web", "ticket.cancel", token=first["token"], reason="left")["ticket"]
    assert r["status"] == "cancelled"
    ev = hall.log[-1][0]
    assert ev.kind == "cancelled" and ev.data["by"] == "web" and ev.data["reason"] == "left"
    assert lookup(hall, second["token"])["waiting_ahead"] == 0
    assert lookup(hall, first["token"])["status"] == "cancelled"
    assert take(hall)["no"] == "A003"  # the cancelled number is not given again
    hall.open(1)
    assert hall.next(1) == "A002"
    refused(hall, Conflict, "web", "ticket.cancel", token=first["token"])
    refused(hall, Conflict, "web", "ticket.cancel", token=second["token"])  # called
    refused(hall, BadRequest, "web", "ticket.cancel", token=second["token"], reason="x")


def test_one_rating_per_ticket_across_pad_and_qr(hall):
    t = take(hall)
    hall.open(1)
    hall.next(1)
    refused(hall, Conflict, "web", "ticket.rate", token=t["token"], score=5)  # not finished
    hall.win(1, "finish")
    r = hall.do("web", "ticket.rate", token=t["token"], score=2, reasons=["态度差"])["rating"]
    assert (r["no"], r["channel"], r["score"], r["window"]) == (t["no"], "EWM", 2, 1)
    assert [ev.kind for ev, _ in hall.log[-3:]] == ["rated", "follow_up", "alert"]
    refused(hall, Conflict, "web", "ticket.rate", token=t["token"], score=5)
    refused(hall, Conflict, "rater-1", "rating.submit", window=1, score=5)
    assert not lookup(hall, t["token"])["can_rate"]


def test_a_pad_rating_first_refuses_the_qr_one(hall):
    t = take(hall)
    hall.open(1)
    hall.next(1)
    hall.win(1, "finish")
    hall.do("rater-1", "rating.submit", window=1, score=5)
    refused(hall, Conflict, "web", "ticket.rate", token=t["token"], score=1)
    refused(hall, BadRequest, "web", "ticket.rate", token=t["token"], score=9)


def test_manager_pause_and_resume_carry_the_name(hall):
    hall.open(1)
    w = hall.do("web", "manage.pause", window=1, reason="午休", by="王主任")["window"]
    assert w["status"] == "paused"
    ev = hall.log[-1][0]
    assert (ev.kind, ev.data["action"], ev.data["by"]) == ("window", "pause", "王主任")
    assert hall.engine.window_state(1)["status"] == "paused"
    hall.do("web", "manage.resume", window=1, by="王主任")
    assert hall.engine.window_state(1)["status"] == "open"
    refused(hall, BadRequest, "web", "manage.pause", window=1)  # no name
    refused(hall, Conflict, "web", "manage.resume", window=1, by="王主任")


def test_manager_moves_a_waiting_ticket(hall):
    t = take(hall)
    hall.do("web", "manage.move", no=t["no"], service="B", by="王主任")
    ev = hall.log[-1][0]
    assert (ev.kind, ev.data["service"], ev.data["by"]) == ("moved", "B", "王主任")
    view = lookup(hall, t["token"])
    assert view["service_name"] == "工程建设项目" and view["status"] == "waiting"
    hall.do("web", "manage.move", no=t["no"], to_window=3, by="王主任")
    assert [w["window"] for w in lookup(hall, t["token"])["windows"]] == [3]
    hall.open(2)
    assert hall.next(2) is None  # only window 3 may call it now
    refused(hall, Conflict, "web", "manage.move", no=t["no"], to_window=1, by="王主任")
    refused(hall, BadRequest, "web", "manage.move", no=t["no"], by="王主任")
    refused(hall, NoTicket, "web", "manage.move", no="A999", service="C", by="王主任")


def test_notice_reaches_the_board_state(hall):
    assert hall.engine.board_state()["notice"] is None
    hall.do("web", "manage.notice", text="  今日下午  系统升级 ", by="王主任")
    assert hall.engine.board_state()["notice"] == "今日下午 系统升级"
    assert hall.engine.state_keys([hall.log[-1][0]]) == {"board"}
    refused(hall, BadRequest, "web", "manage.notice", text="长" * 201, by="王主任")
    refused(hall, BadRequest, "web", "manage.notice", text=5, by="王主任")
    hall.do("web", "manage.notice", text="", by="王主任")
    assert hall.engine.board_state()["notice"] is None


def test_ack_records_who_saw_the_alert(hall):
    hall.do("web", "manage.ack", alert_seq=42, by="王主任")
    ev = hall.log[-1][0]
    assert (ev.kind, ev.data["alert_seq"], ev.data["by"]) == ("alert_ack", 42, "王主任")
    assert "seq" not in ev.data  # the published envelope's own number
    refused(hall, BadRequest, "web", "manage.ack", alert_seq=0, by="王主任")
    refused(hall, BadRequest, "web", "manage.ack", seq=42, by="王主任")


def test_replay_rebuilds_cancel_move_and_notice(hall):
    a, b = take(hall), take(hall)
    hall.do("web", "ticket.cancel", token=a["token"])
    hall.do("web", "manage.move", no=b["no"], service="C", by="王主任")
    hall.do("web", "manage.notice", text="停车场维修", by="王主任")
    again = Hall(hall.cfg)
    for ev, at in hall.log:
        again.engine.apply(ev, at)
    assert snapshot(again.engine) == snapshot(hall.engine)


def test_the_manager_closes_the_day_early(hall):
    first, second, third = take(hall), take(hall), take(hall)
    hall.open(1)
    assert hall.next(1) == first["no"]
    hall.win(1, "hold")
    assert hall.next(1) == second["no"]         # called, in hand: left to be finished
    r = hall.do("web", "manage.close_day", by="王主任")["day_closed"]
    assert "_carry" not in r and r["by"] == "王主任"
    assert [(c["no"], c["reason"]) for c in r["closed"]] == [
        (first["no"], "day_end_held"), (third["no"], "day_end_waiting")]
    # a closed day's closed tickets leave memory, as at the hub's own close: pages show nothing
    refused(hall, NoTicket, "web", "ticket.lookup", token=third["token"])
    assert lookup(hall, second["token"])["status"] == "called"
    assert hall.engine.window_state(1)["status"] == "open"
    refused(hall, Conflict, "web", "manage.close_day", by="王主任")  # nothing left to close
    refused(hall, BadRequest, "web", "manage.close_day")             # who closes it
    later = take(hall)
    hall.win(1, "finish")
    # a replay from the close (the hub's restart) ends where the full one does
    log = hall.log
    start = max(i for i, (ev, _) in enumerate(log) if ev.kind == "day_closed")
    full, from_close = Hall(hall.cfg), Hall(hall.cfg)
    for ev, at in log:
        full.engine.apply(ev, at)
    for ev, at in log[start:]:
        from_close.engine.apply(ev, at)
    assert snapshot(from_close.engine)["tickets"] == snapshot(full.engine)["tickets"]
    assert lookup(hall, later["token"])["status"] == "waiting"
