"""A node Pi's first boot: install the identity ``hall-flash node`` wrote on its boot partition.

``hall-flash firstboot`` (run by ``hallstack-firstboot.service``, as root) reads
``hallstack/node.toml`` and ``broker.secret`` from the boot partition (``/boot/firmware``, or
``/boot`` on older images), checks them as ``hall-flash node`` did, and then:

1. copies ``hall.toml`` from the card to ``/etc/hallstack/hall.toml`` (if the card has one; else the
   image must already hold that file) and checks the node against it;
2. writes the broker credentials to ``/etc/hallstack/credentials/<env>``, folder 0700, file 0600,
   with the very names and keys ``hall-broker-config`` writes and the node's unit reads;
3. installs the card's ``chrony.conf`` as ``/etc/chrony/conf.d/hallstack.conf`` (the node's time
   comes from the hub machine) and restarts chrony if it runs;
4. enables and starts the node's unit (``systemctl enable``, ``start --no-block``);
5. removes the password and the hall config from the card, and renames ``node.toml`` to
   ``node.toml.installed``, so the service's condition no longer holds and the record stays.

A card of a standby hall's hub machine or witness (role ``standby``/``witness``) is
deploy.standby_card's to install. Every check runs before anything is written. A step that fails leaves the card as it was, so the
next boot tries again; each step is safe to repeat.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from deploy import paths, standby_card
from deploy.atomic import write_atomic
from deploy.card_io import read_node_toml, run_steps
from deploy.provision import (
    NodePlan,
    ProvisionError,
    check_chrony,
    check_plan,
    read_ca,
)

BOOT_DIRS = ("boot/firmware", "boot")  # Raspberry Pi OS since bookworm, then older images
ETC = paths.ETC.relative_to("/")
NODE_KEYS = {"node", "role", "window", "hall", "broker", "username", "password_file", "unit",
             "ca_file", "chrony_file"}
CHRONY_INSTALLED = paths.CHRONY_INSTALLED.relative_to("/")
CA_INSTALLED = str(paths.CA_INSTALLED)
INSTALLED_SUFFIX = ".installed"


@dataclass(frozen=True)
class Installed:
    """What a first boot installed."""

    plan: NodePlan
    env_file: Path
    hall_config: Path
    chrony: Path | None  # the node's NTP source, when the card carried one
    chrony_missing: bool = False  # the image has no chronyd: the source waits for it


@dataclass(frozen=True)
class Card:
    """What ``hall-flash node`` wrote: the plan, the password, the hall CA (mqtts only), the
    chrony snippet (cards from before it have none) and the card's files that go once
    installed."""

    plan: NodePlan
    password: str
    ca_pem: str | None
    chrony: str | None
    spent: tuple[Path, ...]


def find_card(root: Path = Path("/")) -> Path | None:
    """The ``hallstack`` folder holding a ``node.toml`` not yet installed, or None."""
    for boot in BOOT_DIRS:
        folder = Path(root) / boot / paths.CARD_FOLDER
        if (folder / "node.toml").is_file():
            return folder
    return None


def env_name(plan: NodePlan) -> str:
    """The credentials file the node's unit reads (systemd/*.service, deploy.broker_acl)."""
    return f"window-{plan.window}.env" if plan.role == "rater" else f"{plan.role}.env"


def render_env(plan: NodePlan, password: str) -> str:
    """The unit's EnvironmentFile: the keys ``hall-broker-config`` writes for this node."""
    values = {"HALL_BROKER": plan.broker, "HALL_MQTT_USERNAME": plan.username,
              "HALL_MQTT_PASSWORD": password, "HALL_NODE": plan.node_id}
    if plan.window is not None:
        values["HALL_WINDOW"] = str(plan.window)
    if plan.tls:
        values["HALL_MQTT_CA"] = CA_INSTALLED
    head = (f"# hallstack broker credentials of {plan.node_id} ({plan.role}), installed by "
            "hall-flash firstboot; secret: keep 0600, root-owned\n")
    return head + "".join(f"{k}={v}\n" for k, v in values.items())


