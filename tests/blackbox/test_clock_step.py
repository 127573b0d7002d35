"""The hall's clock steps (issue 22 item 5): the real hub on the system clock (no --clock),
stepped by libfaketime while it runs."""

import json

from .outside import HALL, wait_for
from .time_parts import FakeClock, on_wire, watch

MONDAY_10_UTC = "2026-11-23 02:00:00"  # Monday 10:00 in the hall (Asia/Shanghai)
SUNDAY_23_UTC = "2026-11-22 15:00:00"  # the evening before
MONDAY_1005_UTC = "2026-11-23 02:05:00"
STEPS, ALERTS = f"hall/{HALL}/event/clock_step", f"hall/{HALL}/event/alert"


def test_a_step_back_over_midnight_closes_nothing_and_is_recorded(make_hall):
    hall = make_hall()
    clock = FakeClock(hall.workdir, MONDAY_10_UTC)
    hub = hall.start_hub(clock=None, env=clock.env())
    watcher = hall.node("admin-1", f"hall/{HALL}/event/#")
    kiosk = hall.node("kiosk-1")
    taken = [kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"]
             for _ in range(2)]
    assert taken == ["A001", "A002"]

    clock.set(SUNDAY_23_UTC)  # a person sets the date by hand: 11 hours back, over midnight
    (step,) = wait_for(lambda: on_wire(watcher, STEPS), what="a clock_step event")
    assert step["step_s"] < -39000 and step["from"].startswith("2026-11-23T10:0"), step
    assert step["to"].startswith(("2026-11-22T22:59", "2026-11-22T23:0")), step
    (alert,) = wait_for(lambda: [a for a in on_wire(watcher, ALERTS) if a["kind"] == "clock_step"],
                        what="the clock_step alert")
    assert alert["step_s"] == step["step_s"] and alert["seq"] == step["seq"] + 1, alert

    def nothing_closed():
        assert watcher.events_of("day_closed") == []
        waiting = hall.db_rows("SELECT no, status FROM tickets ORDER BY no")
        assert waiting == [{"no": "A001", "status": "waiting"},
                           {"no": "A002", "status": "waiting"}], waiting
    watch(2.5, nothing_closed)  # several of the hub's once-a-second ticks at Sunday 23:00

    rater = hall.node("rater-1")  # still callable at "Sunday 23:00"
    assert rater.request("window.login", {"window": 1, "staff": "1001"})["ok"] is True
    called = rater.request("window.call_next", {"window": 1})
    assert called["ok"] is True and called["result"]["ticket"]["no"] == "A001", called
    assert rater.request("window.finish", {"window": 1})["ok"] is True

    clock.set(MONDAY_1005_UTC)  # NTP puts it right again
    wait_for(lambda: len(on_wire(watcher, STEPS)) == 2, what="the step forward")
    # "Sunday's" session ends with its day; no ticket is closed, A002 is called next
    closed = wait_for(lambda: watcher.events_of("day_closed"), what="Sunday's session closed")
    assert [c["closed"] for c in closed] == [[]], closed
    assert rater.request("window.login", {"window": 1, "staff": "1001"})["ok"] is True
    called = rater.request("window.call_next", {"window": 1})
    assert called["ok"] is True and called["result"]["ticket"]["no"] == "A002", called

    stored = [json.loads(r["data"]) for r in hall.db_rows(
        "SELECT data FROM events WHERE kind = 'clock_step' ORDER BY seq")]
    assert len(stored) == 2 and stored[0]["step_s"] < 0 < stored[1]["step_s"], stored
    tickets = hall.db_rows("SELECT no, status FROM tickets ORDER BY no")
    assert tickets == [{"no": "A001", "status": "finished"}, {"no": "A002", "status": "called"}]
    assert hub.poll() is None
    assert "the system clock stepped by -39" in hub.log_path.read_text()
