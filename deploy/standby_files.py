"""The files a standby hall's machines need beside the shipped units (docs/standby.md), from
hall.toml's ``[standby]``: each hub machine's ``standby.env`` and keepalived.conf, and every
etcd member's ``etcd.env`` (both hub machines and the witness).

``hall-hub``'s deploy room writes them as it writes the broker's files: from the config alone,
atomically, the etcd settings as Debian's etcd-server reads them (ETCD_* variables).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from wire.config import HallConfig

TEMPLATE = Path(__file__).resolve().parents[1] / "systemd" / "standby" / "keepalived.conf"
ETCD_DATA = "/var/lib/hallstack-etcd"
RUN_DIR = "/run/hallstack"
VRID = 27  # VRRP router id; change it in the template's output if the LAN has another 27


def members(cfg: HallConfig) -> dict[str, str]:
    """etcd member name -> host: the hub machines by their names, the third as ``witness``."""
    st = cfg.standby
    hosts = [urlsplit(u).hostname or "" for u in st.etcd]
    by_host = {address: name for name, address in st.machines.items()}
    return {by_host.get(h, "witness"): h for h in hosts}


def etcd_env(cfg: HallConfig, member: str) -> str:
    """``/etc/hallstack/etcd.env`` of one member (a machine name, or ``witness``)."""
    hosts = members(cfg)
    if member not in hosts:
        raise ValueError(f"[standby] has no etcd member {member!r} ({', '.join(hosts)})")
    host = hosts[member]
    cluster = ",".join(f"{m}=http://{h}:2380" for m, h in hosts.items())
    lines = {"ETCD_NAME": member, "ETCD_DATA_DIR": ETCD_DATA,
             "ETCD_LISTEN_CLIENT_URLS": f"http://{host}:2379,http://127.0.0.1:2379",
             "ETCD_ADVERTISE_CLIENT_URLS": f"http://{host}:2379",
             "ETCD_LISTEN_PEER_URLS": f"http://{host}:2380",
             "ETCD_INITIAL_ADVERTISE_PEER_URLS": f"http://{host}:2380",
             "ETCD_INITIAL_CLUSTER": cluster, "ETCD_INITIAL_CLUSTER_STATE": "new",
             "ETCD_INITIAL_CLUSTER_TOKEN": f"hallstack-{cfg.hall_id}",
             # a LAN of Pis: 100 ms heartbeats, a 1 s election (etcd's minimum lease TTL is
             # then 1.5 s, below [standby] lease_ttl_s)
             "ETCD_HEARTBEAT_INTERVAL": "100", "ETCD_ELECTION_TIMEOUT": "1000",
             # a member back from a power cut, or booted before its link was up, has called
             # elections alone: without pre-vote (etcd 3.4's default is off) its higher term
             # unseats the leader when it rejoins, and the lease stalls for an election
             "ETCD_PRE_VOTE": "true"}
    return "".join(f"{k}={v}\n" for k, v in lines.items())


def standby_env(cfg: HallConfig, machine: str) -> str:
    """``/etc/hallstack/standby.env`` of a hub machine (hallstack-hub-standby.service)."""
    if machine not in cfg.standby.machines:
        raise ValueError(f"[standby] machines names {', '.join(cfg.standby.machines)}, "
                         f"not {machine!r}")
    return f"HALL_MACHINE={machine}\n"


def keepalived_conf(cfg: HallConfig, machine: str) -> str:
    """``/etc/keepalived/keepalived.conf`` of a hub machine: the floating address follows the
    lease (the template's track_script checks the hub's "serving" flag)."""
    st = cfg.standby
    if machine not in st.machines:
        raise ValueError(f"[standby] machines names {', '.join(st.machines)}, not {machine!r}")
    if not st.floating_address:
        raise ValueError("[standby] floating_address is not set: the nodes need one address")
    flag = f"{RUN_DIR}/{cfg.hall_id}.serving"
    return (TEMPLATE.read_text(encoding="utf-8").replace("@ROUTER@", machine)
            .replace("@FLAG@", flag).replace("@INTERFACE@", st.interface)
            .replace("@VIP@", st.floating_address).replace("@VRID@", str(VRID)))
