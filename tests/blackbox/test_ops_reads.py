"""Reads are not writes (issue 24.1, the hub's side): a read op is answered without a stored
reply and without a commit; a write still stores its reply (docs/node-api.md, "Ops and who may
call them")."""

from __future__ import annotations

import sqlite3

from .ops_parts import data_version
from .outside import wait_for


def published_all(hall) -> bool:
    """The hub has written down how far its events went out (it does so once a second): after
    that, a hub with nothing to do writes nothing."""
    (row,) = hall.db_rows("SELECT (SELECT value FROM meta WHERE key = 'published_upto') AS up, "
                          "(SELECT max(seq) FROM events) AS last")
    return row["up"] is not None and int(row["up"]) == row["last"]


def test_lookups_and_status_leave_the_file_as_it_was(hall):
    kiosk, web, board = hall.node("kiosk-1"), hall.node("web"), hall.node("board-1")
    token = kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["token"]
    wait_for(lambda: published_all(hall), what="the hub to note its events published")
    watcher = sqlite3.connect(f"file:{hall.workdir / 'hall.db'}?mode=ro", uri=True)
    version = watcher.execute("PRAGMA data_version").fetchone()[0]
    before = data_version(hall)
    for _ in range(20):
        assert web.request("ticket.lookup", {"token": token})["result"]["ticket"]["no"] == "A001"
        assert board.request("ticket.status", {"no": "A001"})["ok"]
    assert data_version(hall) == before  # no reply row, no event
    assert watcher.execute("PRAGMA data_version").fetchone()[0] == version  # no commit at all
    # a write still stores its reply (a retry gets the same answer, nothing done twice)
    rid = kiosk.send("ticket.take", {"service": "A"})
    first = kiosk.reply(rid)
    assert hall.db_rows("SELECT count(*) AS n FROM replies WHERE req_id = ?", rid)[0]["n"] == 1
    del kiosk.replies[rid]
    kiosk.send("ticket.take", {"service": "A"}, rid=rid)
    assert kiosk.reply(rid) == first
    watcher.close()
