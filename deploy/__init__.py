"""The deploy room: how hallstack gets onto a hall's machines and is configured there.

- :mod:`deploy.paths` — the paths, users and units of an installed hall, in one place.
- :mod:`deploy.atomic` — the one atomic file write every generator uses.
- :mod:`deploy.broker_acl` / :mod:`deploy.broker_tls` / :mod:`deploy.broker_bridge` —
  ``hall-broker-config``: Mosquitto users, ACL, TLS and the county bridge.
- :mod:`deploy.provision` / :mod:`deploy.firstboot` — a Pi node's boot partition and first boot.
- :mod:`deploy.bundle` / :mod:`deploy.bundle_install` — the offline install bundle.
- :mod:`deploy.flash_cli` — ``hall-flash``, the front end (the RS-485 half is
  :mod:`firmware_bridge.flash_cli`).

It may read the hub's config and contract, never the hub service, a node or a device
(import-linter checks it).
"""
