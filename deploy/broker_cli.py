"""``hall-broker-config``: the hall's broker users, ACL and TLS (deploy.broker_acl), or with
``county …`` the site bridges and the county broker's users (deploy.broker_bridge). The front
end imports both, so neither imports the other's command line (no import cycle)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["county"]:
        from deploy.broker_bridge import main as county_main

        return county_main(argv[1:])
    from deploy.broker_acl import main as hall_main

    return hall_main(argv)
