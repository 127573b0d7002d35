"""``hall-flash node`` for a standby hall's machines (docs/standby.md): a hub machine that runs
the standby hub (role ``standby``: either of ``[standby] machines``) and the witness (role
``witness``: the third etcd member only).

The card's ``hallstack/`` folder holds ``node.toml`` (``node``, ``role``, ``hall``, ``units``),
``hall.toml`` and the files deploy.standby_files renders from its ``[standby]``: ``etcd.env``
for both roles, ``standby.env`` and ``keepalived.conf`` for a hub machine. First boot renders
them again from the card's hall.toml and refuses a card whose files differ (changed by hand, or
written for another hall.toml), installs them at deploy.paths' places, disables Debian's own
``etcd.service`` (it would hold port 2379) and ``hallstack-hub.service`` (one hub unit per
machine), and enables the role's units. The units themselves come with the bundle
(``systemd/standby/``, deploy.bundle_install). The broker's files of a hub machine (passwd, acl,
credentials/hub.env) are the hall's, copied from the other hub machine as docs/standby.md says:
both brokers must know every node's password.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from deploy import paths, standby_files
from deploy.atomic import write_atomic
from deploy.card_io import read_node_toml, run_steps
from deploy.provision import _NODE_ID as NODE_ID
from deploy.provision import ProvisionError, toml_string

ROLES = ("standby", "witness")
BUNDLE_ROLE = {"standby": "hub", "witness": "witness"}  # the bundle each role's Pi installs
WITNESS = "witness"  # the etcd member that is no hub machine (standby_files.members)
UNITS = {"standby": ("hallstack-etcd.service", "hallstack-hub-standby.service",
                     "keepalived.service"),
         "witness": ("hallstack-etcd.service",)}
#: card file -> where first boot installs it
INSTALLED = {"etcd.env": paths.ETCD_ENV, "standby.env": paths.STANDBY_ENV,
             "keepalived.conf": paths.KEEPALIVED_CONF}
NOT_HERE = ("etcd.service", "hallstack-hub.service")  # disabled on these machines
NODE_KEYS = {"node", "role", "hall", "units", "files"}


@dataclass(frozen=True)
class Installed:
    node: str
    role: str
    hall_config: Path
    files: tuple[Path, ...]
    units: tuple[str, ...]


def render(hall_config: Path, role: str, node: str) -> tuple[str, dict[str, str]]:
    """The hall id and the card's rendered files of ``node`` in ``role``; ProvisionError naming
    what the hall config lacks."""
    from wire.config import load_config

    if role not in ROLES:
        raise ProvisionError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    try:
        cfg = load_config(Path(hall_config))
    except (OSError, ValueError) as exc:
        raise ProvisionError(f"{hall_config}: {exc}") from None
    st = cfg.standby
    if not st.enabled:
        raise ProvisionError(f"{hall_config}: no [standby] section: the hall has one hub")
    try:
        if role == "witness":
            if node in st.machines:
                raise ProvisionError(f"node {node!r} is a hub machine of [standby] machines: "
                                     "give it role standby")
            return cfg.hall_id, {"etcd.env": standby_files.etcd_env(cfg, WITNESS)}
        env = standby_files.standby_env(cfg, node)  # names the machines when node is none
        return cfg.hall_id, {"etcd.env": standby_files.etcd_env(cfg, node), "standby.env": env,
                             "keepalived.conf": standby_files.keepalived_conf(cfg, node)}
    except ValueError as exc:
        raise ProvisionError(f"{hall_config}: {exc}") from None


def render_node_toml(node: str, role: str, hall: str, files: dict[str, str]) -> str:
    items = ", ".join(toml_string(u) for u in UNITS[role])
    names = ", ".join(toml_string(f) for f in files)
    return ("# Written by hall-flash node: a standby hall's machine (docs/standby.md).\n"
            f"node = {toml_string(node)}\nrole = {toml_string(role)}\n"
            f"hall = {toml_string(hall)}\nunits = [{items}]\nfiles = [{names}]\n")


def check(target: Path, role: str, node: str, hall_config: Path | None, force: bool) -> dict:
    """Everything checked before a file is written: the rendered files by name."""
    if not NODE_ID.match(node):
        raise ProvisionError(f"node id {node!r}: lower-case letters, digits and '-', starting "
                             "with a letter, at most 32")
    if hall_config is None:
        raise ProvisionError(f"--config: a {role} machine's files come from hall.toml's "
                             "[standby]")
    hall, files = render(hall_config, role, node)
    if not Path(target).is_dir():
        raise ProvisionError(f"target {target}: not a directory (is the boot partition mounted?)")
    folder = Path(target) / paths.CARD_FOLDER
    if (folder / "node.toml").exists() and not force:
        raise ProvisionError(f"{folder / 'node.toml'} exists; pass --force to replace it")
    return {"hall": hall, "files": files}


def write_card(target: Path, role: str, node: str, hall_config: Path | None,
               force: bool = False) -> Path:
    """Check, then write the machine's card under ``target/hallstack``; return that folder."""
    plan = check(target, role, node, hall_config, force)
    folder = Path(target) / paths.CARD_FOLDER
    folder.mkdir(exist_ok=True)
    write_atomic(folder / "hall.toml", Path(hall_config).read_text(encoding="utf-8"), 0o644)
    for name, text in plan["files"].items():
        write_atomic(folder / name, text, 0o644)
    write_atomic(folder / "node.toml", render_node_toml(node, role, plan["hall"], plan["files"]),
                 0o644)  # last: it marks completion
    return folder