def read_card(folder: Path) -> Card:
    """What the card holds, checked as ``hall-flash node`` checks it."""
    path = folder / "node.toml"
    node = read_node_toml(path, NODE_KEYS)
    for key in ("node", "role", "broker", "username", "password_file", "unit"):
        if not isinstance(node.get(key), str):
            raise ProvisionError(f"{path}: {key}: missing or not a string")
    window = node.get("window")
    if window is not None and (not isinstance(window, int) or isinstance(window, bool)):
        raise ProvisionError(f"{path}: window: {window!r} is not a number")
    secret = _beside(path, node, "password_file")
    try:
        password = (folder / secret).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ProvisionError(f"{folder / secret}: cannot read the broker password: {exc}") from None
    plan = check_plan(NodePlan(node["node"], node["role"], window, node["broker"],
                               node["username"], node.get("hall")), password)
    if node["unit"] != plan.unit:
        raise ProvisionError(f"{path}: unit {node['unit']!r} does not match role "
                             f"{plan.role!r} window {plan.window!r} ({plan.unit})")
    ca_pem, spent = None, [folder / secret, folder / "hall.toml"]
    if plan.tls or "ca_file" in node:
        if not plan.tls:
            raise ProvisionError(f"{path}: ca_file, but the broker {plan.broker} is not mqtts://")
        ca = _beside(path, node, "ca_file")
        ca_pem = read_ca(folder / ca)
        spent.append(folder / ca)
    chrony = None
    if "chrony_file" in node:
        name = _beside(path, node, "chrony_file")
        try:
            text = (folder / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProvisionError(f"{folder / name}: cannot read the node's NTP source: "
                                 f"{exc}") from None
        chrony = check_chrony(text, str(folder / name))
        spent.append(folder / name)
    return Card(plan, password, ca_pem, chrony, tuple(spent))


def _role(card: Path) -> object:
    """node.toml's role (a card that cannot be read is refused by read_card, naming why)."""
    try:
        return tomllib.loads((card / "node.toml").read_text(encoding="utf-8")).get("role")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def _beside(path: Path, node: dict, key: str) -> str:
    """A file name from node.toml that must name a file in the card's folder."""
    name = node.get(key)
    if not isinstance(name, str) or name != Path(name).name or name in ("", ".", ".."):
        raise ProvisionError(f"{path}: {key}: {name!r} must be a file beside node.toml")
    return name


def install(root: Path = Path("/"), card: Path | None = None,
            systemctl: str = "systemctl") -> Installed | standby_card.Installed | None:
    """Install the card's node under ``root``; None when there is nothing to install.

    With ``root`` other than ``/`` (an image being prepared, a test) the unit is enabled
    offline (``systemctl --root``) and not started.
    """
    root = Path(root)
    card = card or find_card(root)
    if card is None or not (card / "node.toml").is_file():
        return None
    if _role(card) in standby_card.ROLES:  # a standby hall's hub machine or witness
        return standby_card.install(root, card, systemctl)
    found = read_card(card)
    plan, password = found.plan, found.password
    etc = root / ETC
    hall_path = etc / paths.HALL_CONFIG.name
    card_hall = card / "hall.toml"
    source = card_hall if card_hall.is_file() else hall_path
    if not source.is_file():
        raise ProvisionError(f"no hall config: neither {card_hall} (hall-flash node --config) "
                             f"nor {hall_path} exists")
    checked = check_plan(plan, password, source)
    if plan.hall_id is not None and checked.hall_id != plan.hall_id:
        raise ProvisionError(f"{source}: hall {checked.hall_id!r}, but the card was written for "
                             f"hall {plan.hall_id!r}")
    hall_text = source.read_text(encoding="utf-8")
    credentials = etc / paths.CREDENTIALS.name
    env_file = credentials / env_name(plan)

    etc.mkdir(parents=True, exist_ok=True)
    credentials.mkdir(mode=0o700, exist_ok=True)
    os.chmod(credentials, 0o700)
    if source is card_hall:
        write_atomic(hall_path, hall_text, 0o644)
    if found.ca_pem is not None:
        write_atomic(credentials / "ca.crt", found.ca_pem, 0o644)
    write_atomic(env_file, render_env(plan, password), 0o600)
    chrony, chronyd = None, False
    if found.chrony is not None:
        chrony = root / CHRONY_INSTALLED
        chrony.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(chrony, found.chrony, 0o644)
        chronyd = any((root / d / "chronyd").is_file() for d in ("usr/sbin", "usr/bin"))
    _enable(root, plan.unit, systemctl, restart_chrony=chronyd)
    for path in found.spent:
        path.unlink(missing_ok=True)
    os.replace(card / "node.toml", card / ("node.toml" + INSTALLED_SUFFIX))
    return Installed(plan, env_file, hall_path, chrony, chrony is not None and not chronyd)


def _enable(root: Path, unit: str, systemctl: str, restart_chrony: bool = False) -> None:
    offline = root.resolve() != Path("/")
    steps = [[systemctl, f"--root={root}", "enable", unit]] if offline else [
        [systemctl, "enable", unit], [systemctl, "start", "--no-block", unit]]
    if restart_chrony and not offline:  # a chrony that runs reads its new source; else at boot
        steps.insert(0, [systemctl, "try-restart", "--no-block", "chrony.service"])
    run_steps(steps)
