"""A confirmed booking survives the loss of the hall's disk: its events reach the county through
the site's bridge, `hall-county restore` rebuilds hall.db from the county's (public) copy, and a
hub on it still opens the booking by its token and checks it in by its code (docs/booking.md)."""

from __future__ import annotations

from .booking_parts import TODAY, booking_args, valid_id
from .county_parts import bridge_site, wait_landed, with_county_node
from .outside import HALL, stop_process


def test_a_booking_is_honoured_by_a_hub_restored_from_the_county(county, make_hall):
    hall = make_hall(lambda text: with_county_node(text))
    bridge_site(county, hall, HALL)
    hall.start_hub()
    county.start_collector()
    county.wait_subscribed()
    web = hall.node("web")
    made = web.request("booking.make", booking_args("A", TODAY, "10:30", valid_id(5),
                                                    "13500000005"))
    assert made["ok"], made
    code, token = made["result"]["code"], made["result"]["token"]
    (last,) = [r["seq"] for r in hall.db_rows("SELECT max(seq) AS seq FROM events")]
    wait_landed(county, HALL, last, timeout=60)
    stop_process(hall.hubs[-1])  # the hall's disk is lost
    restored = hall.workdir / "restored.db"
    done = county.run("hall-county", "restore", "--from", county.db, "--site", HALL, "--config",
                      str(hall.config), "--db", str(restored))
    assert done.returncode == 0, done.stderr
    hall.start_hub(restored, log_name="hub-restored")
    shown = web.request("booking.show", {"code": code, "token": token})
    assert shown["ok"] and shown["result"]["state"] == "booked", shown
    slots = web.request("booking.slots", {"service": "A", "from": TODAY, "days": 1})["result"]
    assert next(s for s in slots["days"][0]["slots"] if s["start"] == "10:30")["booked"] == 1
    checked = hall.node("kiosk-1").request("booking.checkin", {"code": code})
    assert checked["ok"] and checked["result"]["booking"]["state"] == "early", checked
