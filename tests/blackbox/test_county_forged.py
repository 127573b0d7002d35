"""What a site user can send the county, as deployed: forged answers and events from a raw paho
client with a site's generated credentials never stall another site, never move a site's
epoch without its hub, and never take another site's bridge off (issue 23 items 2 and 3)."""

from __future__ import annotations

import pytest

from .county_parts import (
    SiteUser,
    hub_epoch,
    last_seq,
    start_landed,
    wait_landed,
    with_county_node,
)
from .outside import HALL, wait_for

FORGED_EPOCH = "0123456789abcdef"


@pytest.fixture
def site(county, make_hall):
    """The demo hall bridged to the county, its hub serving, hall-county landing."""
    hall = make_hall(with_county_node)
    start_landed(county, hall)
    return hall


def take(hall) -> None:
    assert hall.node("kiosk-1").request("ticket.take", {"service": "A"})["ok"]


def answer(last: int, rid: str = "forged", epoch: str = FORGED_EPOCH, events=()) -> dict:
    return {"id": rid, "ok": True, "result": {"epoch": epoch, "last_seq": last,
                                              "restored_from": None, "events": list(events)}}


def test_forged_answers_from_one_site_never_stall_another(county, site):
    town2 = SiteUser(county, "town2")
    for last in (10**20, 2**60, 2**52):
        town2.publish("hall/town2/resp/county", answer(last))
    town2.publish("hall/town2/event/issued", {"seq": 2**52, "at": "2026-11-23T10:00:00+08:00",
                                              "epoch": FORGED_EPOCH, "ticket_id": "x"})
    for _ in range(3):  # demo's events keep landing, each once
        take(site)
        wait_landed(county, HALL, last_seq(site), timeout=15)
    assert county.collector.poll() is None
    # town2's lag is what its site could have: no 1e20, no 1.15e18, nothing retried for ever
    (row,) = county.rows("SELECT behind, malformed FROM sites WHERE site = 'town2'")
    assert row[0] < 10**6, row
    assert row[1] >= 2  # the two answers that cannot be true, each counted once
    status = county.run("hall-county", "status", "--db", county.db)
    assert "town2" in status.stdout and "demo" in status.stdout, status


def test_an_event_under_a_forged_epoch_does_not_move_the_site(county, site):
    real = hub_epoch(site)
    SiteUser(county, HALL).publish(f"hall/{HALL}/event/issued", {
        "seq": 1, "at": "2026-11-23T10:00:00+08:00", "epoch": FORGED_EPOCH,
        "ticket_id": "20261123-A999", "no": "A999", "service": "A"})
    seen = set()

    def stored():
        seen.update(e for (e,) in county.rows("SELECT epoch FROM sites WHERE site = %s", HALL))
        return county.rows("SELECT 1 FROM site_epochs WHERE site = %s AND epoch = %s", HALL,
                           FORGED_EPOCH)
    wait_for(stored, 15, "the forged event to be kept under its epoch")
    take(site)
    wait_for(lambda: stored() and county.rows(
        "SELECT 1 FROM events WHERE site = %s AND epoch = %s AND seq = %s", HALL, real,
        last_seq(site)), 15, "the hub's next event")
    assert seen == {real}
    restored = site.workdir / "restored.db"
    done = county.run("hall-county", "restore", "--from", county.db, "--site", HALL, "--config",
                      str(site.config), "--db", str(restored))
    assert done.returncode == 0, done.stderr
    assert len(site.db_rows("SELECT seq FROM events", db=restored)) == last_seq(site)


def test_a_site_user_cannot_take_another_site_s_bridge_client_id(county, site):
    def kicked() -> int:
        log = county.log_path.read_text()
        return sum(log.count(f"Client {cid} already connected") for cid in (HALL, f"{HALL}-bridge"))
    before = kicked()
    thief = SiteUser(county, "town2", client_id=f"{HALL}-bridge")
    take(site)
    wait_landed(county, HALL, last_seq(site), timeout=15)
    assert thief.client.is_connected(), county.log_path.read_text()[-3000:]
    thief.publish("hall/town2/event/issued", b"{}")  # still connected, as itself
    assert kicked() == before, county.log_path.read_text()[-2000:]
