"""The call board as hall-bench runs it: its own process (as on its own Pi in the hall), the real
node code with a simulated LED screen at the bench's window and a speaker that is never busy.

On SIGTERM it writes, as JSON to ``--report``, when each LED text was written and when each
announcement started (``time.monotonic()``, the same clock in every process of the machine), so
the bench can set them against the instant it pressed the clerk's key in its own process.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from devices.audio.sim import WavAudioOut
from devices.ledscreen_sim import SimWindowScreen
from devices.recorder import Recording
from devices.screen import prepare_sdl
from wire.clock import HallClock
from wire.config import load_config


class BenchScreen(SimWindowScreen):
    """The simulated LED screen, also noting when each text was written."""

    def __init__(self, address: int):
        super().__init__(address)
        self.texts: list[tuple[float, str]] = []

    def show(self, text: str, mode: str = "static") -> None:
        super().show(text, mode)
        self.texts.append((self.monotonic(), text))


class InstantSpeaker(WavAudioOut):
    """Records when each announcement starts but is never busy: the bench measures how fast an
    announcement starts after a call, not how long the previous one takes to finish."""

    def busy(self) -> bool:
        return False


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hallsim.bench_board", description=__doc__)
    p.add_argument("--config", required=True)
    p.add_argument("--broker", required=True)
    p.add_argument("--clock", required=True)
    p.add_argument("--window", type=int, required=True)
    p.add_argument("--report", required=True, help="where the timings go on SIGTERM")
    args = p.parse_args(argv)
    sys.setswitchinterval(0.0005)  # as hall-callboard does
    prepare_sdl(headless=True)
    from callboard.node import build

    cfg = load_config(args.config)
    led = BenchScreen(args.window)
    speaker = InstantSpeaker(Path(args.report).parent / "bench-board-announcements")
    node = build(cfg, "board-1", args.broker, HallClock(cfg.tz, args.clock), True, headless=True,
                 speaker=speaker, led_screens={args.window: led})
    record = Recording()
    node.attach(record)
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    node.start()
    ready: list[int] = []

    def tick() -> None:
        if not ready and node.client.connected and node.client.state:
            ready.append(1)
            print("ready", flush=True)

    try:
        node.run_forever(lambda: bool(stopping), tick)
    finally:
        node.stop()
        said = [{"no": s.no, "window": s.window, "at": s.at} for s in record["said"]]
        Path(args.report).write_text(json.dumps(
            {"led": led.texts, "said": said, "received": record["received"]}),
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
