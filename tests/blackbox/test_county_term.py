"""Fencing at the county, as deployed (issue 27 item 3): events forged over a site's bridge user
with a lease term lower than one the county has seen of that site's epoch are refused (never
in PostgreSQL, counted as deposed, an ALERT in hall-county's log); the failover event is shown
by ``hall-county status``."""

from __future__ import annotations

from .county_parts import SiteUser, hub_epoch, start_landed, with_county_node
from .outside import HALL, wait_for


def test_a_deposed_hub_s_events_are_refused_and_the_failover_is_shown(county, make_hall):
    hall = make_hall(with_county_node)
    last, epoch = start_landed(county, hall), hub_epoch(hall)
    at = "2026-11-23T10:05:00+08:00"
    forger = SiteUser(county, HALL)  # the bridge's own user, as a deposed hub's bridge has
    forger.publish(f"hall/{HALL}/event/failover", {
        "seq": last + 1, "at": at, "epoch": epoch, "term": 9, "machine": "hub-b",
        "copy_seq": last})
    for term in (8, 1):
        forger.publish(f"hall/{HALL}/event/issued", {
            "seq": last + 2, "at": at, "epoch": epoch, "term": term,
            "ticket_id": f"20261123-A9{term}", "no": f"A9{term}", "service": "A"})
    forger.publish(f"hall/{HALL}/event/issued", {
        "seq": last + 3, "at": at, "epoch": epoch, "term": 9, "ticket_id": "20261123-A990",
        "no": "A990", "service": "A"})

    def stored() -> list:
        return county.rows("SELECT seq, data->>'term' FROM events WHERE site = %s AND seq > %s "
                           "ORDER BY seq", HALL, last)
    wait_for(lambda: len(stored()) == 2, 20, "the term-9 events to land")
    wait_for(lambda: county.rows("SELECT deposed FROM sites WHERE site = %s", HALL) == [(2,)],
             20, "both lower-term events to be counted as refused")
    assert stored() == [(last + 1, "9"), (last + 3, "9")]
    assert county.rows("SELECT count(*) FROM events WHERE site = %s AND data->>'no' LIKE 'A9_'",
                       HALL) == [(0,)]
    assert county.rows("SELECT term FROM site_epochs WHERE site = %s AND epoch = %s", HALL,
                       epoch) == [(9,)]
    log = county.collector_log.read_text()
    assert f"ALERT site {HALL}: an event of term 8" in log, log[-2000:]
    status = county.run("hall-county", "status", "--db", county.db)
    assert f"failover {HALL}: hub-b serves under term 9 since {at} (seq {last + 1})" in (
        status.stdout), status
    forger.close()
