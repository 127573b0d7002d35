"""The capacity check: no ticket the day cannot serve ([queue] capacity = refuse | warn); the
green channel and appointments are never refused; estimates follow today's measured times."""

from __future__ import annotations

import pytest

from wire.contract import Full

from .engine_helpers import Hall, snapshot, with_queue


def late_hall(cfg, capacity="refuse"):
    hall = Hall(with_queue(cfg, capacity=capacity))
    hall.at = hall.at.replace(hour=16, minute=30)   # 1800 s of opening time left
    hall.open(9)
    for _ in range(4):                               # the 4th starts just in time: 3 × 600 s
        hall.take("F")
    return hall


def test_a_ticket_the_day_cannot_serve_is_refused_and_nothing_changes(cfg):
    hall = late_hall(cfg)
    before, n = snapshot(hall.engine), len(hall.log)
    with pytest.raises(Full) as err:
        hall.take("F")
    assert err.value.code == "full"
    assert err.value.message.startswith("今日该事项已约满，预计无法在下班前办理")
    assert "可预约11月24日 09:00起办理" in err.value.message
    assert snapshot(hall.engine) == before and len(hall.log) == n
    # green channel: never refused
    assert hall.take("F", priority="elderly").startswith("F")


def test_more_windows_serving_it_make_room(cfg):
    hall = late_hall(cfg)
    hall.open(8)
    hall.do("admin", "window.assign", window=8, services=["F"], by="张主任")
    assert hall.take("F") == "F005"


def test_an_appointment_check_in_is_never_refused(cfg):
    hall = late_hall(cfg)
    hall.do("admin", "appointment.book", code="YY1", service="F",
            slot="2026-11-23T16:30:00+08:00")
    t = hall.do("kiosk-1", "ticket.take", appointment="YY1")["ticket"]
    assert t["service"] == "F" and t["appointment"] is True


def test_warn_only_issues_the_ticket_with_a_warning(cfg):
    hall = late_hall(cfg, capacity="warn")
    t = hall.do("kiosk-1", "ticket.take", service="F")["ticket"]
    assert t["no"] == "F005" and t["warning"] == ("今日该事项已约满，预计无法在下班前办理；"
                                                  "可预约11月24日 09:00起办理")
    assert hall.log[-1][0].data["full"] is True


def test_off_issues_as_before(cfg):
    hall = late_hall(cfg, capacity="off")
    t = hall.do("kiosk-1", "ticket.take", service="F")["ticket"]
    assert "warning" not in t and t["est_wait_s"] == 2400


def test_estimates_use_todays_measured_time_per_ticket(cfg):
    hall = Hall(cfg)
    hall.open(9)
    for _ in range(4):
        hall.take("F")
    for _ in range(3):                              # three tickets of 120 s at the window
        hall.next(9)
        hall.wait(120)
        hall.win(9, "finish")
    assert hall.log[-1][0].data["window_s"] == 120
    assert hall.engine.state.times["F"].mean_s == 120
    t = hall.do("kiosk-1", "ticket.take", service="F")["ticket"]
    assert t["waiting_ahead"] == 1 and t["est_wait_s"] == 120
    assert hall.log[-1][0].data["est_wait_s"] == 120   # the promise is kept in the log
    hall.at = hall.at.replace(hour=17, minute=1)
    hall.tick()                                      # a new day starts from the long-run mean
    assert hall.engine.state.times["F"].today_n == 0
