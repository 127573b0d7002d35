"""hall-flash node for a standby hall's machines (deploy.standby_card): a hub machine (role
standby) and the witness (role witness) get their etcd, standby and keepalived files from
hall.toml's [standby]; first boot installs them where the shipped units read them and enables
the role's units, as an image is prepared offline (the real ``systemctl --root``); the bundle
carries the units and the packages.

The units are installed by the bundle's own installer code from the source tree's systemd/;
Debian's keepalived.service and etcd.service come from this machine (setup.sh installs both).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy import bundle, bundle_install, paths, standby_files
from deploy.flash_cli import main
from wire.config import load_config

ROOT = Path(__file__).resolve().parents[2]
STANDBY = """
[standby]
etcd = ["http://192.168.1.2:2379", "http://192.168.1.3:2379", "http://192.168.1.20:2379"]
floating_address = "192.168.1.100/24"
interface = "eth0"
[standby.machines]
hub-a = "192.168.1.2"
hub-b = "192.168.1.3"
"""
DEBIAN_UNITS = ("keepalived.service", "etcd.service")


@pytest.fixture
def hall(tmp_path) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text((ROOT / "examples" / "hall.toml").read_text(encoding="utf-8") + STANDBY,
                    encoding="utf-8")
    return path


def image(tmp_path: Path) -> Path:
    """A Pi image's root after the bundle's installer put the units in (and Debian's own)."""
    if not shutil.which("systemctl"):
        pytest.skip("systemctl missing: apt-get install systemd")
    missing = [u for u in DEBIAN_UNITS if not Path("/lib/systemd/system", u).is_file()]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing: setup.sh installs etcd-server and keepalived")
    root = tmp_path / "root"
    staged = tmp_path / "bundle"
    staged.mkdir()
    bundle.add_installer(ROOT, staged)
    bundle_install.install_units(staged, root, log=lambda _: None)
    (root / "lib/systemd/system").mkdir(parents=True)
    for unit in DEBIAN_UNITS:
        shutil.copy(Path("/lib/systemd/system", unit), root / "lib/systemd/system" / unit)
    subprocess.run(["systemctl", f"--root={root}", "enable", "etcd.service"], check=True,
                   capture_output=True)  # as the etcd-server package leaves it
    (root / "boot/firmware").mkdir(parents=True)
    return root


def flash(*argv) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(map(str, argv)), out), out.getvalue()


def enabled(root: Path) -> set[str]:
    wants = root / "etc/systemd/system/multi-user.target.wants"
    return {p.name for p in wants.iterdir()} if wants.is_dir() else set()


def test_a_standby_hub_machine_boots_into_the_standby_hub(tmp_path, hall):
    root = image(tmp_path)
    card = root / "boot/firmware"
    rc, said = flash("node", "--target", card, "--node", "hub-b", "--role", "standby",
                     "--config", hall)
    assert rc == 0, said
    rc, said = flash("firstboot", "--root", root)
    assert rc == 0, said
    assert "hub-b" in said and "已启用" in said
    cfg = load_config(hall)
    installed = {p: (root / p.relative_to("/")).read_text(encoding="utf-8")
                 for p in (paths.ETCD_ENV, paths.STANDBY_ENV, paths.KEEPALIVED_CONF)}
    assert installed == {paths.ETCD_ENV: standby_files.etcd_env(cfg, "hub-b"),
                         paths.STANDBY_ENV: "HALL_MACHINE=hub-b\n",
                         paths.KEEPALIVED_CONF: standby_files.keepalived_conf(cfg, "hub-b")}
    # the shipped units read exactly these files
    units = root / "etc/systemd/system"
    assert f"EnvironmentFile={paths.ETCD_ENV}" in (units / "hallstack-etcd.service").read_text()
    assert f"EnvironmentFile={paths.STANDBY_ENV}" in (
        units / "hallstack-hub-standby.service").read_text()
    assert enabled(root) == {"hallstack-etcd.service", "hallstack-hub-standby.service",
                             "keepalived.service"}  # Debian's etcd.service no longer
    assert (root / "etc/hallstack/hall.toml").read_text() == hall.read_text()
    assert sorted(p.name for p in (card / "hallstack").iterdir()) == ["node.toml.installed"]
    if Path("/usr/sbin/keepalived").exists():
        out = subprocess.run(["/usr/sbin/keepalived", "--config-test", "-f",
                              str(root / paths.KEEPALIVED_CONF.relative_to("/"))],
                             capture_output=True, text=True, timeout=20)
        assert out.returncode == 0, out.stdout + out.stderr
    assert flash("firstboot", "--root", root)[0] == 0  # a second boot: nothing to do


