"""hall-hub assign / assist through the real broker and hub: the retained window state and the
queue follow at once, the event log names who decided, a refusal prints its stable code and
changes nothing."""

from __future__ import annotations

import json

from hub.cli import main
from tests.helpers import eventually, rows

EXAMPLE = "examples/hall.toml"
CLOCK = "2026-11-23T10:00:00+08:00"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_assign_from_the_command_line(hub_service, broker, node_client, capsys):
    rater, admin = node_client("rater-8"), node_client("admin-1")
    rater.request("window.login", {"window": 8, "staff": "1008"})
    base = ["--config", EXAMPLE, "--broker", broker.url, "--clock", CLOCK, "--window", "8",
            "--by", "张主任"]
    code, out, err = run(capsys, "assign", *base, "--services", "F,E")
    assert code == 0, err
    assert json.loads(out)["window"]["services"] == ["F", "E"]
    assert eventually(lambda: (admin.state.get("window/8") or {}).get("services") == ["F", "E"])
    assert eventually(lambda: admin.state["queue"]["services"]["F"]["open_windows"] == 1)
    code, _, err = run(capsys, "assign", *base, "--services", "D")
    assert code == 1 and "no_skill" in err
    code, _, err = run(capsys, "assist", *base, "--service", "F")
    assert code == 1 and "conflict" in err          # already serves F
    events = rows(hub_service.db_path, "SELECT data FROM events WHERE kind = 'window'")
    assigned = [json.loads(r["data"]) for r in events]
    assigned = [d for d in assigned if d["action"] == "assign"]
    assert [(d["services"], d["by"]) for d in assigned] == [(["F", "E"], "张主任")]
    assert (admin.state.get("window/8") or {}).get("services") == ["F", "E"]
