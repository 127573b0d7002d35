"""``hall-rater``: build a window node from the hall config and run it."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from devices.gpio import GpioKeyPad, SimulatedPins
from devices.gpio.keyboard import KeyboardKeys
from hub.client import HubClient
from hub.clock import HallClock
from hub.config import ConfigError, HallConfig, load_config
from rater.node import RaterNode
from rater.sdnotify import notifier
from rater.settings import build_pads, read_settings


def build(cfg: HallConfig, node_id: str, broker_url: str, clock: HallClock,
          headless: bool = False, username: str | None = None, password: str | None = None,
          **overrides) -> RaterNode:
    """The window node ``node_id`` with devices from its ``devices`` table.

    ``overrides`` replace parts: ``devices`` (a table used instead of the config's),
    ``keypad``/``pad`` (any KeyPad, e.g. a Modbus or legacy one), ``screen`` (a Screen or None),
    ``client`` (a HubClient). ``headless`` keeps a window/fullscreen screen offscreen.
    """
    unknown = set(overrides) - {"devices", "keypad", "pad", "screen", "client"}
    if unknown:
        raise TypeError(f"unknown overrides: {', '.join(sorted(unknown))}")
    settings = read_settings(cfg, node_id, overrides.get("devices"))
    built = None
    if "keypad" not in overrides or "pad" not in overrides:
        built = build_pads(settings)
    keypad = overrides["keypad"] if "keypad" in overrides else built[0]
    pad = overrides["pad"] if "pad" in overrides else built[1]
    if "screen" in overrides:
        screen = overrides["screen"]
    elif settings.screen == "none":
        screen = None
    else:
        from devices.screen import Screen

        backend = "offscreen" if headless else settings.screen
        screen = Screen(settings.screen_size, backend, title=f"hallstack {node_id}")
    client = overrides.get("client") or HubClient(cfg, node_id, broker_url, clock,
                                                  username=username, password=password)
    return RaterNode(cfg, node_id, client, clock, keypad, pad, screen, settings)


def _node_id(cfg: HallConfig, node: str | None, window: int | None) -> str:
    raters = [n for n in cfg.nodes.values() if n.role == "rater"]
    if node:
        return node
    if window is not None:
        for n in raters:
            if n.window == window:
                return n.id
        raise ConfigError(f"{cfg.source}: nodes: no rater node at window {window}")
    if not raters:
        raise ConfigError(f"{cfg.source}: nodes: no node with role \"rater\"")
    return raters[0].id


def main(argv: list[str] | None = None) -> int:
    """Console script ``hall-rater``."""
    p = argparse.ArgumentParser(prog="hall-rater", description="window node: 呼叫器 + 评价器")
    p.add_argument("--config", required=True, help="hall.toml")
    p.add_argument("--broker", default="mqtt://127.0.0.1:1883")
    p.add_argument("--node", help="node id (default: the config's first rater)")
    p.add_argument("--window", type=int, help="pick the rater node of this window")
    p.add_argument("--clock", help="hall time at start, ISO 8601 (else HALL_CLOCK)")
    p.add_argument("--headless", action="store_true", help="no window (SDL dummy driver)")
    p.add_argument("--username", default=os.environ.get("HALL_MQTT_USERNAME"))
    p.add_argument("--password", default=os.environ.get("HALL_MQTT_PASSWORD"))
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        cfg = load_config(args.config)
        node_id = _node_id(cfg, args.node, args.window)
        clock = HallClock.from_args(cfg.tz, args.clock)
        node = build(cfg, node_id, args.broker, clock, headless=args.headless,
                     username=args.username, password=args.password)
    except (ConfigError, ValueError) as exc:
        print(f"hall-rater: {exc}", file=sys.stderr)
        return 2
    keyboard = _keyboard(node)
    stop = threading.Event()
    # systemd stops a unit with SIGTERM: leave the loop and stop cleanly (say offline first)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        node.run_forever(stop=stop, notify=notifier())
    except KeyboardInterrupt:
        pass
    finally:
        if keyboard is not None:
            keyboard.stop()
        node.stop()
    return 0


def _keyboard(node: RaterNode):
    """On a terminal with simulated pads, typed keys press them (the legend is printed)."""
    pads = [p for p in {id(node.keypad): node.keypad, id(node.pad): node.pad}.values()
            if isinstance(p, GpioKeyPad) and isinstance(p.pins, SimulatedPins)]
    if not pads or not sys.stdin.isatty():
        return None
    keyboard = KeyboardKeys(pads, sys.stdin.fileno())
    print(f"hall-rater: keys: {keyboard.legend()}", file=sys.stderr)
    keyboard.start()
    return keyboard
