"""hall-broker-config: the broker's password file and ACL, generated from the hall config.

Every node gets its own broker user (its node id) and a random password. The ACL lets a node
write only its own ``req`` and ``node/{id}/status|health`` topics and read its own ``resp`` plus
the hub's ``event`` and ``state`` topics; the hub (user ``hub``) reads every ``req`` and node
status/health and writes ``resp``, ``event`` and ``state``. Nobody else reads ``req``: a
``ticket.take`` request carries a resident ID number and a phone number.

Outputs:
  * ``--passwd``: Mosquitto password file, PBKDF2-SHA512 hashes in its ``$7$`` format;
  * ``--acl``: Mosquitto ACL file, one ``user`` block per node and one for the hub;
  * ``--credentials DIR``: one folder per broker user holding the env file its systemd unit
    reads (``hub.env``, ``kiosk.env``, ``callboard.env``, ``window-N.env``, ``admin.env``, ``web.env``),
    folders 0700, files 0600. Provisioning copies a node's folder to
    ``/etc/hallstack/credentials/`` on its Pi.

Passwords already in DIR are kept (a provisioned Pi keeps working); ``--rotate NODE`` gives one
user a new password. A bad config or a damaged credentials file is refused before anything is
written. See docs/deploy.md.
"""

from __future__ import annotations

import argparse
import base64
import grp
import hashlib
import hmac
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from deploy import paths
from deploy.atomic import write_atomic
from deploy.broker_tls import TlsError, ensure_tls
from wire.config import HUB_NODE, ConfigError, HallConfig, load_config
from wire.contract import Topics

HUB_USER = HUB_NODE
PBKDF2_ITERATIONS = 101  # Mosquitto's default; the passwords are random 192-bit strings
MAX_ITERATIONS = 1_000_000
SALT_BYTES = 12  # what mosquitto_passwd uses
PASSWORD_RE = re.compile(r"[A-Za-z0-9_-]{24,128}")  # what we generate: env-file safe, no quoting
USER_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # node ids are checked by wire.config the same way
ENV_NAMES = ("HALL_BROKER", "HALL_NODE", "HALL_WINDOW", "HALL_MQTT_USERNAME",
             "HALL_MQTT_PASSWORD", "HALL_MQTT_CA")
CA_INSTALLED = str(paths.CA_INSTALLED)  # the env files' HALL_MQTT_CA


class BrokerConfigError(ValueError):
    """The config, the credentials folder or an argument cannot give a safe broker setup."""


@dataclass(frozen=True)
class BrokerUser:
    """One broker user: the topics it may read and write (MQTT filters)."""

    username: str
    role: str  # hub | kiosk | callboard | rater | admin | web
    window: int | None
    reads: tuple[str, ...]
    writes: tuple[str, ...]

    @property
    def env_name(self) -> str:
        """The env file this user's systemd unit reads (systemd/*.service)."""
        if self.role == "rater":
            return f"window-{self.window}.env"
        return f"{self.role}.env"


def broker_users(cfg: HallConfig, hub_user: str = HUB_USER) -> list[BrokerUser]:
    """The hub's user and one user per node of ``cfg``, with their topics."""
    if not USER_RE.fullmatch(hub_user):
        raise BrokerConfigError(f"hub user {hub_user!r}: use ASCII letters, digits, - or _")
    if hub_user in cfg.nodes:
        raise BrokerConfigError(
            f"{cfg.source}: nodes: node id {hub_user!r} is the hub's own broker user and status "
            f"topic; rename the node")
    t = Topics(cfg.hall_id)
    users = [BrokerUser(
        hub_user, "hub", None,
        # hub/probe: how a hub learns whether another hub serves the hall (hub.claim); req:
        # only to clear a request someone left retained (the hub never acts on one)
        reads=(t.req("+"), t.node_status("+"), t.node_health("+"), f"{t.base}/hub/probe"),
        writes=(t.resp("#"), t.event("#"), t.state("#"), t.node_status(hub_user),
                t.node_health(hub_user), f"{t.base}/hub/probe", t.req("+")),
    )]
    for node in cfg.nodes.values():
        if not USER_RE.fullmatch(node.id):
            raise BrokerConfigError(f"{cfg.source}: nodes: id {node.id!r} cannot be a broker user")
        reads = [t.resp(node.id), t.event("#"), t.state("#")]
        if node.role in ("admin", "web"):  # the manager's desk and console show nodes up
            reads += [t.node_status("+"), t.node_health("+")]
        users.append(BrokerUser(
            node.id, node.role, node.window, reads=tuple(reads),
            writes=(t.req(node.id), t.node_status(node.id), t.node_health(node.id)),
        ))
    return users


