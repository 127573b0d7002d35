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
                 restart_s: tuple[int, int] | None = (1, 1)):
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
        for site in sites:
            self.add_site(site)

    def bridge_text(self, site: str, port: int) -> str:
        from deploy.broker_bridge import render_bridge

        return render_bridge(site, f"mqtt://127.0.0.1:{port}", self.passwords[site],
                             **({"restart_s": self.restart_s} if self.restart_s else {}))

    def add_site(self, site: str) -> None:
        link = self.links[site] = Link(self.broker.port)
        # the site broker as a site has it: Mosquitto's default queue of 1000 per client
        conf = "max_queued_messages 1000\n" + self.bridge_text(site, link.port)
        self.sites[site] = start_broker(self.tmp / f"site-{site}", extra_conf=conf)

    def stop(self) -> None:
        for b in self.sites.values():
            b.stop()
        for link in self.links.values():
            link.down()
        self.broker.stop()
