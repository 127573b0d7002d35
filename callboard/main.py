"""hall-callboard: the call board node's console script."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from devices.audio.clips import PAUSE
from wire.cliargs import node_args
from wire.clock import HallClock
from wire.config import ConfigError, HallConfig, load_config
from wire.memory import limit_arenas
from wire.watchdog import notify

WATCHDOG_EVERY_S = 5.0


def watchdog_interval() -> float:
    """Half of systemd's ``WATCHDOG_USEC`` when it is set (its advice), else 5 s."""
    try:
        return max(0.05, int(os.environ["WATCHDOG_USEC"]) / 2e6)
    except (KeyError, ValueError):
        return WATCHDOG_EVERY_S


def first_callboard(cfg: HallConfig) -> str:
    for node in cfg.nodes.values():
        if node.role == "callboard":
            return node.id
    raise ConfigError(f"{cfg.source}: nodes: the hall has no node with role = \"callboard\"")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="hall-callboard",
        description="Hall display, LED window screens and call announcements.")
    node_args(p, "callboard")
    p.add_argument("--png", help="headless: save the display to this PNG every few seconds")
    p.add_argument("--make-clips", action="store_true",
                   help="make and cache the announcement clips (at install), list them, exit")
    return p.parse_args(argv)


def make_clips(cfg: HallConfig, node_id: str) -> int:
    """Make (or load) every clip the node's templates need and list where each comes from."""
    from callboard.settings import read_settings
    from callboard.wiring import make_voices

    # only the announce table matters here: no device is opened, whatever the backends
    for voice in make_voices(cfg, read_settings(cfg, node_id, simulate=True)):
        print(f"# voice {voice.template.voice}: {voice.template.text}")
        for name in voice.library.names():
            if name == PAUSE:
                continue  # silence, not a recording
            print(f"{name}.wav\t{voice.library.sources.get(name, '?')}")
    return 0


def main(argv=None) -> int:
    limit_arenas()  # before any thread (wire/memory.py)
    args = parse_args(argv)
    # The display draws continuously (a flash, the scrolling notice) while a call must be said and
    # shown within milliseconds: let a woken thread take the GIL within 0.5 ms instead of 5 ms.
    sys.setswitchinterval(0.0005)
    if args.headless:
        from devices.screen import prepare_sdl

        prepare_sdl(headless=True)
    try:
        cfg = load_config(args.config)
        node_id = args.node or first_callboard(cfg)
        if args.make_clips:
            return make_clips(cfg, node_id)
        clock = HallClock.from_args(cfg.tz, args.clock)
        from callboard.node import build

        node = build(cfg, node_id, args.broker, clock, args.simulate, headless=args.headless,
                     username=args.username, password=args.password)
    except (ConfigError, ValueError) as exc:
        print(f"hall-callboard: {exc}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as exc:  # a port, a sound card or espeak-ng missing
        print(f"hall-callboard: cannot start: {exc}", file=sys.stderr)
        return 1
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    node.start()
    notify("READY=1")
    last = [time.monotonic()]
    every = watchdog_interval()

    def tick():
        now = time.monotonic()
        if now - last[0] >= every:
            last[0] = now
            notify("WATCHDOG=1")
            if args.png:  # written whole, then renamed: a reader never sees half a picture
                node.screen.save_png(args.png + ".part.png")
                os.replace(args.png + ".part.png", args.png)

    try:
        node.run_forever(lambda: bool(stopping), tick)
    finally:
        notify("STOPPING=1")
        node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
