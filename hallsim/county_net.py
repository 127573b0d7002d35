"""A county's network on one machine: the county broker (users and ACL from
``hall-broker-config county``) and one broker per site, bridged to it through a Link that can
be cut. For the county tests and ``hall-bench county``."""

from __future__ import annotations

from pathlib import Path

from deploy.broker_bridge import generate
from hallsim.broker import start_broker
from hallsim.link import Link


class County:
    """The county broker (passwords and ACL from hall-broker-config county) and each site's
    broker bridged to it through a Link."""

    def __init__(self, tmp_path: Path, sites: list[str],
                 restart_s: tuple[int, int] | None = (1, 1), per_broker: int = 1,
                 cuttable: set[str] | None = None):
        """``per_broker``: how many sites' bridges one site Mosquitto hosts (a city on one
        machine: each site keeps its own bridge connection and county user, several share a
        process); ``cuttable``: the sites whose bridge dials through a Link (None: all), the
        others dial the county broker directly (no proxy threads)."""
        self.tmp = tmp_path
        self.restart_s = restart_s  # the bridges' backoff (None: the shipped one)
        self.out = tmp_path / "county-conf"
        self.passwords = generate(sites, "mqtt://127.0.0.1:1", self.out)  # address set below
        # passwd and acl as written (root:mosquitto 0640); tests/blackbox runs them with
        # Mosquitto dropping to its user, as shipped
        self.broker = start_broker(
            tmp_path / "county-broker", anonymous=False,
            extra_conf=f"password_file {self.out / 'passwd'}\nacl_file {self.out / 'acl'}\n")
        self.sites: dict[str, object] = {}
        self.links: dict[str, Link] = {}
        for i in range(0, len(sites), per_broker):
            group = sites[i:i + per_broker]
            self.add_sites(group, [s for s in group if cuttable is None or s in cuttable])

    def bridge_text(self, site: str, port: int) -> str:
        from deploy.broker_bridge import render_bridge

        return render_bridge(site, f"mqtt://127.0.0.1:{port}", self.passwords[site],
                             **({"restart_s": self.restart_s} if self.restart_s else {}))

    def add_site(self, site: str) -> None:
        self.add_sites([site], [site])

    def add_sites(self, group: list[str], cuttable: list[str]) -> None:
        """One site broker with the bridges of ``group``, those of ``cuttable`` via a Link."""
        conf = "max_queued_messages 1000\n"  # a site's: Mosquitto's default queue per client
        for site in group:
            if site in cuttable:
                self.links[site] = Link(self.broker.port)
            conf += self.bridge_text(site, self.links[site].port if site in cuttable
                                     else self.broker.port)
        broker = start_broker(self.tmp / f"site-{group[0]}", extra_conf=conf)
        for site in group:
            self.sites[site] = broker

    def stop(self) -> None:
        for b in {id(b): b for b in self.sites.values()}.values():
            b.stop()
        for link in self.links.values():
            link.down()
        self.broker.stop()
