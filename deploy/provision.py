"""Provision a Raspberry Pi node: write its identity and broker credentials onto its boot partition.

``hall-flash node`` writes a ``hallstack/`` folder into a directory or a mounted boot partition
(``/media/$USER/bootfs`` on the technician's PC, ``/boot/firmware`` on the Pi)::

    hallstack/node.toml       node id, role, window, hall id, broker URL, user, the unit to start
    hallstack/broker.secret   the node's broker password, mode 0600
    hallstack/hall.toml       a copy of the hall config (when given)
    hallstack/chrony.conf     the node's NTP source: the hub machine, the hall's one time authority

The first-boot service reads ``node.toml``, enables ``unit`` (hallstack-kiosk,
hallstack-callboard or hallstack-rater@N) and installs ``chrony.conf`` as
``/etc/chrony/conf.d/hallstack.conf``. Everything is checked before the first file is
written, and each file is written to a temporary name and renamed, so a pulled card never holds
half a configuration. This module reads the hall config as plain TOML: deploy reads only
what it needs.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from deploy import paths
from deploy.atomic import write_atomic

ROLES = ("kiosk", "callboard", "rater")
CA_FILE = "ca.crt"  # the hall CA on the card, for an mqtts:// broker
CHRONY_FILE = "chrony.conf"  # the node's NTP source on the card
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$")  # a host name, IPv4 or IPv6 address
_NODE_ID = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_USER = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_PASSWORD = re.compile(r"[!#%-&(-\[\]-~]{1,128}")  # printable ASCII but space " $ ' \\


class ProvisionError(ValueError):
    """A node that must not be provisioned as asked; the message names the field."""


@dataclass(frozen=True)
class NodePlan:
    """Everything a node needs to boot into its role."""

    node_id: str
    role: str
    window: int | None
    broker: str
    username: str
    hall_id: str | None = None

    @property
    def tls(self) -> bool:
        """The broker is ``mqtts://``: the node checks it against the hall CA on the card."""
        return self.broker.startswith("mqtts://")

    @property
    def hub_host(self) -> str:
        """The hub machine: the broker's host, which also serves the hall's time."""
        return urlsplit(self.broker).hostname or ""

    @property
    def unit(self) -> str:
        """The systemd unit this node starts."""
        if self.role == "rater":
            return paths.unit_of(self.role, self.window)
        return paths.unit_of(self.role)


def check_plan(plan: NodePlan, password: str, hall_config: Path | None = None) -> NodePlan:
    """Check every field (and against the hall config when given); ProvisionError otherwise."""
    if not _NODE_ID.match(plan.node_id):
        raise ProvisionError(f"node id {plan.node_id!r}: lower-case letters, digits and '-', "
                             "starting with a letter, at most 32")
    if plan.role not in ROLES:
        raise ProvisionError(f"role {plan.role!r}: must be one of {', '.join(ROLES)}")
    if plan.role == "rater":
        if not isinstance(plan.window, int) or not 1 <= plan.window <= 999:
            raise ProvisionError("window: a rater node needs its window number (1–999)")
    elif plan.window is not None:
        raise ProvisionError(f"window: a {plan.role} node serves no single window")
    url = urlsplit(plan.broker)
    try:
        port = url.port
    except ValueError:
        port = None
    if (url.scheme not in ("mqtt", "mqtts") or not url.hostname or port is None or url.path
            or url.query):
        raise ProvisionError(f"broker {plan.broker!r}: expected mqtt://host:port or "
                             "mqtts://host:port")
    if not _HOST.match(url.hostname):
        raise ProvisionError(f"broker {plan.broker!r}: host {url.hostname!r} is not a host name "
                             "or an IP address")
    if not _USER.match(plan.username):
        raise ProvisionError(f"username {plan.username!r}: 1–64 letters, digits, '_', '.', '-'")
    if not _PASSWORD.fullmatch(password):
        raise ProvisionError("password: 1–128 printable ASCII characters without spaces, quotes, "
                             "'\\' or '$' (it goes into a systemd EnvironmentFile as it is)")
    if hall_config is not None:
        plan = _check_against_hall(plan, Path(hall_config))
    return plan


