"""A busy day's close-out lands in the county, as deployed: 1,000 open tickets closed by the
manager, through the site's generated bridge into PostgreSQL; then hall-county report county and
hall-county restore read it (issue 23 item 1)."""

from __future__ import annotations

from .county_parts import bridge_site, wait_landed, with_county_node
from .outside import HALL

# the example hall's caps at 10:00 (C is capped per slot): 1,000 tickets in one morning
MORNING = {"A": 200, "B": 120, "C": 120, "D": 300, "E": 200, "F": 60}
# one raw client stands in for a morning of kiosks: lift the per-kiosk rate limit (22.2)
MANY_KIOSKS = "\n[limits.kiosk]\nburst = 100000\nper_minute = 1000000\n"


def test_a_close_out_of_1000_open_tickets_lands_and_reports_and_restores(county, make_hall):
    hall = make_hall(lambda text: with_county_node(text) + MANY_KIOSKS)
    bridge_site(county, hall, HALL)
    hall.start_hub()
    county.start_collector()
    county.wait_subscribed()
    kiosk = hall.node("kiosk-1")
    for service, n in MORNING.items():  # 100 requests in flight at a time, as many kiosks
        for first in range(0, n, 100):
            rids = [kiosk.send("ticket.take", {"service": service}, ttl_ms=30000)
                    for _ in range(min(100, n - first))]
            assert all(kiosk.reply(rid, timeout=30)["ok"] for rid in rids)
    web = hall.node("web", f"hall/{HALL}/event/day_closed")
    reply = web.request("manage.close_day", {"by": "王主任"}, timeout=20)
    assert reply["ok"], reply
    assert reply["result"]["day_closed"]["counts"]["day_end_waiting"] == 1000
    # the site logs on after it (what used to make the report and the restore fail)
    assert kiosk.request("ticket.take", {"service": "H"})["ok"]
    (last,) = [r["seq"] for r in hall.db_rows("SELECT max(seq) AS seq FROM events")]
    wait_landed(county, HALL, last, timeout=60)
    parts = county.rows("SELECT data FROM events WHERE site = %s AND kind = 'day_closed' "
                        "ORDER BY seq", HALL)
    assert len(parts) > 1
    assert sum(len(d["closed"]) for (d,) in parts) == 1000
    assert [(d["part"], d["parts"]) for (d,) in parts] == [
        (n, len(parts)) for n in range(1, len(parts) + 1)]
    assert county.rows("SELECT behind, malformed FROM sites WHERE site = %s", HALL) == [(0, 0)]
    # the county's report of the day and a restored hall.db read the parts
    report = county.run("hall-county", "report", "county", "--db", county.db, "--config",
                        str(hall.config), "--month", "2026-11")
    assert report.returncode == 0, report.stderr
    restored = hall.workdir / "restored.db"
    done = county.run("hall-county", "restore", "--from", county.db, "--site", HALL, "--config",
                      str(hall.config), "--db", str(restored))
    assert done.returncode == 0, done.stderr
    rows = hall.db_rows("SELECT status, closed_reason, count(*) AS n FROM tickets "
                        "GROUP BY 1, 2", db=restored)
    assert rows == [{"status": "closed", "closed_reason": "day_end_waiting", "n": 1000},
                    {"status": "waiting", "closed_reason": None, "n": 1}]
    assert len(hall.db_rows("SELECT seq FROM events", db=restored)) == last
