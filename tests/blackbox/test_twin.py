"""hall-twin from outside: a morning driven at the real hub by raw nodes (a kiosk and window 9's
keypad written from the docs), then ``hall-twin`` run as a process on the hub's database while
the hub keeps serving. Its recorded row says what the outside parties did, its replay runs the
same citizens, and the hub's file and service are untouched."""

from __future__ import annotations

import json
import os
import subprocess

from .outside import BIN, HALL, ROOT


def run_twin(hall, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([BIN / "hall-twin", "--config", str(hall.config),
                           "--db", str(hall.workdir / "hall.db"), *args],
                          capture_output=True, text=True, env=env, timeout=50)


def test_the_twin_replays_a_morning_the_real_hub_recorded(hall):
    kiosk = hall.node("kiosk-1")
    clerk = hall.node("rater-9", f"hall/{HALL}/event/#")
    for _ in range(4):
        assert kiosk.request("ticket.take", {"service": "F"})["ok"]
    assert clerk.request("window.login", {"window": 9, "staff": "1009"})["ok"]
    for end in ("window.finish", "window.skip", "window.finish"):
        called = clerk.request("window.call_next", {"window": 9})
        assert called["ok"] and called["result"]["ticket"] is not None, called
        assert clerk.request(end, {"window": 9})["ok"]
    logged = len(hall.db_rows("SELECT seq FROM events"))

    done = run_twin(hall, "--day", "2026-11-23", "--staff", "10-12=F+1", "--json")
    assert done.returncode == 0, done.stderr
    runs = {r["name"]: r["figures"] for r in json.loads(done.stdout)["runs"]}
    real = runs["recorded"]
    assert (real["issued"], real["finished"], real["no_show"], real["closed_out"]) == (4, 2, 1, 0)
    for name in ("replay", "alternative"):
        assert runs[name]["issued"] == 4 and runs[name]["finished"] >= 2

    table = run_twin(hall, "--day", "2026-11-23")
    assert table.returncode == 0 and "当日实际" in table.stdout and "下班未办" in table.stdout
    # read-only: the hub's log did not move, and the hub goes on serving
    assert len(hall.db_rows("SELECT seq FROM events")) == logged
    assert kiosk.request("ticket.take", {"service": "F"})["result"]["ticket"]["no"] == "F005"


def test_bad_input_leaves_with_a_reason(hall):
    for args, why in ((("--day", "2026-11-24"), "no tickets on 2026-11-24"),
                      (("--day", "23/11/2026"), "expected a date like 2026-11-23"),
                      (("--day", "2026-11-23", "--staff", "12-9=+1"), "must end after"),
                      (("--day", "2026-11-23", "--morning"), "unrecognized arguments")):
        done = run_twin(hall, *args)
        assert done.returncode == 2 and why in done.stderr, (args, done.stderr)
