"""``hall-kiosk``: build the kiosk from the hall config and run it."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from kiosk.node import KioskNode
from kiosk.settings import make_printer, make_scanner, read_settings
from wire.cliargs import node_args
from wire.client import HubClient
from wire.clock import HallClock
from wire.config import ConfigError, HallConfig, load_config
from wire.memory import limit_arenas
from wire.watchdog import Watchdog

log = logging.getLogger("hall-kiosk")


def build(cfg: HallConfig, node_id: str, broker_url: str, clock: HallClock,
          simulate: bool = False, **overrides) -> KioskNode:
    """A kiosk node with the devices its config names (simulated ones only when it asks, or
    ``simulate``). ``overrides``: ``screen``, ``printer``, ``client`` (ready-made parts),
    ``screen_backend``, ``username``, ``password``."""
    from dataclasses import replace

    from devices.screen import open_screen

    settings = read_settings(cfg, node_id, simulate)
    if "screen_backend" in overrides:
        settings = replace(settings, screen_backend=overrides.pop("screen_backend"))
    screen = overrides.pop("screen", None) or open_screen(settings.screen_size,
                                                     settings.screen_backend, "hall-kiosk")
    printer = overrides.pop("printer", None) or make_printer(settings)
    scanner = overrides.pop("scanner", None) or make_scanner(settings)
    client = overrides.pop("client", None) or HubClient(
        cfg, node_id, broker_url, clock, username=overrides.pop("username", None),
        password=overrides.pop("password", None))
    if overrides:
        raise TypeError(f"unknown overrides: {', '.join(overrides)}")
    return KioskNode(cfg, node_id, client, clock, screen, printer, settings, scanner)


def first_kiosk(cfg: HallConfig) -> str:
    for node in cfg.nodes.values():
        if node.role == "kiosk":
            return node.id
    raise ConfigError(f"{cfg.source}: nodes: the hall has no node with role = \"kiosk\"")


def main(argv: list[str] | None = None) -> int:
    """Run one kiosk until SIGTERM/SIGINT."""
    limit_arenas()  # before any thread (wire/memory.py)
    parser = argparse.ArgumentParser(prog="hall-kiosk", description="the ticket kiosk node")
    node_args(parser, "kiosk")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        cfg = load_config(args.config)
        node_id = args.node or first_kiosk(cfg)
        clock = HallClock.from_args(cfg.tz, args.clock)
        settings = read_settings(cfg, node_id, args.simulate)
        backend = "offscreen" if args.headless else (
            settings.screen_backend if settings.screen_backend != "offscreen" else "window")
        node = build(cfg, node_id, args.broker, clock, args.simulate, screen_backend=backend,
                     username=args.username, password=args.password)
    except ConfigError as exc:
        print(f"hall-kiosk: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:   # a bad --clock or broker URL
        print(f"hall-kiosk: {exc}", file=sys.stderr)
        return 2

    notifier = Watchdog()
    signal.signal(signal.SIGTERM, lambda *_: node.stop())
    node.start()
    notifier.ready()
    log.info("kiosk %s running (%s)", node_id, backend)
    try:
        node.run_forever(notify=notifier.alive)
    except KeyboardInterrupt:
        node.stop()
    finally:
        node.client.stop()
        node.screen.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
