"""Where an installed hall keeps things: paths, users and systemd units, each named once.

The units are the files shipped in ``systemd/``: :func:`role_units` reads a folder of them (the
source tree's, a bundle's, or ``/etc/systemd/system``), so a list of units (the upgrade's
restarts, the tests) is the shipped files' and cannot drift from them; :func:`unit_of` names one
role's unit by the files' naming rule, which tests/deploy/test_paths.py holds to the files.

Standard library only: a bundle carries this file beside its ``install.py``
(deploy/bundle_install.py), which the Pi runs with the system python3 before hallstack exists.
"""

from __future__ import annotations

from pathlib import Path

PREFIX = Path("/opt/hallstack")  # releases/, current, previous, venv -> current/venv
VENV_BIN = PREFIX / "venv" / "bin"  # what the units' ExecStart run
ETC = Path("/etc/hallstack")
HALL_CONFIG = ETC / "hall.toml"
CREDENTIALS = ETC / "credentials"  # one broker env file per node (0600), ca.crt
CA_INSTALLED = CREDENTIALS / "ca.crt"  # where each machine keeps its folder's ca.crt
STATE = Path("/var/lib/hallstack")  # the units' StateDirectory
DB = STATE / "hall.db"
BROKER_ETC = Path("/etc/mosquitto/hallstack")  # systemd/mosquitto/hallstack.conf reads these
PASSWD = BROKER_ETC / "passwd"
ACL = BROKER_ETC / "acl"
TLS_DIR = BROKER_ETC / "tls"  # certfile/keyfile of hallstack-tls.conf and mosquitto-county.conf
BRIDGE_CA = BROKER_ETC / "county-ca.crt"  # where a site keeps the county's CA
COUNTY_BROKER_ETC = Path("/etc/mosquitto/county")  # hall-broker-config county --out
CHRONY_INSTALLED = Path("/etc/chrony/conf.d/hallstack.conf")  # Debian's chrony reads conf.d
CARD_FOLDER = "hallstack"  # the boot partition's folder hall-flash node writes
# a standby hall's machines (docs/standby.md, deploy/standby_files.py, deploy/standby_card.py)
STANDBY_ENV = ETC / "standby.env"  # HALL_MACHINE of a hub machine (hallstack-hub-standby)
ETCD_ENV = ETC / "etcd.env"  # every etcd member's ETCD_* (hallstack-etcd.service)
KEEPALIVED_CONF = Path("/etc/keepalived/keepalived.conf")  # Debian's keepalived reads it
STANDBY_UNITS = "standby"  # the units' sub-folder of systemd/ (installed beside the others)

USER = "hallstack"  # the units' User= and Group= (systemd/sysusers.d/hallstack.conf)
BROKER_GROUP = "mosquitto"  # Mosquitto drops to it before reading passwd and acl

SYSTEMD = Path(__file__).resolve().parents[1] / "systemd"  # the source tree's shipped units
UNIT_PREFIX = "hallstack-"
FIRSTBOOT_UNIT = "hallstack-firstboot.service"  # a node image's one-shot installer, not a role


def under(root: Path, path: Path) -> Path:
    """``path`` inside the system root ``root`` (an image being prepared, a test's scratch)."""
    return Path(root) / path.relative_to("/")


def role_units(folder: Path = SYSTEMD) -> dict[str, str]:
    """Role -> unit file name of every hallstack unit in ``folder`` but the first-boot one
    (``hallstack-rater@.service`` is the template of role ``rater``)."""
    return {unit.name[len(UNIT_PREFIX):].split("@")[0].removesuffix(".service"): unit.name
            for unit in sorted(Path(folder).glob(f"{UNIT_PREFIX}*.service"))
            if unit.name != FIRSTBOOT_UNIT}


def restart_patterns(folder: Path = SYSTEMD) -> list[str]:
    """The role units in ``folder`` as ``systemctl try-restart`` patterns (a template's
    instances as ``name@*.service``)."""
    return [name.replace("@.service", "@*.service") for name in role_units(folder).values()]


def unit_of(role: str, instance: int | str | None = None) -> str:
    """The unit that runs ``role`` (with ``instance``: the template's instance, a window)."""
    if instance is None:
        return f"{UNIT_PREFIX}{role}.service"
    return f"{UNIT_PREFIX}{role}@{instance}.service"
