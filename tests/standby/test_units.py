"""The standby hall's files (deploy.standby_files) from hall.toml's [standby]: each etcd
member's settings form one cluster, keepalived follows the hub's serving flag, and the shipped
units run what they say."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from deploy import standby_files
from wire.standby import StandbySettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cfg(hall_config):
    st = StandbySettings({"hub-a": "10.0.0.1", "hub-b": "10.0.0.2"},
                         ("http://10.0.0.1:2379", "http://10.0.0.2:2379", "http://10.0.0.3:2379"),
                         floating_address="10.0.0.100/24", interface="eth0")
    return dataclasses.replace(hall_config, standby=st)


def env(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


def test_the_three_members_form_one_cluster(cfg):
    assert standby_files.members(cfg) == {"hub-a": "10.0.0.1", "hub-b": "10.0.0.2",
                                          "witness": "10.0.0.3"}
    envs = [env(standby_files.etcd_env(cfg, m)) for m in ("hub-a", "hub-b", "witness")]
    assert len({e["ETCD_INITIAL_CLUSTER"] for e in envs}) == 1
    assert envs[2]["ETCD_NAME"] == "witness"
    assert envs[2]["ETCD_ADVERTISE_CLIENT_URLS"] == "http://10.0.0.3:2379"
    with pytest.raises(ValueError, match="no etcd member 'hub-c'"):
        standby_files.etcd_env(cfg, "hub-c")


def test_keepalived_follows_the_hubs_serving_flag(cfg):
    from hub.standby.run import RUN_DIR, flag_path  # the flag the hub keeps while it serves

    text = standby_files.keepalived_conf(cfg, "hub-a")
    assert f'script "/usr/bin/test -e {flag_path(RUN_DIR, cfg.hall_id)}"' in text
    assert "10.0.0.100/24" in text and "interface eth0" in text and "@" not in text
    assert standby_files.standby_env(cfg, "hub-b") == "HALL_MACHINE=hub-b\n"


@pytest.mark.skipif(not Path("/usr/sbin/keepalived").exists(), reason="keepalived not installed")
def test_keepalived_accepts_the_config(cfg, tmp_path):
    conf = tmp_path / "keepalived.conf"
    conf.write_text(standby_files.keepalived_conf(cfg, "hub-a"))
    out = subprocess.run(["/usr/sbin/keepalived", "--config-test", "-f", str(conf)],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_units_run_the_standby_hub_and_an_etcd_member():
    hub = (ROOT / "systemd" / "standby" / "hallstack-hub-standby.service").read_text()
    assert "hall-hub standby run --machine ${HALL_MACHINE}" in hub
    assert "RuntimeDirectory=hallstack" in hub and "Conflicts=hallstack-hub.service" in hub
    etcd = (ROOT / "systemd" / "standby" / "hallstack-etcd.service").read_text()
    assert "EnvironmentFile=/etc/hallstack/etcd.env" in etcd
    assert f"StateDirectory={Path(standby_files.ETCD_DATA).name}" in etcd