def test_the_witness_runs_only_its_etcd_member(tmp_path, hall):
    root = image(tmp_path)
    rc, said = flash("node", "--target", root / "boot/firmware", "--node", "kiosk-1", "--role",
                     "witness", "--config", hall)
    assert rc == 0, said
    rc, said = flash("firstboot", "--root", root)
    assert rc == 0, said
    etcd = (root / paths.ETCD_ENV.relative_to("/")).read_text()
    assert "ETCD_NAME=witness\n" in etcd and "http://192.168.1.20:2379" in etcd
    assert not (root / paths.KEEPALIVED_CONF.relative_to("/")).exists()
    assert enabled(root) == {"hallstack-etcd.service"}


@pytest.mark.parametrize("argv, status, words", [
    (["--node", "hub-c", "--role", "standby"], 1, "[standby] machines names hub-a, hub-b"),
    (["--node", "hub-a", "--role", "witness"], 1, "give it role standby"),
    (["--node", "hub-a", "--role", "standby", "--broker", "mqtt://1.2.3.4:1883"], 2, "--broker"),
    (["--node", "hub-a", "--role", "standby", "--no-config"], 1, "--config"),
])
def test_bad_standby_cards_are_refused_and_nothing_is_written(tmp_path, hall, argv, status,
                                                               words):
    target = tmp_path / "card"
    target.mkdir()
    config = [] if "--no-config" in argv else ["--config", hall]
    rc, said = flash("node", "--target", target, *[a for a in argv if a != "--no-config"],
                     *config)
    assert rc == status and words in said, said
    assert list(target.iterdir()) == []


def test_a_hall_without_standby_has_no_standby_machine(tmp_path):
    target = tmp_path / "card"
    target.mkdir()
    rc, said = flash("node", "--target", target, "--node", "hub-a", "--role", "standby",
                     "--config", ROOT / "examples" / "hall.toml")
    assert rc == 1 and "no [standby] section" in said, said
    rc, said = flash("node", "--target", target, "--node", "kiosk-1", "--role", "kiosk")
    assert rc == 2 and "needs --broker and --password-file" in said, said
    assert list(target.iterdir()) == []


def test_a_card_changed_by_hand_or_without_the_bundle_is_refused_and_kept(tmp_path, hall):
    root = image(tmp_path)
    card = root / "boot/firmware"
    assert flash("node", "--target", card, "--node", "hub-a", "--role", "standby",
                 "--config", hall)[0] == 0
    conf = card / "hallstack/keepalived.conf"
    conf.write_text(conf.read_text().replace("priority 100", "priority 200"))
    before = sorted(p.name for p in (card / "hallstack").iterdir())
    rc, said = flash("firstboot", "--root", root)
    assert rc == 1 and "changed by hand" in said, said
    assert sorted(p.name for p in (card / "hallstack").iterdir()) == before
    assert not (root / paths.KEEPALIVED_CONF.relative_to("/")).exists()
    assert flash("node", "--target", card, "--node", "hub-a", "--role", "standby",
                 "--config", hall, "--force")[0] == 0
    (root / "etc/systemd/system/hallstack-hub-standby.service").unlink()
    rc, said = flash("firstboot", "--root", root)
    assert rc == 1 and "install the hub bundle first" in said, said


def test_the_bundles_carry_what_the_standby_machines_need(tmp_path):
    assert {"etcd-server", "keepalived"} <= set(bundle.ROLE_DEBS["hub"])
    assert "etcd-server" in bundle.ROLE_DEBS["witness"] and "witness" in bundle.ROLES
    root = tmp_path / "root"
    staged = tmp_path / "bundle"
    staged.mkdir()
    bundle.add_installer(ROOT, staged)
    bundle_install.install_units(staged, root, log=lambda _: None)
    names = {p.name for p in (root / "etc/systemd/system").iterdir()}
    assert {"hallstack-etcd.service", "hallstack-hub-standby.service"} <= names
    assert {"hallstack-etcd.service", "hallstack-hub-standby.service"} <= set(
        paths.restart_patterns(root / "etc/systemd/system"))  # an upgrade restarts them
