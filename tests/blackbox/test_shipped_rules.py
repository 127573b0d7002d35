"""The example hall as shipped runs the assignment rules a hall should use (docs/assignment.md
"The example hall as shipped"): a multi-service window calls the worst-off queue first, and a
ticket the day may not reach is still issued, saying so and naming the next working day."""

from __future__ import annotations

import json

from .outside import HALL


def test_the_shipped_hall_calls_the_worst_off_queue_first(hall):
    kiosk = hall.node("kiosk-1")
    # one 企业开办 citizen, then four for 公安户籍: by preference window 12 would call A first
    taken = [kiosk.request("ticket.take", {"service": s}) for s in "AFFFF"]
    assert all(r["ok"] for r in taken), taken
    rater = hall.node("rater-12", f"hall/{HALL}/event/called")
    login = rater.request("window.login", {"window": 12, "staff": "1012"})
    assert login["ok"], login
    called = rater.request("window.call_next", {"window": 12})
    assert called["ok"], called
    assert called["result"]["ticket"]["no"] == "F001"


def test_a_ticket_the_day_may_not_reach_is_issued_with_a_later_day(hall):
    kiosk = hall.node("kiosk-1")
    # Monday 10:00: 6 h of opening left; 公安户籍 takes 600 s a ticket at one window
    replies = [kiosk.request("ticket.take", {"service": "F"}) for _ in range(40)]
    assert all(r["ok"] for r in replies), [r for r in replies if not r["ok"]][:1]
    tickets = [r["result"]["ticket"] for r in replies]
    warned = [t for t in tickets if "warning" in t]
    assert tickets[0].get("warning") is None and tickets[-1] in warned
    assert len(tickets) - len(warned) >= 30   # the day reaches the first 30 at least
    for t in warned:
        assert t["warning"].startswith("今日该事项已约满，预计无法在下班前办理")
        assert "可预约11月24日 09:00起办理" in t["warning"]
    rows = hall.db_rows("SELECT data FROM events WHERE kind = 'issued' ORDER BY seq")
    full = [json.loads(r["data"]).get("full", False) for r in rows]
    assert full == ["warning" in t for t in tickets]
