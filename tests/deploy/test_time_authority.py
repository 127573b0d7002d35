"""One time authority: the hub machine serves NTP to the hall LAN (chrony), each node's card
points its chrony at the hub, and no unit waits for a time sync that may never come."""

from __future__ import annotations

import ipaddress
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from deploy.provision import NodePlan, ProvisionError, check_chrony, write_node
from tests.deploy.test_firstboot import HALL, PLANS, firstboot, snapshot, system

ROOT = Path(__file__).resolve().parents[2]
HUB_CHRONY = ROOT / "systemd" / "chrony" / "hallstack-hub.conf"
INSTALLED = "etc/chrony/conf.d/hallstack.conf"


def directives(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith(("#", "!", ";", "%"))]


@pytest.mark.parametrize("unit", sorted(p.name for p in (ROOT / "systemd").glob("*.service")))
def test_no_unit_waits_for_a_time_sync(unit):
    """time-sync.target blocks (with systemd-time-wait-sync) where no NTP server answers, as on
    a hall LAN whose hub is still booting: hall time follows the clock's step instead."""
    text = (ROOT / "systemd" / unit).read_text()
    assert "time-sync" not in text and "time-wait-sync" not in text


def test_the_hub_serves_the_hall_lan_even_without_internet():
    found = directives(HUB_CHRONY.read_text())
    assert ["local", "stratum", "10"] in found  # no upstream: its own clock, for the whole hall
    served = [ipaddress.ip_network(words[1]) for words in found if words[0] == "allow"]
    for node in ("10.0.0.23", "192.168.1.40", "172.16.8.9", "fd00::23"):
        assert any(ipaddress.ip_address(node) in net for net in served), node
    assert not any(ipaddress.ip_address("8.8.8.8") in net for net in served)
    assert {words[0] for words in found} == {"allow", "local"}  # Debian's upstreams stay


def test_the_hub_snippet_is_valid_chrony(tmp_path):
    chronyd = shutil.which("chronyd") or shutil.which("chronyd", path="/usr/sbin")
    if chronyd is None:
        pytest.skip("chronyd missing: apt-get install chrony")
    result = subprocess.run([chronyd, "-p", "-f", str(HUB_CHRONY)], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "local stratum 10" in result.stdout


@pytest.mark.parametrize("broker, host", [
    ("mqtt://10.0.0.2:1883", "10.0.0.2"),
    ("mqtt://hub.hall.lan:1883", "hub.hall.lan"),
    ("mqtt://[fd00::2]:1883", "fd00::2"),
])
def test_a_node_card_points_its_chrony_at_the_hub(tmp_path, broker, host):
    plan = NodePlan("board-1", "callboard", None, broker, "board-1")
    folder = write_node(tmp_path, plan, "pw", HALL)
    node = tomllib.loads((folder / "node.toml").read_text())
    text = (folder / node["chrony_file"]).read_text()
    assert directives(text) == [["server", host, "iburst", "prefer"]]
    assert check_chrony(text, "card") == text
    assert stat.S_IMODE((folder / node["chrony_file"]).stat().st_mode) == 0o644


@pytest.mark.parametrize("chronyd", [True, False])
def test_first_boot_installs_the_time_source(tmp_path, chronyd):
    root = system(tmp_path, PLANS["kiosk"])
    if chronyd:
        (root / "usr/sbin").mkdir(parents=True)
        (root / "usr/sbin/chronyd").write_text("#!/bin/sh\n")
    status, said = firstboot(root)
    assert status == 0, said
    installed = root / INSTALLED
    assert directives(installed.read_text()) == [["server", "10.0.0.2", "iburst", "prefer"]]
    assert stat.S_IMODE(installed.stat().st_mode) == 0o644
    assert str(installed) in said
    assert ("未安装 chrony" in said) is not chronyd  # an image without chrony is told so
    card = root / "boot/firmware/hallstack"
    assert sorted(p.name for p in card.iterdir()) == ["node.toml.installed"]


def test_a_card_from_before_the_time_source_installs_without_one(tmp_path):
    root = system(tmp_path, PLANS["rater"])
    card = root / "boot/firmware/hallstack"
    node = card / "node.toml"
    node.write_text(node.read_text().replace('chrony_file = "chrony.conf"\n', ""))
    (card / "chrony.conf").unlink()
    status, said = firstboot(root)
    assert status == 0, said
    assert not (root / INSTALLED).exists() and "chrony" not in said


@pytest.mark.parametrize("text, words", [
    ("include /etc/passwd\n", "line 1"),
    ("# only a comment\n", "no server line"),
    ("server 10.0.0.2 iburst\nkeyfile /root/keys\n", "line 2"),
    ("server $(reboot) iburst\n", "line 1"),
    ("server 10.0.0.2 minpoll /4\n", "line 1"),
    ("server\n", "line 1"),
])
def test_a_bad_time_source_on_the_card_is_refused_and_nothing_installed(tmp_path, text, words):
    root = system(tmp_path, PLANS["rater"])
    (root / "boot/firmware/hallstack/chrony.conf").write_text(text)
    card_before = snapshot(root / "boot")
    status, said = firstboot(root)
    assert status == 1 and words in said and "chrony.conf" in said, said
    assert snapshot(root / "boot") == card_before  # the next boot tries again
    assert not (root / "etc/hallstack/credentials").exists()
    assert not (root / INSTALLED).exists()


def test_a_broker_host_chrony_could_not_take_is_refused(tmp_path):
    with pytest.raises(ProvisionError, match="host"):
        write_node(tmp_path, NodePlan("kiosk-1", "kiosk", None, "mqtt://hub hall:1883",
                                      "kiosk-1"), "pw", HALL)
    assert list(tmp_path.iterdir()) == []
