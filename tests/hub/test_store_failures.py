"""The hub's database under operator mistakes and a full disk: one clear line and exit 2 at
start; while running, refused requests with a stable code and nothing half-stored."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys

import pytest

from hub.desk import Desk
from hub.store import Store, StoreError
from tests.blackbox.time_parts import fill
from tests.conftest import EXAMPLE, MONDAY_10, RunningHub
from tests.helpers import eventually, rows

pytestmark = pytest.mark.timeout(120)


def hall_hub(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hub.cli", "--config", str(EXAMPLE),
                           "--broker", "mqtt://127.0.0.1:1", "--clock", MONDAY_10, *args],
                          capture_output=True, text=True, timeout=60)


def _unusable_paths(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not a database\n" * 100)
    return {"missing folder": (tmp_path / "no" / "such" / "hall.db", "does not exist"),
            "a folder": (folder, "is a folder"),
            "not SQLite": (junk, "not a SQLite database")}


@pytest.mark.parametrize("case", ["missing folder", "a folder", "not SQLite"])
def test_an_unusable_database_path_is_one_line_and_exit_2(tmp_path, case):
    path, words = _unusable_paths(tmp_path)[case]
    done = hall_hub("--db", str(path))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and words in lines[0], lines


def test_a_read_only_mount_is_one_line_and_exit_2(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    Store(str(ro / "hall.db")).close()
    with _mount(["-o", "bind"], str(ro), ro) as mounted:
        if mounted:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], check=True)
        else:
            os.chmod(ro, 0o555)  # no mount here: a folder the hub cannot write (not as root)
        done = hall_hub("--db", str(ro / "hall.db"))
    if not mounted and os.geteuid() == 0:
        pytest.fail("cannot make a read-only place to test (no bind mount as root)")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "hall.db" in done.stderr
    assert "not writable" in done.stderr or "cannot be written" in done.stderr


def test_a_second_hub_on_the_same_database_file_is_refused(tmp_path):
    path = str(tmp_path / "hall.db")
    first = Store(path)
    try:
        with pytest.raises(StoreError, match="another hub is using it"):
            Store(path)
        done = hall_hub("--db", path)
        assert done.returncode == 2 and "another hub is using it" in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        first.close()
    Store(path).close()  # once the first is gone the file is free again


def test_a_node_named_hub_is_refused_by_the_config(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace('id = "board-1"', 'id = "hub"')
    cfg = tmp_path / "hall.toml"
    cfg.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "hub.cli", "--config", str(cfg), "--db",
                           str(tmp_path / "hall.db")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "'hub' is the hub's own id" in done.stderr
    assert "Traceback" not in done.stderr


@contextlib.contextmanager
def _mount(options: list[str], source: str, target):
    """Mount (tmpfs, a bind) where the machine allows it; yields whether it did."""
    done = subprocess.run(["mount", *options, source, str(target)], capture_output=True)
    try:
        yield done.returncode == 0
    finally:
        if done.returncode == 0:
            subprocess.run(["umount", "-l", str(target)], check=False)


def test_a_full_disk_refuses_requests_cleanly_and_numbering_continues_after(
        hall_config, hall_clock, broker, node_client, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    with _mount(["-t", "tmpfs", "-o", "size=2m"], "tmpfs", disk) as real_disk:
        hub = RunningHub(hall_config, disk / "hall.db", broker, hall_clock)
        try:
            kiosk = node_client("kiosk-1")
            assert kiosk.request("ticket.take", {"service": "A"})["ticket"]["no"] == "A001"
            if real_disk:
                fill(disk)
            else:  # no tmpfs here: SQLite's own page limit fails writes the same way
                hub.service.store.conn.execute("PRAGMA max_page_count = 1")
            errors = []
            for _ in range(3):
                try:
                    kiosk.request("ticket.take", {"service": "A"})
                except Exception as exc:  # noqa: BLE001 - the refusal is what is tested
                    errors.append(exc)
            assert [getattr(e, "code", None) for e in errors] == ["unavailable"] * 3
            assert hub.service.store_failure is not None
            rebuilt = Desk(hall_config, hub.service.store)
            rebuilt.rebuild()
            assert rebuilt.engine.state.seq == hub.service.engine.state.seq  # no phantom A002
            if real_disk:
                os.remove(disk / "filler")
            else:
                hub.service.store.conn.execute("PRAGMA max_page_count = 1073741823")
            assert kiosk.request("ticket.take", {"service": "A"})["ticket"]["no"] == "A002"
            # recorded at the hub's next tick, by a write of its own (health ok only then)
            assert eventually(lambda: any(
                "store_failed" in a["data"]
                for a in rows(str(disk / "hall.db"), "SELECT data FROM events WHERE kind='alert'"))
                and hub.service.store_failure is None)
        finally:
            hub.stop()


def test_a_failed_commit_leaves_memory_as_the_database_has_it(hall_config, hall_clock, tmp_path):
    """COMMIT itself failing (not a statement): the batch is answered unavailable and the
    engine rebuilt, so nothing the log lacks can be called."""
    store = Store(str(tmp_path / "hall.db"))
    desk = Desk(hall_config, store)
    real_commit = store.transaction

    @contextlib.contextmanager
    def failing_transaction():
        with real_commit():
            yield
            raise sqlite3.OperationalError("database or disk is full")

    store.transaction = failing_transaction
    import queue
    import time

    done = queue.Queue()
    raw = b'{"id":"t1","op":"ticket.take","args":{"service":"A"}}'
    batch = desk.run([("local", "kiosk-1", (raw, done), time.monotonic())], False,
                     hall_clock.now())
    assert batch.failure and batch.local[0][1]["error"]["code"] == "unavailable"
    assert desk.engine.state.seq == {} and store.last_seq() == 0
    store.transaction = real_commit
    batch = desk.run([("local", "kiosk-1", (raw, done), time.monotonic())], False,
                     hall_clock.now())
    reply = batch.local[0][1]
    assert reply["ok"] is True, reply
    assert reply["result"]["ticket"]["no"] == "A001"  # the retry acts, once
    store.close()