def install(root: Path, card: Path, systemctl: str = "systemctl") -> Installed:
    """Install the card of a standby hall's machine under ``root`` (checks first)."""
    root, path = Path(root), card / "node.toml"
    node = read_node_toml(path, NODE_KEYS)
    role, name = node.get("role"), node.get("node")
    hall_path = root / paths.HALL_CONFIG.relative_to("/")
    source = card / "hall.toml" if (card / "hall.toml").is_file() else hall_path
    if not source.is_file():
        raise ProvisionError(f"no hall config: neither {card / 'hall.toml'} nor {hall_path}")
    hall, files = render(source, str(role), str(name))
    if node.get("hall") != hall:
        raise ProvisionError(f"{source}: hall {hall!r}, but the card was written for hall "
                             f"{node.get('hall')!r}")
    if node.get("units") != list(UNITS[role]) or node.get("files") != list(files):
        raise ProvisionError(f"{path}: units or files are not a {role} machine's")
    for fname, text in files.items():
        try:
            on_card = (card / fname).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProvisionError(f"{card / fname}: cannot read: {exc}") from None
        if on_card != text:
            raise ProvisionError(f"{card / fname}: not what {source} renders for {name} "
                                 "(changed by hand?): write the card again")
    units = root / "etc/systemd/system"
    missing = [u for u in UNITS[role] if u.startswith(paths.UNIT_PREFIX)
               and not (units / u).is_file()]
    if missing:
        raise ProvisionError(f"{units}: no {', '.join(missing)}: install the "
                             f"{BUNDLE_ROLE[role]} bundle first (docs/bundle.md)")
    if source != hall_path:
        write_atomic(hall_path, source.read_text(encoding="utf-8"), 0o644)
    done = []
    for fname, text in files.items():
        dest = root / INSTALLED[fname].relative_to("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(dest, text, 0o644)
        done.append(dest)
    _enable(root, UNITS[role], systemctl)
    for fname in ("hall.toml", *files):
        (card / fname).unlink(missing_ok=True)
    os.replace(path, card / "node.toml.installed")
    return Installed(str(name), str(role), hall_path, tuple(done), UNITS[role])


def _enable(root: Path, units: tuple[str, ...], systemctl: str) -> None:
    offline = root.resolve() != Path("/")
    base = [systemctl, f"--root={root}"] if offline else [systemctl]
    steps = [[*base, "disable", *([] if offline else ["--now"]), u] for u in NOT_HERE
             if _has_unit(root, u)]
    steps.append([*base, "enable", *units])
    if not offline:
        steps.append([systemctl, "start", "--no-block", *units])
    run_steps(steps)


def _has_unit(root: Path, unit: str) -> bool:
    return any((root / d / unit).is_file() for d in ("etc/systemd/system", "lib/systemd/system",
                                                      "usr/lib/systemd/system"))
