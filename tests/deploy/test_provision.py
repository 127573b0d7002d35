"""hall-flash node: a Pi's boot partition gets its role, window, hub and credentials."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deploy.flash_cli import main
from deploy.provision import NodePlan, ProvisionError, render_node_toml, write_node

HALL = Path(__file__).resolve().parents[2] / "examples" / "hall.toml"


@pytest.mark.parametrize("plan, unit", [
    (NodePlan("kiosk-1", "kiosk", None, "mqtt://10.0.0.2:1883", "kiosk-1"),
     "hallstack-kiosk.service"),
    (NodePlan("board-1", "callboard", None, "mqtt://hub.local:1883", "board-1"),
     "hallstack-callboard.service"),
    (NodePlan("rater-3", "rater", 3, "mqtt://10.0.0.2:1883", "rater-3"),
     "hallstack-rater@3.service"),
])
def test_each_role_boots_into_its_unit(tmp_path, plan, unit):
    folder = write_node(tmp_path, plan, "s3cret", HALL)
    node = tomllib.loads((folder / "node.toml").read_text())
    assert node["unit"] == unit and node["role"] == plan.role and node["broker"] == plan.broker
    assert node.get("window") == plan.window and node["hall"] == "demo"
    secret = folder / node["password_file"]
    assert secret.read_text() == "s3cret\n" and secret.stat().st_mode & 0o777 == 0o600
    assert (folder / "hall.toml").read_bytes() == HALL.read_bytes()
    assert "s3cret" not in (folder / "node.toml").read_text()


@pytest.mark.parametrize("plan, words", [
    (NodePlan("Rater 3", "rater", 3, "mqtt://h:1883", "u"), "node id"),
    (NodePlan("rater-3", "printer", None, "mqtt://h:1883", "u"), "role"),
    (NodePlan("rater-3", "rater", None, "mqtt://h:1883", "u"), "window"),
    (NodePlan("kiosk-1", "kiosk", 2, "mqtt://h:1883", "u"), "window"),
    (NodePlan("rater-3", "rater", 3, "http://h:1883", "u"), "broker"),
    (NodePlan("rater-3", "rater", 3, "mqtt://h", "u"), "broker"),
    (NodePlan("rater-3", "rater", 3, "mqtt://h:1883", "a b"), "username"),
    (NodePlan("rater-99", "rater", 99, "mqtt://h:1883", "u"), "no node 'rater-99'"),
    (NodePlan("rater-3", "rater", 4, "mqtt://h:1883", "u"), "window 3"),
    # a node told mqtts:// without the hall CA could never trust the broker
    (NodePlan("rater-3", "rater", 3, "mqtts://h:8883", "u"), "--ca-file"),
    (NodePlan("rater-3", "rater", 3, "mqtt://h:1883/hall", "u"), "broker"),
])
def test_bad_plans_are_refused_and_nothing_is_written(tmp_path, plan, words):
    with pytest.raises(ProvisionError, match=words):
        write_node(tmp_path, plan, "pw", HALL)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("password", ["", "two words", 'quo"te', "it's", "back\\slash",
                                      "$HOME", "line\nbreak", "口令", "x" * 129])
def test_a_password_a_systemd_env_file_would_change_is_refused(tmp_path, password):
    """The password goes into the unit's EnvironmentFile as it is, where systemd strips
    spaces, takes quotes and backslashes as syntax: the node would log in with another one."""
    plan = NodePlan("rater-3", "rater", 3, "mqtt://h:1883", "rater-3")
    with pytest.raises(ProvisionError, match="password"):
        write_node(tmp_path, plan, password)
    assert list(tmp_path.iterdir()) == []
    write_node(tmp_path, plan, "Ab0_-.~+/=!#%&()*,:;<>?@[]^`{|}")  # every other sign is fine


def test_an_existing_node_is_replaced_only_when_asked(tmp_path):
    plan = NodePlan("rater-3", "rater", 3, "mqtt://h:1883", "rater-3")
    write_node(tmp_path, plan, "one")
    with pytest.raises(ProvisionError, match="--force"):
        write_node(tmp_path, plan, "two")
    write_node(tmp_path, plan, "two", force=True)
    assert (tmp_path / "hallstack" / "broker.secret").read_text() == "two\n"
    assert not list((tmp_path / "hallstack").glob("*.tmp"))


def test_hall_flash_node_command(tmp_path):
    password = tmp_path / "pw.txt"
    password.write_text("node-pass\n")
    boot = tmp_path / "bootfs"
    boot.mkdir()
    out = io.StringIO()
    status = main(["node", "--target", str(boot), "--node", "rater-5", "--role", "rater",
                   "--window", "5", "--hub", "mqtt://10.0.0.2:1883", "--password-file",
                   str(password), "--config", str(HALL)], out)
    assert status == 0 and "hallstack-rater@5.service" in out.getvalue()
    node = tomllib.loads((boot / "hallstack" / "node.toml").read_text())
    assert node["username"] == "rater-5" and node["window"] == 5
    out = io.StringIO()
    assert main(["node", "--target", str(tmp_path / "missing"), "--node", "kiosk-1", "--role",
                 "kiosk", "--broker", "mqtt://h:1883", "--password-file", str(password)],
                out) == 1
    assert "not a directory" in out.getvalue()


@given(st.from_regex(r"[a-z][a-z0-9-]{0,31}", fullmatch=True),
       st.sampled_from(["kiosk", "callboard", "rater"]), st.integers(1, 999),
       st.from_regex(r"[a-z0-9.-]{1,30}", fullmatch=True), st.integers(1, 65535),
       st.from_regex(r"[A-Za-z0-9_.-]{1,64}", fullmatch=True),
       st.one_of(st.none(), st.text(max_size=20)))
def test_node_toml_reads_back_as_written(node_id, role, window, host, port, user, hall):
    plan = NodePlan(node_id, role, window if role == "rater" else None, f"mqtt://{host}:{port}",
                    user, hall)
    node = tomllib.loads(render_node_toml(plan))
    assert (node["node"], node["role"], node.get("window"), node["broker"], node["username"],
            node.get("hall"), node["unit"]) == (plan.node_id, plan.role, plan.window,
                                                plan.broker, plan.username, plan.hall_id,
                                                plan.unit)
