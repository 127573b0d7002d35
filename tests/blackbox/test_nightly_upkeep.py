"""The hub's nightly upkeep (issue 28 item 4): after the day's close-out the real hub
checkpoints its WAL, backs the database up to the config's second medium and checks it, and says
so in a ``maintenance`` event; a backup medium that fails is an alert, and the hub serves on."""

import sqlite3

from .outside import HALL, wait_for
from .time_parts import on_wire, small_disk

MONDAY_1659 = "2026-11-23T16:59:50+08:00"  # ten hall seconds before the last session ends


def with_backup(folder):
    return lambda text: text + f'\n[maintenance]\nbackup_dir = "{folder}"\nkeep = 3\n'


def _day_ends(hall, extra=()):
    hall.start_hub(None, "--speed", "5", *extra, clock=MONDAY_1659)
    watcher = hall.node("admin-1", f"hall/{HALL}/event/#")
    kiosk = hall.node("kiosk-1")
    assert kiosk.request("ticket.take", {"service": "A"})["ok"]
    (upkeep,) = wait_for(lambda: watcher.events_of("maintenance"), 30, "a maintenance event")
    return watcher, upkeep


def test_after_the_close_out_the_hub_backs_up_checks_and_records(make_hall, bb_workdir):
    backup = bb_workdir / "second-medium"
    hall = make_hall(with_backup(backup))
    watcher, upkeep = _day_ends(hall)
    assert upkeep["date"] == "2026-11-23" and upkeep["integrity"] == "ok", upkeep
    assert upkeep["checkpoint"]["busy"] is False and "errors" not in upkeep, upkeep
    closed = watcher.events_of("day_closed")
    assert closed and closed[-1]["seq"] < upkeep["seq"]  # after the close-out, not before
    copy = backup / f"{HALL}-2026-11-23.db"
    assert upkeep["backup"] == str(copy) and copy.stat().st_size == upkeep["backup_bytes"]
    with sqlite3.connect(f"file:{copy}?mode=ro", uri=True) as c:  # a whole database on its own
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT no, status FROM tickets").fetchall() == [("A001", "closed")]
    logged = hall.db_rows("SELECT seq, data FROM events WHERE kind = 'maintenance'")
    assert [r["seq"] for r in logged] == [upkeep["seq"]]
    assert not list(backup.glob("*.part"))


def test_a_failing_backup_medium_is_an_alert_and_the_hub_serves_on(make_hall, bb_workdir):
    medium = bb_workdir / "not-a-folder"
    medium.write_text("a file where the backup folder should be")
    hall = make_hall(with_backup(medium))
    watcher, upkeep = _day_ends(hall)
    assert upkeep["integrity"] == "ok" and "backup" not in upkeep, upkeep
    assert upkeep["errors"][0].startswith("backup:"), upkeep
    alerts = wait_for(lambda: [a for a in on_wire(watcher, f"hall/{HALL}/event/alert")
                               if a["kind"] == "maintenance_failed"], what="the alert")
    assert alerts[0]["date"] == "2026-11-23"
    reply = hall.node("kiosk-1").request("ticket.take", {"service": "A"})
    assert reply["error"]["code"] == "closed", reply  # answered: the hall is closed for the day


def test_a_backup_medium_that_fills_up_keeps_no_half_copy(make_hall, bb_workdir):
    """The second medium (a 16 kB tmpfs here: a USB stick that is full) cannot hold the copy:
    an alert, and the half-written ``.part`` is removed, not left to fill it further."""
    with small_disk(bb_workdir / "stick", "16k") as stick:
        hall = make_hall(with_backup(stick))
        try:
            _, upkeep = _day_ends(hall)
            assert upkeep["errors"][0].startswith("backup:"), upkeep
            assert "backup" not in upkeep and upkeep["integrity"] == "ok", upkeep
            assert list(stick.iterdir()) == []
        finally:
            hall.close()
