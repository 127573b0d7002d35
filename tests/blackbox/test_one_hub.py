"""One hall, one hub, through stalls and spare Pis (issue 22 item 4, docs/one-hub.md).

Each hub here is a real ``hall-hub`` process with its own database; stalls are SIGSTOP/SIGCONT;
what counts is what the hall's nodes are told and what each database holds."""

from __future__ import annotations

from .onehub_parts import (
    LAST_WEEK,
    LATER,
    alerts,
    copy_db,
    exit_code,
    hub_ids,
    meta,
    terminate,
    tickets,
)
from .outside import HALL, wait_for
from .time_parts import stopped


def test_a_stalled_hub_rechecks_its_claim_before_acting_on_what_it_read(make_hall):
    hall = make_hall()
    first = hall.start_hub()
    kiosk = hall.node("kiosk-1")
    assert kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"] == "A001"
    spare_db = hall.workdir / "copy.db"
    copy_db(hall.workdir / "hall.db", spare_db)  # a copy: the same epoch, so it may serve

    with stopped(first, 0):  # an SD card that stalls the hub
        # started a minute later by its clock too: an older `since` must not decide either way
        second = hall.start_hub(spare_db, wait=False, log_name="second", clock=LATER)
        hall.wait_serving(second)  # the stalled hub did not answer its probe
        issued = [kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"]
                  for _ in range(3)]
        assert issued == ["A002", "A003", "A004"]

    # the first hub finds the hall served by another and stays down, acting on nothing it
    # read while it was stopped: the citizens hold A002-A004 from the second hub only
    assert exit_code(first) == 2
    assert tickets(hall, hall.workdir / "hall.db") == ["A001"]
    assert "another hub" in first.log_path.read_text()
    assert kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"] == "A005"
    assert second.poll() is None


def test_a_spare_pi_with_last_weeks_clock_never_displaces_the_hub(make_hall):
    hall = make_hall()
    real = hall.start_hub()
    kiosk = hall.node("kiosk-1")
    assert kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"] == "A001"

    spare_db = hall.workdir / "spare.db"
    with stopped(real, 0):  # the spare boots while the real hub is stalled
        spare = hall.start_hub(spare_db, wait=False, log_name="spare", clock=LAST_WEEK)
        assert exit_code(spare) == 2
        assert "--take-over" in spare.log_path.read_text()

    assert kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"] == "A002"
    assert real.poll() is None
    assert tickets(hall, spare_db) == []
    ids = hub_ids(hall)  # the real hub and the spare connected once each: nobody was knocked off
    assert len(ids) == len(set(ids)) == 2, ids


def test_a_hub_on_a_new_database_serves_only_by_the_operators_take_over(make_hall):
    hall = make_hall()
    real_db = hall.workdir / "hall.db"
    real = hall.start_hub(real_db)
    kiosk = hall.node("kiosk-1")
    assert kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"] == "A001"
    old_epoch = meta(hall, real_db, "epoch")
    terminate(real)  # its SD card dies; the hall's retained status still names its epoch

    new_db = hall.workdir / "new.db"
    refused = hall.start_hub(new_db, wait=False, log_name="new-refused")
    assert exit_code(refused) == 2  # a new database is not the hall's, by itself
    assert tickets(hall, new_db) == []

    alert_watch = hall.node("admin-1", f"hall/{HALL}/event/alert")
    # the operator's act as under systemd: a file beside the database, used up once served
    marker = hall.workdir / "new.db.take-over"
    marker.touch()
    hall.start_hub(new_db, log_name="new")
    wait_for(lambda: not marker.exists(), what="the hub to use up the take-over file")
    assert kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"] == "A001"
    (taken,) = alerts(hall, new_db, "hub_takeover")
    assert taken["epoch"] == old_epoch and taken["how"] == "take_over"
    # the manager's console hears it (RawNode files an event by its payload's kind)
    (heard,) = wait_for(lambda: alert_watch.events_of("hub_takeover"), what="the alert")
    assert heard["epoch"] == old_epoch

    # the old card comes back: its database no longer holds the hall's current epoch
    back = hall.start_hub(real_db, wait=False, log_name="old-back")
    assert exit_code(back) == 2
    assert tickets(hall, real_db) == ["A001"]


def test_a_stall_with_no_other_hub_costs_a_recheck_and_loses_nothing(make_hall):
    hall = make_hall()
    hub = hall.start_hub()
    kiosk = hall.node("kiosk-1")
    # the stall itself lasts 2 s: longer than the hub's 1.5 s limit
    with stopped(hub, 2.0):
        rid = kiosk.send("ticket.take", {"service": "A"}, ttl_ms=60000)
    reply = kiosk.reply(rid)  # sent once, read during the stall, answered after the re-check
    assert reply["ok"] is True and reply["result"]["ticket"]["no"] == "A001", reply
    assert "took no turn" in hub.log_path.read_text()
    assert tickets(hall, hall.workdir / "hall.db") == ["A001"]
    assert hub.poll() is None


def test_two_hubs_started_together_on_a_new_hall_leave_one_without_flapping(make_hall):
    hall = make_hall()  # a new hall: the broker holds no hub status yet
    one = hall.start_hub(hall.workdir / "one.db", wait=False, log_name="one")
    two = hall.start_hub(hall.workdir / "two.db", wait=False, log_name="two")
    loser = wait_for(lambda: next((p for p in (one, two) if p.poll() is not None), None),
                     20, "one of the two hubs to give way")
    assert loser.returncode == 2, loser.log_path.read_text()[-2000:]
    winner = two if loser is one else one
    hall.wait_serving(winner)
    kiosk = hall.node("kiosk-1")
    assert kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"] == "A001"
    assert winner.poll() is None
    ids = hub_ids(hall)
    assert len(ids) == len(set(ids)) == 2, ids  # each connected once: no flapping
