"""Ratings bind to the window's last finished ticket, once; 差评 opens a follow-up."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from hub.engine import Event
from wire.contract import BadRequest, Conflict, NoTicket

from .engine_helpers import TZ, Hall, snapshot
from .test_engine_calling import refused


def served(hall, window: int = 1, service: str = "A") -> str:
    hall.take(service)
    if hall.engine.window_state(window)["staff"] is None:
        hall.open(window)
    no = hall.next(window)
    hall.win(window, "finish")
    return no


def rate(hall, window: int = 1, **args):
    return hall.do(f"rater-{window}", "rating.submit", window=window, **args)


def test_rating_binds_to_the_last_finished_ticket(hall):
    served(hall)
    served(hall)
    hall.wait(20)
    r = rate(hall, score=4, reasons=["办事快"])["rating"]
    assert (r["no"], r["score"], r["level"], r["channel"], r["defaulted"]) == \
        ("A002", 4, "满意", "PJQ", False)
    assert r["staff"] == "1001" and r["reasons"] == ["办事快"]
    assert r["finished_at"] == "2026-11-23T10:00:00+08:00"
    assert r["rated_at"] == "2026-11-23T10:00:20+08:00"
    assert hall.kinds()[-1] == "rated"  # no follow-up for a good rating
    refused(hall, Conflict, "rater-1", "rating.submit", window=1, score=5)  # one per ticket


def test_no_finished_ticket_or_binding_time_over(hall):
    hall.open(1)
    refused(hall, NoTicket, "rater-1", "rating.submit", window=1, score=5)
    served(hall)
    hall.wait(hall.cfg.rating.bind_s + 1)
    err = refused(hall, NoTicket, "rater-1", "rating.submit", window=1, score=5)
    assert err.code == "no_ticket"


@pytest.mark.parametrize("score", [0, 6, -1, True, False, 4.0, "5", None, [5]])
def test_score_must_be_an_int_1_to_5(hall, score):
    served(hall)
    refused(hall, BadRequest, "rater-1", "rating.submit", window=1, score=score)


@pytest.mark.parametrize("reasons", ["慢", [1], [""], ["x" * 33], ["a"] * 11, {"a": 1}])
def test_bad_reasons(hall, reasons):
    served(hall)
    refused(hall, BadRequest, "rater-1", "rating.submit", window=1, score=2, reasons=reasons)


def test_bad_rating_opens_a_follow_up_due_in_working_days(cfg):
    # Friday 2026-11-27 15:00: 5 working days on is Friday 2026-12-04
    hall = Hall(cfg, datetime(2026, 11, 27, 15, 0, tzinfo=TZ))
    served(hall)
    evs = hall.events("rater-1", "rating.submit", window=1, score=2, reasons=["等太久"])
    assert [e.kind for e in evs] == ["rated", "follow_up", "alert"]
    assert evs[1].data["action"] == "opened" and evs[1].data["due"] == "2026-12-04"
    assert evs[2].data["kind"] == "bad_rating"
    assert hall.engine.state.follow_ups["20261127-A001"].due == date(2026, 12, 4)


def test_follow_up_deadline_skips_holidays(cfg):
    hours = dataclasses.replace(cfg.hours, holidays=(date(2026, 11, 30), date(2026, 12, 1)))
    hall = Hall(dataclasses.replace(cfg, hours=hours), datetime(2026, 11, 27, 15, 0, tzinfo=TZ))
    served(hall)
    evs = hall.events("rater-1", "rating.submit", window=1, score=1)
    assert evs[1].data["due"] == "2026-12-08"


def test_overdue_follow_up_alerts_once_and_closing_it(hall):
    served(hall)
    rate(hall, score=1)
    hall.at = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)  # due 2026-11-30
    evs = [e for e in hall.tick() if e.kind == "alert"]
    assert [e.data["kind"] for e in evs] == ["follow_up_overdue"]
    assert [e for e in hall.tick() if e.kind == "alert"] == []
    # hub.followups closes a case with the engine's own event: no more overdue alerts
    hall.engine.apply(Event("follow_up", {"ticket_id": "20261123-A001", "action": "closed",
                                          "result": "已整改", "due": "2026-11-30",
                                          "by": "admin", "late": True}), hall.at)
    assert hall.engine.state.follow_ups == {}
    # events of other modules leave the queue alone
    before = snapshot(hall.engine)
    hall.engine.apply(Event("follow_up_step", {"ticket_id": "20261123-A001"}), hall.at)
    assert snapshot(hall.engine) == before

def test_defaulted_rating_where_the_hall_counts_one(cfg):
    rules = dataclasses.replace(cfg.rating, default_unrated_days=7)
    hall = Hall(dataclasses.replace(cfg, rating=rules))
    served(hall)
    served(hall)
    rate(hall, score=5)  # A002 rated by a press; A001 never
    hall.wait(days=7)
    evs = [e for e in hall.tick() if e.kind == "rated"]
    assert [(e.data["no"], e.data["score"], e.data["defaulted"]) for e in evs] == \
        [("A001", 3, True)]
    assert [e for e in hall.tick() if e.kind == "rated"] == []
