"""A full disk, honestly (issue 22 item 6): the hub's retained health says `failed` until a
write of its own succeeds again, and the log then holds when it failed and when it recovered."""

import json

from .outside import HALL, wait_for
from .time_parts import fill, small_disk, watch

HEALTH = f"hall/{HALL}/node/hub/health"


def test_health_stays_failed_while_the_disk_is_full_and_the_log_keeps_both_ends(hall_on_disk):
    hall, disk = hall_on_disk
    admin = hall.node("admin-1", HEALTH)
    kiosk = hall.node("kiosk-1")
    assert kiosk.request("ticket.take", {"service": "A"})["ok"] is True
    filler = fill(disk)
    for _ in range(3):
        reply = kiosk.reply(kiosk.send("ticket.take", {"service": "A"}))
        assert reply["ok"] is False and reply["error"]["code"] == "unavailable", reply
    said = []
    wait_for(lambda: "failed" in healths(admin, said), what="the hub's health to say failed")

    def still_failed():
        reply = kiosk.reply(kiosk.send("ticket.take", {"service": "A"}))
        assert reply["error"]["code"] == "unavailable", reply
        assert healths(admin, said)[-1] == "failed", said
    watch(3.5, still_failed)  # several of the hub's once-a-second ticks, disk still full
    assert "ok" not in said[said.index("failed"):], said

    filler.unlink()
    reply = kiosk.request("ticket.take", {"service": "A"})
    assert reply["ok"] is True and reply["result"]["ticket"]["no"] == "A002", reply
    wait_for(lambda: healths(admin, said)[-1] == "ok", what="the hub's health to say ok again")
    rows = hall.db_rows("SELECT seq, at, kind, data FROM events "
                        "WHERE kind IN ('alert', 'store_recovered') ORDER BY seq",
                        db=disk / "hall.db")
    failed = [r for r in rows if json.loads(r["data"]).get("kind") == "store_failed"]
    recovered = [r for r in rows if r["kind"] == "store_recovered"]
    assert len(failed) == 1 and len(recovered) == 1, rows
    data = json.loads(recovered[0]["data"])
    assert data["failed_at"] < recovered[0]["at"], (data, recovered[0])
    assert json.loads(failed[0]["data"])["failed_at"] == data["failed_at"]
    assert [r["no"] for r in hall.db_rows("SELECT no FROM tickets ORDER BY no",
                                          db=disk / "hall.db")] == ["A001", "A002"]


def healths(admin, said: list) -> list:
    """Every ``store`` value the hub's retained health has said so far, in order."""
    while not admin.messages.empty():
        topic, payload, _ = admin.messages.get_nowait()
        if topic == HEALTH and isinstance(payload, dict):
            said.append(payload.get("store"))
    return said


def test_the_day_close_missed_on_a_full_disk_is_made_once_it_stores_again(make_hall):
    """The last session ends (17:00) while the disk is full: nothing is closed in memory that
    the log lacks, and the close-out is made on the first tick that can store it."""
    hall = make_hall()
    with small_disk(hall.workdir / "disk") as disk:
        try:
            hall.start_hub(disk / "hall.db", clock="2026-11-23T16:59:56+08:00")
            watcher = hall.node("admin-1", HEALTH, f"hall/{HALL}/event/day_closed")
            kiosk = hall.node("kiosk-1")
            assert kiosk.request("ticket.take", {"service": "A"})["ok"] is True
            filler = fill(disk)
            said = []
            wait_for(lambda: "failed" in healths(watcher, said), timeout=15,
                     what="the hub's health to say failed (its ticks cannot store)")
            watch(5.0, lambda: None)  # the hall's 17:00 passes while the disk is full
            assert watcher.events_of("day_closed") == []
            assert hall.db_rows("SELECT status FROM tickets", db=disk / "hall.db") == [
                {"status": "waiting"}]
            filler.unlink()
            (closed,) = wait_for(lambda: watcher.events_of("day_closed"), timeout=15,
                                 what="the day's close-out once the disk has room")
            assert [c["no"] for c in closed["closed"]] == ["A001"], closed
            assert closed["closed_at"] >= "2026-11-23T17:00", closed
            assert hall.db_rows("SELECT status FROM tickets", db=disk / "hall.db") != [
                {"status": "waiting"}]
        finally:
            hall.close()


def test_a_restarted_hub_says_what_its_own_write_finds(hall_on_disk):
    """The retained health a previous hub process left may be stale: a hub that starts serving
    writes once and says what it found (a technician made room and restarted the service).
    (A hub restarted on a still-full disk may find room in the WAL it reuses: its write then
    really succeeded, and it says ok until a write fails.)"""
    hall, disk = hall_on_disk
    admin = hall.node("admin-1", HEALTH)
    kiosk = hall.node("kiosk-1")
    filler = fill(disk)
    said = []
    assert kiosk.reply(kiosk.send("ticket.take", {"service": "A"}))["error"]["code"] == \
        "unavailable"
    wait_for(lambda: "failed" in healths(admin, said), what="the hub's health to say failed")
    hall.hubs[-1].terminate()
    hall.hubs[-1].wait(10)
    filler.unlink()
    hall.start_hub(disk / "hall.db")
    wait_for(lambda: healths(admin, said)[-1] == "ok", what="the restarted hub to say ok")
    assert kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["no"] == "A001"
