"""hall-flash firstboot: a node Pi installs what ``hall-flash node`` wrote on its boot partition.

Each test builds a scratch system root (``/boot/firmware``, ``/etc``) in tmp_path; the unit is
enabled there by the real ``systemctl --root``, as when an image is prepared offline.
"""

from __future__ import annotations

import io
import shutil
import stat
from pathlib import Path

import pytest

from deploy.broker_acl import BrokerUser, parse_env
from deploy.firstboot import env_name, install
from deploy.flash_cli import main
from deploy.provision import NodePlan, ProvisionError, write_node
from wire.contract import Topics

ROOT = Path(__file__).resolve().parents[2]
HALL = ROOT / "examples" / "hall.toml"
PASSWORD = "Zk3_generated-by-hall-broker-config"
PLANS = {
    "kiosk": NodePlan("kiosk-1", "kiosk", None, "mqtt://10.0.0.2:1883", "kiosk-1"),
    "callboard": NodePlan("board-1", "callboard", None, "mqtt://10.0.0.2:1883", "board-1"),
    "rater": NodePlan("rater-3", "rater", 3, "mqtt://10.0.0.2:1883", "rater-3"),
}


def system(tmp_path: Path, plan: NodePlan, password: str = PASSWORD, *, boot="boot/firmware",
           hall: Path | None = HALL, ca: Path | None = None) -> Path:
    """A node image's root with the hallstack units installed and a provisioned card."""
    if not shutil.which("systemctl"):
        pytest.skip("systemctl missing: apt-get install systemd")
    root = tmp_path / "root"
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    for unit in (ROOT / "systemd").glob("*.service"):
        shutil.copy(unit, units / unit.name)
    (root / boot).mkdir(parents=True)
    write_node(root / boot, plan, password, hall, ca_file=ca)
    return root


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under ``root``: content (or link target) and mode."""
    out = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        if path.is_symlink():
            out[str(path.relative_to(root))] = ("link", str(path.readlink()))
        elif path.is_dir():
            out[str(path.relative_to(root))] = ("dir", stat.S_IMODE(st.st_mode))
        else:
            out[str(path.relative_to(root))] = (path.read_bytes(), stat.S_IMODE(st.st_mode))
    return out


def firstboot(root: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["firstboot", "--root", str(root), *extra], out), out.getvalue()


@pytest.mark.parametrize("role", PLANS)
def test_a_provisioned_card_boots_into_its_unit(tmp_path, role):
    plan = PLANS[role]
    root = system(tmp_path, plan)
    status, said = firstboot(root)
    assert status == 0, said
    assert plan.unit in said and "已安装节点" in said

    # the credentials: the file the unit's EnvironmentFile names, what hall-broker-config writes
    user = BrokerUser(plan.node_id, plan.role, plan.window, (), ())
    assert env_name(plan) == user.env_name
    credentials = root / "etc/hallstack/credentials"
    env_file = credentials / user.env_name
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o700
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    expected = {"HALL_BROKER": plan.broker, "HALL_MQTT_USERNAME": plan.username,
                "HALL_MQTT_PASSWORD": PASSWORD, "HALL_NODE": plan.node_id}
    if plan.window is not None:
        expected["HALL_WINDOW"] = str(plan.window)
    assert parse_env(env_file.read_text(), str(env_file)) == expected
    assert (root / "etc/hallstack/hall.toml").read_bytes() == HALL.read_bytes()

    # enabled as `systemctl enable` does it: a wants link to the (template) unit file
    link = root / "etc/systemd/system/multi-user.target.wants" / plan.unit
    assert link.is_symlink()
    assert link.readlink().name == plan.unit.replace("@3.", "@.")

    # the card keeps no password and no longer asks for a first boot
    card = root / "boot/firmware/hallstack"
    assert sorted(p.name for p in card.iterdir()) == ["node.toml.installed"]
    assert PASSWORD not in (card / "node.toml.installed").read_text()


def test_a_second_boot_changes_nothing(tmp_path):
    root = system(tmp_path, PLANS["rater"])
    assert firstboot(root)[0] == 0
    before = snapshot(root)
    status, said = firstboot(root)
    assert status == 0 and "无需操作" in said
    assert snapshot(root) == before


def test_an_older_image_boot_folder_is_found(tmp_path):
    root = system(tmp_path, PLANS["kiosk"], boot="boot")
    assert firstboot(root)[0] == 0
    assert (root / "etc/hallstack/credentials/kiosk.env").is_file()
    assert (root / "boot/hallstack/node.toml.installed").is_file()


def test_the_image_own_hall_config_serves_when_the_card_has_none(tmp_path):
    root = system(tmp_path, PLANS["callboard"], hall=None)
    (root / "etc/hallstack").mkdir(parents=True)
    shutil.copy(HALL, root / "etc/hallstack/hall.toml")
    assert firstboot(root)[0] == 0
    assert (root / "etc/hallstack/credentials/callboard.env").is_file()


def _edit_card(root: Path, old: str, new: str) -> None:
    node = root / "boot/firmware/hallstack/node.toml"
    text = node.read_text()
    assert old in text
    node.write_text(text.replace(old, new))


BAD_CARDS = {
    "unknown key": (lambda r: _edit_card(r, "role =", 'colour = "red"\nrole ='), "unknown keys"),
    "unit of another window": (lambda r: _edit_card(r, "rater@3", "rater@4"), "does not match"),
    "window not a number": (lambda r: _edit_card(r, "window = 3", 'window = "3"'),
                            "not a number"),
    "broken toml": (lambda r: _edit_card(r, "role =", "role = = "), "cannot read"),
    "no password": (lambda r: (r / "boot/firmware/hallstack/broker.secret").unlink(),
                    "broker password"),
    "password elsewhere": (lambda r: _edit_card(r, '"broker.secret"', '"../../etc/shadow"'),
                           "beside node.toml"),
    "node the hall lacks": (lambda r: _edit_card(r, '"rater-3"', '"rater-93"'), "no node"),
    "another hall": (lambda r: _edit_card(r, 'hall = "demo"', 'hall = "other"'), "other"),
    "no hall config anywhere": (
        lambda r: (r / "boot/firmware/hallstack/hall.toml").unlink(), "no hall config"),
    "a CA for a plain broker": (lambda r: _edit_card(r, "role =", 'ca_file = "ca.crt"\nrole ='),
                                "not mqtts"),
    "unit not on the image": (
        lambda r: (r / "etc/systemd/system/hallstack-rater@.service").unlink(), "rater@3"),
}


@pytest.mark.parametrize("case", BAD_CARDS)
def test_a_bad_card_is_refused_with_its_reason_and_stays_for_the_next_boot(tmp_path, case):
    damage, words = BAD_CARDS[case]
    root = system(tmp_path, PLANS["rater"])
    damage(root)
    card_before = snapshot(root / "boot")
    units_before = snapshot(root / "etc/systemd")
    status, said = firstboot(root)
    assert status == 1 and words in said, said
    assert snapshot(root / "boot") == card_before  # the next boot tries again
    assert snapshot(root / "etc/systemd") == units_before  # nothing enabled
    if case != "unit not on the image":  # checks come first: nothing written at all
        assert not (root / "etc/hallstack/credentials").exists()


def test_no_card_is_nothing_to_do_and_a_garbled_one_is_refused(tmp_path):
    (tmp_path / "boot/firmware").mkdir(parents=True)
    assert install(tmp_path) is None
    with pytest.raises(ProvisionError, match="cannot read"):
        install(tmp_path, card=_card_with(tmp_path, "node = 3\n"))


def _card_with(tmp_path: Path, node_toml: str) -> Path:
    card = tmp_path / "card"
    card.mkdir()
    (card / "node.toml").write_bytes(node_toml.encode() + b"\xff")
    return card


def test_the_installed_credentials_log_in_at_the_production_broker(tmp_path, prod_broker, peers):
    """The chain a technician follows: hall-broker-config's password for rater-3 goes on the
    card (hall-flash node), the Pi's first boot installs it, and with the installed file the
    node logs in to a Mosquitto running the production config and may write its own requests."""
    password_file = tmp_path / "pw.txt"
    password_file.write_text(prod_broker.password("rater-3") + "\n")
    root = system(tmp_path, PLANS["rater"], prod_broker.password("rater-3"))
    shutil.rmtree(root / "boot/firmware/hallstack")
    out = io.StringIO()
    assert main(["node", "--target", str(root / "boot/firmware"), "--node", "rater-3", "--role",
                 "rater", "--window", "3", "--broker", prod_broker.url, "--password-file",
                 str(password_file), "--config", str(HALL)], out) == 0, out.getvalue()
    assert firstboot(root)[0] == 0
    env = parse_env((root / "etc/hallstack/credentials/window-3.env").read_text(), "window-3")
    assert env["HALL_BROKER"] == prod_broker.url

    hub = peers(prod_broker.port, "hub", prod_broker.password("hub"))
    assert not hub.connect().is_failure
    topics = Topics(prod_broker.config.hall_id)
    assert hub.subscribe(topics.req("rater-3")) == [1]
    node = peers(prod_broker.port, env["HALL_MQTT_USERNAME"], env["HALL_MQTT_PASSWORD"])
    assert not node.connect().is_failure
    node.publish(topics.req("rater-3"), b'{"probe": 1}')
    hub.receive_until(topics.req("rater-3"), b'{"probe": 1}')


def test_a_tls_card_installs_the_hall_ca_and_the_node_trusts_the_broker(tmp_path, tls_broker,
                                                                         hall_clock, monkeypatch):
    """mqtts://: the card carries the hall CA (ca.crt from the node's credentials folder); the
    first boot installs it where the env file says, and with it the node logs in over TLS."""
    from wire.client import HubClient

    env = tls_broker.env("board-1")
    plan = NodePlan("board-1", "callboard", None, env["HALL_BROKER"], "board-1")
    root = system(tmp_path, plan, env["HALL_MQTT_PASSWORD"],
                  ca=tls_broker.credentials / "board-1" / "ca.crt")
    assert (root / "boot/firmware/hallstack/ca.crt").is_file()
    status, said = firstboot(root)
    assert status == 0, said
    credentials = root / "etc/hallstack/credentials"
    installed = parse_env((credentials / "callboard.env").read_text(), "callboard.env")
    assert installed == env  # the very file hall-broker-config wrote for this node
    assert (credentials / "ca.crt").read_bytes() == (tls_broker.tls_dir / "ca.crt").read_bytes()
    assert not (root / "boot/firmware/hallstack/ca.crt").exists()

    monkeypatch.setenv("HALL_MQTT_CA", str(credentials / "ca.crt"))  # the image's path, rooted
    client = HubClient(tls_broker.config, installed["HALL_NODE"], installed["HALL_BROKER"],
                       hall_clock, username=installed["HALL_MQTT_USERNAME"],
                       password=installed["HALL_MQTT_PASSWORD"])
    client.start()
    try:
        assert client.wait_connected(10)
    finally:
        client.stop()


def test_a_tls_card_without_its_ca_is_refused(tmp_path):
    plan = NodePlan("board-1", "callboard", None, "mqtts://hallhub.lan:8883", "board-1")
    with pytest.raises(ProvisionError, match="--ca-file"):
        system(tmp_path, plan)
    with pytest.raises(ProvisionError, match="not a PEM"):
        system(tmp_path / "2", plan, ca=HALL)


def test_the_broker_certificate_is_not_taken_for_the_hall_ca(tmp_path, tls_broker):
    plan = NodePlan("board-1", "callboard", None, "mqtts://localhost:8883", "board-1")
    with pytest.raises(ProvisionError, match="not the hall CA"):
        system(tmp_path, plan, ca=tls_broker.tls_dir / "broker.crt")
