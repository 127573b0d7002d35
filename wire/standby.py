"""The hall's ``[standby]`` section: a second hub machine that keeps a synchronous copy and takes
over (hub.standby, docs/standby.md). Absent: one hub, as before."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from wire.schema import key, read
from wire.section import Section


@dataclass(frozen=True)
class StandbySettings:
    #: the two hub machines: name -> address the copy stream reaches it on
    machines: dict[str, str] = field(default_factory=dict, hash=False)
    #: the three etcd members (both hub machines and a witness), client URLs
    etcd: tuple[str, ...] = ()
    copy_port: int = key(7420, min=1, max=65535)
    lease_ttl_s: int = key(3, min=2, max=30)
    ack_timeout_s: float = key(1.0, min=0.05, max=10.0)
    #: the nodes' broker address, held by the serving machine (keepalived VRRP); "" = none
    floating_address: str = key("")
    interface: str = key("eth0")

    @property
    def enabled(self) -> bool:
        return bool(self.machines)

    def peer_of(self, machine: str) -> tuple[str, str]:
        """The other hub machine: ``(name, address)``."""
        others = [(n, a) for n, a in self.machines.items() if n != machine]
        return others[0]


def read_standby(s: Section) -> StandbySettings:
    if not s.data:
        s.check_unused()
        return StandbySettings()
    m = s.table("machines", required=True)
    machines = {name: m.str(name) for name in list(m.data)}
    if len(machines) != 2:
        s.fail(f"must name exactly two hub machines, got {len(machines)}", "machines")
    for name, address in machines.items():
        _address(m, name, address)
    etcd = tuple(s.str_list("etcd"))
    if len(etcd) != 3 or not all(u.startswith("http://") for u in etcd):
        s.fail("must list the three etcd members' client URLs (http://host:2379): both hub "
               "machines and a witness", "etcd")
    out = read(StandbySettings, s, machines=machines, etcd=etcd)
    if out.floating_address:
        try:
            ipaddress.ip_interface(out.floating_address)
        except ValueError:
            s.fail("must be an address with its prefix (10.0.0.100/24), got "
                   f"{out.floating_address!r}", "floating_address")
    return out


def _address(s: Section, name: str, address: str) -> None:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        s.fail(f"must be an IP address, got {address!r}", name)