def _check_against_hall(plan: NodePlan, path: Path) -> NodePlan:
    try:
        hall = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProvisionError(f"{path}: cannot read the hall config: {exc}") from None
    nodes = {n.get("id"): n for n in hall.get("nodes", []) if isinstance(n, dict)}
    node = nodes.get(plan.node_id)
    if node is None:
        raise ProvisionError(f"{path}: nodes: no node {plan.node_id!r}; the hall has "
                             f"{', '.join(sorted(map(str, nodes))) or 'none'}")
    if node.get("role") != plan.role or node.get("window") != plan.window:
        raise ProvisionError(f"{path}: node {plan.node_id!r} is role {node.get('role')!r} "
                             f"window {node.get('window')!r}, not {plan.role!r} {plan.window!r}")
    hall_id = hall.get("hall", {}).get("id")
    return NodePlan(plan.node_id, plan.role, plan.window, plan.broker, plan.username, hall_id)


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest as is."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render_node_toml(plan: NodePlan) -> str:
    """The text of node.toml."""
    lines = ["# Written by hall-flash node. The first-boot service enables `unit`.",
             f"node = {toml_string(plan.node_id)}", f"role = {toml_string(plan.role)}"]
    if plan.window is not None:
        lines.append(f"window = {plan.window}")
    if plan.hall_id is not None:
        lines.append(f"hall = {toml_string(plan.hall_id)}")
    lines += [f"broker = {toml_string(plan.broker)}", f"username = {toml_string(plan.username)}",
              'password_file = "broker.secret"', f"unit = {toml_string(plan.unit)}",
              f"chrony_file = {toml_string(CHRONY_FILE)}"]
    if plan.tls:
        lines.append(f"ca_file = {toml_string(CA_FILE)}")
    return "\n".join(lines) + "\n"


def render_chrony(plan: NodePlan) -> str:
    """The node's chrony snippet: its time comes from the hub machine (which serves the hall
    LAN, with or without internet: systemd/chrony/hallstack-hub.conf)."""
    return ("# hallstack: this node's time comes from the hall's hub machine, the hall's one time\n"
            "# authority. Written by hall-flash node; hall-flash firstboot installs it as\n"
            "# /etc/chrony/conf.d/hallstack.conf. Debian's makestep 1 3 steps a clock that\n"
            "# booted with its last shutdown's time on the first answers.\n"
            f"server {plan.hub_host} iburst prefer\n")


def check_chrony(text: str, where: str) -> str:
    """A card's chrony snippet: comments and ``server``/``pool`` lines with a plain host and
    plain options only (it is installed as root); ProvisionError naming the line otherwise."""
    sources = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", "!", ";", "%")):
            continue
        words = line.split()
        if (words[0] not in ("server", "pool") or len(words) < 2 or not _HOST.match(words[1])
                or not all(re.fullmatch(r"[a-z0-9.-]+", w) for w in words[2:])):
            raise ProvisionError(f"{where}: line {number}: {line!r}: only server/pool lines "
                                 "naming the hall's time source belong here")
        sources += 1
    if sources == 0:
        raise ProvisionError(f"{where}: no server line: the node would have no time source")
    return text


def write_node(target: Path, plan: NodePlan, password: str, hall_config: Path | None = None,
               force: bool = False, ca_file: Path | None = None) -> Path:
    """Check, then write the node's files under ``target/hallstack``; return that folder.
    An ``mqtts://`` broker needs ``ca_file``, the hall CA (``hall-broker-config``'s ca.crt)."""
    target = Path(target)
    plan = check_plan(plan, password, hall_config)
    ca_pem = read_ca(ca_file) if plan.tls or ca_file is not None else None
    if ca_pem is not None and not plan.tls:
        raise ProvisionError(f"ca file {ca_file}: the broker {plan.broker} is not mqtts://")
    if not target.is_dir():
        raise ProvisionError(f"target {target}: not a directory (is the boot partition mounted?)")
    folder = target / paths.CARD_FOLDER
    if (folder / "node.toml").exists() and not force:
        raise ProvisionError(f"{folder / 'node.toml'} exists; pass --force to replace it")
    folder.mkdir(exist_ok=True)
    write_atomic(folder / "broker.secret", password + "\n", 0o600)
    write_atomic(folder / CHRONY_FILE, render_chrony(plan), 0o644)
    if ca_pem is not None:
        write_atomic(folder / CA_FILE, ca_pem, 0o644)
    if hall_config is not None:
        write_atomic(folder / "hall.toml", Path(hall_config).read_text(encoding="utf-8"), 0o644)
    write_atomic(folder / "node.toml", render_node_toml(plan), 0o644)  # last: it marks completion
    return folder


def read_ca(path: Path | None) -> str:
    """The hall CA's PEM text from ``path``; ProvisionError unless it is one CA certificate."""
    if path is None:
        raise ProvisionError("an mqtts:// broker needs --ca-file: the hall CA, ca.crt in the "
                             "node's folder from hall-broker-config")
    from cryptography import x509

    try:
        text = Path(path).read_text(encoding="ascii")
        cert = x509.load_pem_x509_certificate(text.encode())
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (OSError, UnicodeDecodeError, ValueError, x509.ExtensionNotFound) as exc:
        raise ProvisionError(f"ca file {path}: not a PEM CA certificate ({exc})") from None
    if not is_ca:
        raise ProvisionError(f"ca file {path}: a server certificate, not the hall CA (ca.crt)")
    return text