def render_acl(cfg: HallConfig, users: list[BrokerUser]) -> str:
    """Mosquitto's acl_file text: nothing for anonymous, one block per user."""
    lines = [
        f"# hallstack broker ACL for hall {cfg.hall_id!r}, generated from {cfg.source} by",
        "# hall-broker-config: do not edit by hand (edit the hall config and run it again).",
        "# No topic lines before the first 'user': anonymous clients get nothing.",
    ]
    for u in users:
        lines += ["", f"user {u.username}"]
        lines += [f"topic read {topic}" for topic in u.reads]
        lines += [f"topic write {topic}" for topic in u.writes]
    return "\n".join(lines) + "\n"


# -- passwords ------------------------------------------------------------------------------
def new_password() -> str:
    """A random password (32 URL-safe characters, 192 bits)."""
    return secrets.token_urlsafe(24)


def hash_password(password: str, salt: bytes | None = None,
                  iterations: int = PBKDF2_ITERATIONS) -> str:
    """``$7$iterations$salt$hash``: PBKDF2-HMAC-SHA512, base64, as mosquitto_passwd writes it."""
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be 1…{MAX_ITERATIONS}")
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return (f"$7${iterations}${base64.b64encode(salt).decode()}"
            f"${base64.b64encode(digest).decode()}")


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``encoded`` (a ``$7$`` hash) is the hash of ``password``; ValueError if malformed."""
    parts = encoded.split("$")
    if len(parts) != 5 or parts[0] != "" or parts[1] != "7" or not parts[2].isdigit():
        raise ValueError(f"not a $7$ PBKDF2-SHA512 hash: {encoded[:12]!r}…")
    try:
        salt = base64.b64decode(parts[3], validate=True)
        digest = base64.b64decode(parts[4], validate=True)
    except ValueError:
        raise ValueError("$7$ hash with bad base64") from None
    iterations = int(parts[2])
    if not 1 <= iterations <= MAX_ITERATIONS:  # a huge count would hang the check
        raise ValueError(f"$7$ hash with {iterations} iterations (1…{MAX_ITERATIONS})")
    again = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(again, digest)


def render_passwd(passwords: dict[str, str]) -> str:
    """Mosquitto's password_file text: ``user:$7$…`` lines."""
    for user in passwords:
        if not USER_RE.fullmatch(user):
            raise BrokerConfigError(f"broker user {user!r}: use ASCII letters, digits, - or _")
    return "".join(f"{user}:{hash_password(pw)}\n" for user, pw in passwords.items())


# -- credentials env files ------------------------------------------------------------------
def render_env(user: BrokerUser, password: str, broker_url: str) -> str:
    """The systemd EnvironmentFile of one broker user (plain KEY=value lines); an ``mqtts://``
    broker adds ``HALL_MQTT_CA``, the hall CA copied beside the file."""
    if not PASSWORD_RE.fullmatch(password):
        raise BrokerConfigError(f"{user.username}: password is not a generated one")
    check_broker_url(broker_url)
    values = {"HALL_BROKER": broker_url, "HALL_MQTT_USERNAME": user.username,
              "HALL_MQTT_PASSWORD": password}
    if user.role != "hub":
        values["HALL_NODE"] = user.username
    if user.window is not None:
        values["HALL_WINDOW"] = str(user.window)
    if broker_url.startswith("mqtts://"):
        values["HALL_MQTT_CA"] = CA_INSTALLED
    head = (f"# hallstack broker credentials of {user.username} ({user.role}); "
            "secret: keep 0600, root-owned\n")
    return head + "".join(f"{k}={v}\n" for k, v in values.items())


