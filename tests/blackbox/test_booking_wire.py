"""网上预约 through the wire, from outside (docs/booking.md): a raw kiosk checks a booking in, a
scalper script is stopped by the ID check and the limits, clients racing for a slot's last
place get it once, and confirmed bookings survive the hub's restart."""

from __future__ import annotations

import json
import random

from .booking_parts import TODAY, TUE, booking_args, events_topic, random_id, valid_id
from .outside import stop_process, wait_for

WIDE_PACE = "\n[limits.book]\nburst = 5000\nper_minute = 60000\n"


def _error(reply: dict) -> str | None:
    return None if reply["ok"] else reply["error"]["code"]


def test_a_raw_kiosk_checks_in_a_booking_and_the_phone_page_becomes_the_ticket(hall):
    web = hall.node("web")
    kiosk = hall.node("kiosk-1")
    watcher = hall.node("board-1", events_topic())
    made = web.request("booking.make", booking_args("A", TODAY, "10:30", valid_id(1),
                                                    "13800000001"))
    assert made["ok"], made
    code, token = made["result"]["code"], made["result"]["token"]
    assert len(code) == 8 and made["result"]["materials"]
    checked = kiosk.request("booking.checkin", {"code": code})
    assert checked["ok"], checked
    result = checked["result"]
    assert result["booking"]["state"] == "early"  # 10:00 for 10:30: called from its slot
    assert result["ticket"]["no"] == "A001" and result["ticket"]["mark"] == "预约"
    shown = web.request("booking.show", {"code": code, "token": token})["result"]
    assert shown["state"] == "checked_in"
    assert shown["ticket"] == {"number": "A001", "token": result["ticket"]["token"],
                               "late": False}
    again = kiosk.request("booking.checkin", {"code": code})
    assert _error(again) == "not_found"
    wait_for(lambda: watcher.events_of("booking_checked_in"), 10, "booking_checked_in")
    said = json.dumps(watcher.events, ensure_ascii=False)
    assert code not in said and token not in said and "13800000001" not in said
    kinds = [r["kind"] for r in hall.db_rows("SELECT kind FROM events ORDER BY seq")]
    assert kinds.count("booking_made") == 1 and kinds.count("booking_checked_in") == 1


def test_a_scalper_script_is_stopped_by_the_id_check_and_the_limits(make_hall):
    # the web node's own pace (class ``book``) widened: what stops the script here is the
    # hub's booking rules, not the per-node bucket that would stop every citizen with it
    hall = make_hall(lambda text: text + WIDE_PACE)
    hall.start_hub()
    web = hall.node("web")
    rng = random.Random(26)
    slots = web.request("booking.slots", {"service": "D", "from": TUE, "days": 1})["result"]
    starts = [s["start"] for s in slots["days"][0]["slots"]]
    got: dict[str, int] = {}
    # 1. made-up ID numbers, a new phone each time: the check digit and birth date stop them
    for i in range(150):
        r = web.request("booking.make", booking_args("D", TUE, starts[i % len(starts)],
                                                     random_id(rng), f"150{i:08d}"))
        got[_error(r) or "ok"] = got.get(_error(r) or "ok", 0) + 1
    assert got.get("ok", 0) <= 2 and got["bad_id"] >= 148, got
    booked = got.get("ok", 0)
    # 2. valid-looking IDs (the scalper computes the check digit) through one phone
    for i in range(20):
        r = web.request("booking.make", booking_args("D", TUE, starts[i % len(starts)],
                                                     valid_id(100 + i), "15999999999"))
        booked += r["ok"]
        if not r["ok"]:
            assert _error(r) == "rate_limited" and "手机号" in r["error"]["message"]
    assert booked <= 2 + 3
    # 3. one ID number with many phones: one a day, three open bookings in all
    ok = 0
    for i, day in enumerate(["2026-11-24", "2026-11-24", "2026-11-25", "2026-11-26",
                             "2026-11-27", "2026-11-30"]):
        r = web.request("booking.make", booking_args("D", day, "09:00", valid_id(7),
                                                     f"158{i:08d}"))
        ok += r["ok"]
        if not r["ok"]:
            assert _error(r) in ("already_booked", "rate_limited"), r
    assert ok == 3


def test_clients_racing_for_the_last_place_get_it_once(hall):
    web = hall.node("web")
    opened = web.request("booking.open_slots", {"service": "A", "day": TUE, "start": "16:30",
                                                "end": "17:00", "capacity": 1,
                                                "by": "值班主任"})
    assert opened["ok"], opened
    racers = [hall.node("web", f"hall/demo/event/x{i}") for i in range(3)] + \
        [hall.node("kiosk-1", f"hall/demo/event/y{i}") for i in range(3)]
    sent = []
    for i in range(30):  # all published before any answer is read
        node = racers[i % len(racers)]
        sent.append((node, node.send("booking.make", booking_args(
            "A", TUE, "16:30", valid_id(300 + i), f"186{i:08d}"))))
    codes = [_error(node.reply(rid, 20)) or "ok" for node, rid in sent]
    assert codes.count("ok") == 1 and codes.count("slot_full") == 29, codes
    rows = hall.db_rows("SELECT count(*) AS n FROM events WHERE kind = 'booking_made'")
    assert rows[0]["n"] == 1


def test_confirmed_bookings_survive_the_hubs_restart(hall):
    web = hall.node("web")
    made = web.request("booking.make", booking_args("C", TUE, "14:00", valid_id(9),
                                                    "13700000009"))["result"]
    stop_process(hall.hubs[-1])
    hall.start_hub()
    shown = web.request("booking.show", {"code": made["code"], "token": made["token"]})
    assert shown["ok"] and shown["result"]["state"] == "booked", shown


def test_no_shows_at_the_tick_block_booking_and_a_late_arrival_walks_in(hall):
    """Three bookings of one person not checked in by slot start + 15 min become
    booking_no_show at the hub's tick (the hub restarted at 11:50, its log kept); the 爽约 rule
    then refuses a new booking and says until when; the late citizen still gets an ordinary
    ticket at the kiosk."""
    web = hall.node("web")
    person = valid_id(42)
    codes = []
    for service, start in (("A", "10:30"), ("C", "11:00"), ("D", "11:30")):
        r = web.request("booking.make", booking_args(service, TODAY, start, person,
                                                     "13600000042"))
        assert r["ok"], r
        codes.append(r["result"]["code"])
    stop_process(hall.hubs[-1])
    hall.start_hub(clock="2026-11-23T11:50:00+08:00", log_name="hub-later")
    wait_for(lambda: len(hall.db_rows("SELECT seq FROM events WHERE kind = "
                                      "'booking_no_show'")) == 3, 10, "the three no-shows")
    later = web.request("booking.make", booking_args("A", "2026-11-25", "09:00", person,
                                                     "13600000042"))
    assert _error(later) == "blocked" and later["error"]["until"] == "2026-12-23", later
    assert "2026-12-23" in later["error"]["message"]
    kiosk = hall.node("kiosk-1")
    late = kiosk.request("booking.checkin", {"code": codes[2]})
    assert late["ok"] and late["result"]["booking"]["state"] == "late_walk_in", late
    assert late["result"]["ticket"]["appointment"] is False
