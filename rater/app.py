"""``hall-rater``: build a window node from the hall config and run it."""

from __future__ import annotations

import argparse
import logging
import re
import signal
import sys
import threading

from devices.gpio import GpioKeyPad, SimulatedPins
from devices.gpio.keyboard import KeyboardKeys
from devices.lines import LINES
from rater.node import RaterNode
from rater.settings import build_pads, read_settings
from rater.windows import WindowLoops
from wire.cliargs import node_args
from wire.client import HubClient
from wire.clock import HallClock
from wire.config import ConfigError, HallConfig, load_config
from wire.memory import limit_arenas
from wire.watchdog import notify


def build(cfg: HallConfig, node_id: str, broker_url: str, clock: HallClock,
          headless: bool = False, username: str | None = None, password: str | None = None,
          simulate: bool = False, **overrides) -> RaterNode:
    """The window node ``node_id`` with devices from its ``devices`` table (simulated pads only
    where it asks for them, or ``simulate``).

    ``overrides`` replace parts: ``devices`` (a table used instead of the config's),
    ``keypad``/``pad`` (any KeyPad, e.g. a Modbus or legacy one), ``screen`` (a Screen or None),
    ``client`` (a HubClient), ``lines`` (a :class:`devices.lines.Lines`: RS-485 ports shared by
    the nodes of this process; default the process's own, :data:`devices.lines.LINES`).
    ``headless`` keeps a window/fullscreen screen offscreen.
    """
    unknown = set(overrides) - {"devices", "keypad", "pad", "screen", "client", "lines"}
    if unknown:
        raise TypeError(f"unknown overrides: {', '.join(sorted(unknown))}")
    settings = read_settings(cfg, node_id, overrides.get("devices"), simulate)
    # the screen first: a second window in this process is refused before a line is opened
    if "screen" in overrides:
        screen = overrides["screen"]
    elif settings.screen == "none":
        screen = None
    else:
        from devices.screen import DisplayInUse, open_screen

        backend = "offscreen" if headless else settings.screen
        try:
            screen = open_screen(settings.screen_size, backend, title=f"hallstack {node_id}")
        except DisplayInUse as exc:  # several windows in one hall-rater: one may have a window
            raise ConfigError(f"{cfg.source}: nodes.{node_id}.devices.screen.backend: {exc}; "
                              "set backend = \"none\" (or run --headless)") from None
    built = None
    lines = overrides.get("lines") or LINES
    if "keypad" not in overrides or "pad" not in overrides:
        try:
            built = build_pads(settings, lines=lines, clock=clock.monotonic,
                               window=cfg.node(node_id).window, path=f"nodes.{node_id}.devices")
        except Exception:
            if screen is not None and "screen" not in overrides:
                screen.close()   # give this process's display back
            raise
    keypad = overrides["keypad"] if "keypad" in overrides else built[0]
    pad = overrides["pad"] if "pad" in overrides else built[1]
    client = overrides.get("client") or HubClient(cfg, node_id, broker_url, clock,
                                                  username=username, password=password)
    node = RaterNode(cfg, node_id, client, clock, keypad, pad, screen, settings)
    if built is not None:  # give the RS-485 ports back when the node stops
        specs = [settings.keypad] + ([settings.pad] if settings.pad is not None else [])
        node.closers += [lambda port=spec.port: lines.release(port)
                         for spec in specs if spec.port is not None]
    return node


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


def window_range(text: str) -> list[int]:
    """``"1-4"`` → [1, 2, 3, 4]; ``"5"`` → [5]; ``"1-2,7"`` → [1, 2, 7]."""
    out: list[int] = []
    for part in text.split(","):
        m = _RANGE.fullmatch(part)
        first = int(m[1]) if m else 0
        last = int(m[2] or m[1]) if m else 0
        if first < 1 or last < first:
            raise argparse.ArgumentTypeError(f"windows like 1-4 or 1,3, got {text!r}")
        out += range(first, last + 1)
    return out


_RANGE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", re.ASCII)


def _node_ids(cfg: HallConfig, node: str | None, windows: list[int]) -> list[str]:
    if not windows:
        return [_node_id(cfg, node, None)]
    if node:
        raise ConfigError("--node and --window/--windows exclude each other")
    ids = []
    for window in dict.fromkeys(windows):  # in order, once each
        ids.append(_node_id(cfg, None, window))
    return ids


def main(argv: list[str] | None = None) -> int:
    """Console script ``hall-rater``: one window node, or several sharing this Pi's lines."""
    limit_arenas()  # before any thread (wire/memory.py)
    p = argparse.ArgumentParser(prog="hall-rater", description="window node: 呼叫器 + 评价器")
    node_args(p, "rater")
    p.add_argument("--window", type=int, action="append", default=[],
                   help="the rater node of this window (repeat for several)")
    p.add_argument("--windows", type=window_range, action="append", default=[],
                   help="the rater nodes of windows 1-4 (or 1,3,5) in this process")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    windows = list(args.window) + [w for ws in args.windows for w in ws]
    nodes: list[RaterNode] = []
    try:
        cfg = load_config(args.config)
        clock = HallClock.from_args(cfg.tz, args.clock)
        for node_id in _node_ids(cfg, args.node, windows):
            nodes.append(build(cfg, node_id, args.broker, clock, headless=args.headless,
                               username=args.username, password=args.password,
                               simulate=args.simulate))
    except (ConfigError, ValueError) as exc:
        for node in nodes:
            node.stop()
        print(f"hall-rater: {exc}", file=sys.stderr)
        return 2
    keyboard = _keyboard(nodes[0]) if len(nodes) == 1 else None
    stop = threading.Event()
    # systemd stops a unit with SIGTERM: leave the loop and stop cleanly (say offline first)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    status = 0
    try:
        status = WindowLoops(nodes, notify).run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        if keyboard is not None:
            keyboard.stop()
        for node in nodes:
            node.stop()
    return status


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