def check_broker_url(url: str) -> None:
    """BrokerConfigError unless ``url`` is a plain ``mqtt://`` or ``mqtts://host[:port]`` (it goes
    in env files)."""
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError:
        port, parsed = -1, None
    if (parsed is None or parsed.scheme not in ("mqtt", "mqtts") or not parsed.hostname
            or port == -1
            or parsed.path or parsed.query or parsed.fragment or "@" in parsed.netloc
            or not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", parsed.netloc)):
        raise BrokerConfigError(f"broker must look like mqtt://host:port or mqtts://host:port, "
                                f"got {url!r}")


def parse_env(text: str, source: str) -> dict[str, str]:
    """Read an env file written by :func:`render_env`; BrokerConfigError on anything else."""
    values: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or key not in ENV_NAMES or key in values:
            raise BrokerConfigError(f"{source}:{n}: unexpected line {line[:40]!r}")
        values[key] = value
    return values


def _existing_password(path: Path, username: str) -> str | None:
    """The password kept in ``path``; None when there is no file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise BrokerConfigError(f"{path}: cannot read: {exc}") from None
    values = parse_env(text, str(path))
    if values.get("HALL_MQTT_USERNAME") != username:
        raise BrokerConfigError(f"{path}: HALL_MQTT_USERNAME is "
                                f"{values.get('HALL_MQTT_USERNAME')!r}, expected {username!r}")
    password = values.get("HALL_MQTT_PASSWORD", "")
    if not PASSWORD_RE.fullmatch(password):
        raise BrokerConfigError(f"{path}: HALL_MQTT_PASSWORD is not a generated password; "
                                f"use --rotate {username} to replace it")
    return password


# -- writing --------------------------------------------------------------------------------
def _broker_group(name: str | None) -> int | None:
    """The gid that may read passwd/acl: Mosquitto drops to it before opening them (as root)."""
    if name is None or os.geteuid() != 0:
        return None
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise BrokerConfigError(f"group {name!r} does not exist (is mosquitto installed?); "
                                "pass --group to name Mosquitto's group") from None


@dataclass
class Result:
    """What a run wrote: users with new passwords, users kept, stale credential folders."""

    created: list[str]
    kept: list[str]
    stale: list[str]


def generate(cfg: HallConfig, credentials: Path, passwd: Path, acl: Path, broker_url: str,
             hub_url: str = "mqtt://127.0.0.1:1883", rotate: tuple[str, ...] = (),
             hub_user: str = HUB_USER, group: str | None = paths.BROKER_GROUP,
             tls_dir: Path | None = None, tls_hosts: tuple[str, ...] = ()) -> Result:
    """Write credentials, password file and ACL for ``cfg``; nothing is written on an error.
    With an ``mqtts://`` broker, also the hall CA and the broker's certificate in ``tls_dir``
    (for the broker URLs' hosts and ``tls_hosts``), and ``ca.crt`` in every user's folder."""
    users = broker_users(cfg, hub_user)
    names = [u.username for u in users]
    unknown = [r for r in rotate if r not in names]
    if unknown:
        raise BrokerConfigError(f"--rotate: no broker user {', '.join(unknown)}; "
                                f"known: {', '.join(names)}")
    gid = _broker_group(group)
    passwords: dict[str, str] = {}
    envs: dict[Path, str] = {}
    result = Result([], [], [])
    for u in users:  # read and check everything before writing anything
        path = credentials / u.username / u.env_name
        kept = None if u.username in rotate else _existing_password(path, u.username)
        passwords[u.username] = kept or new_password()
        (result.kept if kept else result.created).append(u.username)
        url = hub_url if u.role == "hub" else broker_url
        envs[path] = render_env(u, passwords[u.username], url)
    acl_text = render_acl(cfg, users)
    passwd_text = render_passwd(passwords)
    tls_urls = [u for u in (broker_url, hub_url) if u.startswith("mqtts://")]
    if tls_urls and tls_dir is None:
        raise BrokerConfigError("an mqtts:// broker needs --tls-dir for the hall CA and the "
                                "broker's certificate")
    if credentials.is_dir():
        result.stale = sorted(p.name for p in credentials.iterdir()
                              if p.is_dir() and p.name not in names)

    ca_pem = None
    if tls_urls:
        hosts = list(dict.fromkeys([urlparse(u).hostname for u in tls_urls] + list(tls_hosts)))
        try:
            ca_pem = ensure_tls(tls_dir, cfg.hall_id, hosts, gid).ca_cert.read_bytes()
        except TlsError as exc:
            raise BrokerConfigError(str(exc)) from None
    credentials.mkdir(parents=True, exist_ok=True)
    os.chmod(credentials, 0o700)
    for path, text in envs.items():
        path.parent.mkdir(exist_ok=True)
        os.chmod(path.parent, 0o700)
        write_atomic(path, text, 0o600)
        if ca_pem is not None:
            write_atomic(path.parent / "ca.crt", ca_pem, 0o644)
    write_atomic(passwd, passwd_text, 0o640, gid)
    write_atomic(acl, acl_text, 0o640, gid)
    return result


def main(argv: list[str] | None = None) -> int:
    """``hall-broker-config`` for the hall's own broker (the front end: deploy.broker_cli)."""
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="hall-broker-config", description=__doc__.split("\n")[0])
    p.add_argument("--config", required=True, help="the hall config (TOML)")
    p.add_argument("--broker", required=True,
                   help="mqtt://host:port the nodes use to reach the hub's broker")
    p.add_argument("--hub-broker", default="mqtt://127.0.0.1:1883",
                   help="mqtt://host:port the hub uses (default: the broker beside it)")
    p.add_argument("--credentials", default=paths.CREDENTIALS, type=Path,
                   help="folder of per-user env files (default %(default)s)")
    p.add_argument("--passwd", default=paths.PASSWD, type=Path)
    p.add_argument("--acl", default=paths.ACL, type=Path)
    p.add_argument("--group", default=paths.BROKER_GROUP,
                   help="group that may read passwd/acl when run as root (default %(default)s)")
    p.add_argument("--hub-user", default=HUB_USER)
    p.add_argument("--rotate", action="append", default=[], metavar="USER",
                   help="give USER a new password (repeatable)")
    p.add_argument("--tls-dir", type=Path, default=None,
                   help="with an mqtts:// broker: the hall CA and the broker's certificate "
                        f"(e.g. {paths.TLS_DIR})")
    p.add_argument("--tls-host", action="append", default=[], metavar="NAME",
                   help="another name or address of the broker for its certificate (repeatable)")
    args = p.parse_args(argv)
    try:
        cfg = load_config(args.config)
        result = generate(cfg, args.credentials, args.passwd, args.acl, args.broker,
                          args.hub_broker, tuple(args.rotate), args.hub_user, args.group,
                          args.tls_dir, tuple(args.tls_host))
    except (ConfigError, BrokerConfigError) as exc:
        print(f"hall-broker-config: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"hall-broker-config: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"hall-broker-config: {len(result.created)} new, {len(result.kept)} kept; wrote "
          f"{args.passwd}, {args.acl}, {args.credentials}/<user>/*.env")
    if result.created:
        print("  new passwords (copy these users' folders to their machines): "
              + ", ".join(result.created))
    if result.stale:
        print(f"  not in the config, no longer accepted by the broker: {', '.join(result.stale)}")
    print("  apply with: systemctl reload mosquitto")
    return 0


if __name__ == "__main__":
    sys.exit(main())
