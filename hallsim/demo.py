"""hall-demo: a whole hall day on one machine, with the real broker, hub and database.

A private Mosquitto, the hub with the example hall, the kiosk, the call board and a node per
window, all with simulated devices (LED window screens and four windows' pads on emulated RS-485
Modbus rows), and simulated citizens and clerks. Progress shows live; at the end the output
folder holds the day's figures, the last hall-display frame, a sample ticket, the kiosk screen
and the announcements.

``--legacy`` swaps in the hall's older peripherals: windows 5–8 get FF68 callers and raters on
one emulated area line (each node opens it from its ``devices`` table, as on a Pi), windows
9–12 show on emulated Onbon BX controllers; windows 1–4 keep their Modbus pads.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from devices.recorder import Recording
from hallsim import booking as hallsim_booking
from hallsim import outputs
from hallsim.broker import start_broker
from hallsim.day import plan_day
from hallsim.manager import DutyManager
from hallsim.people import Citizens, Clerk
from hallsim.progress import Progress
from hallsim.rs485 import Rs485Hall
from hallsim.verdict import day_verdict, verdict_text
from wire.client import HubClient
from wire.clock import HallClock
from wire.config import ASSISTS, BALANCES, CAPACITY, ConfigError, load_config
from wire.memory import limit_arenas

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hall.toml"
MONDAY = "2026-11-23T08:50:00+08:00"
RS485_PAD_WINDOWS = (1, 2, 3, 4)
LEGACY_PAD_WINDOWS = (5, 6, 7, 8)   # --legacy: FF68 callers and 5-key raters, one area line
LEGACY_BX_WINDOWS = (9, 10, 11, 12)  # --legacy: Onbon BX LED controllers
FF68_TRANSFER = 0x13  # the FF68 转移 key; the digit typed before it picks the service


def parse_args(argv):
    p = argparse.ArgumentParser(prog="hall-demo", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default=str(EXAMPLE), help="the hall config (default: the example)")
    p.add_argument("--broker", default=None,
                   help="use this broker instead of starting a private one (mqtt://host:port)")
    p.add_argument("--clock", default=MONDAY, help="hall time at start (a Monday morning)")
    p.add_argument("--speed", type=float, default=120.0, help="hall seconds per real second")
    p.add_argument("--until", default="17:10", help="hall time to stop, HH:MM")
    p.add_argument("--visitors", type=int, default=420, help="citizens over the whole day")
    p.add_argument("--seed", type=int, default=20261123)
    p.add_argument("--book-share", type=float, default=hallsim_booking.SHARE,
                   help="share of the visits to a bookable service booked ahead (0: none)")
    p.add_argument("--out", default="demo-out", help="output folder")
    p.add_argument("--windowed", action="store_true",
                   help="show the kiosk in a real window (needs a display; one window per "
                        "process, so the call board is drawn offscreen: hall-display.png)")
    p.add_argument("--web", default="127.0.0.1:8080",
                   help="where hall-web listens (HOST:PORT; 'off': no web); the ticket QR opens "
                        "the config's [web] public_url")
    p.add_argument("--legacy", action="store_true",
                   help="FF68 callers/raters at windows 5–8, BX LED controllers at 9–12")
    p.add_argument("--balance", choices=BALANCES, help="override the hall's [queue] balance")
    p.add_argument("--assist", choices=ASSISTS, help="override the hall's [queue] assist")
    p.add_argument("--capacity", choices=CAPACITY, help="override the hall's [queue] capacity")
    p.add_argument("--days", type=int, default=None,
                   help="run this many working days in a row on one database (the month, "
                        "hallsim/month.py; starts on 2026-12-01 unless --clock says otherwise)")
    p.add_argument("--heap", action="store_true",
                   help="with --days: trace the nodes' Python heap per package each day "
                        "(hallsim/heap.py; slower)")
    return p.parse_args(argv)


def with_rules(cfg, args):
    """The hall config with the command line's [queue] overrides (docs/assignment.md)."""
    rules = {k: getattr(args, k) for k in ("balance", "assist", "capacity")
             if getattr(args, k) is not None}
    return dataclasses.replace(cfg, queue=dataclasses.replace(cfg.queue, **rules))


def main(argv: list[str] | None = None) -> int:
    limit_arenas()  # the nodes' threads, as each node's own process does (wire/memory.py)
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cfg = with_rules(load_config(args.config), args)
        clock = HallClock(cfg.tz, args.clock, args.speed)
        hh, mm = (int(x) for x in args.until.split(":"))
    except (ConfigError, ValueError) as exc:
        print(f"hall-demo: {exc}", file=sys.stderr)
        return 2
    if args.web != "off":  # the ticket QR opens the demo's own hall-web
        cfg = replace(cfg, web=replace(cfg.web, public_url=f"http://{args.web}"))
    if args.days is not None:
        from hallsim.month import run_month

        return run_month(args, cfg, DemoHall, MONDAY)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    until = clock.now().replace(hour=hh, minute=mm, second=0, microsecond=0)
    hall = DemoHall(cfg, clock, out, args.broker, args.windowed, args.legacy, args.seed)
    q = cfg.queue
    print(f"hall-demo: {cfg.name}, {len(cfg.windows)} windows, hall time "
          f"{clock.now():%Y-%m-%d %H:%M} at ×{args.speed:g}; balance {q.balance}, assist "
          f"{q.assist}, capacity {q.capacity}; output in {out}", flush=True)
    saved: dict = {}
    try:
        try:
            hall.start()
            if args.web != "off":
                hall.start_web(args.config, args.speed, args.web)
            day = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
            visits = plan_day(cfg, day, clock.now(), until, args.visitors, args.seed)
            visits, hall.booked = hallsim_booking.start(cfg, hall.url, clock, visits,
                                                        args.seed, args.book_share)
            hall.run(visits, until)
        except KeyboardInterrupt:
            print("\nhall-demo: interrupted; writing what the day has so far", flush=True)
        saved = outputs.capture(hall)
    finally:
        hall.stop()
    figures = outputs.write_figures(hall, clock.now())
    n, seconds = outputs.announcements(out)
    print("\n" + figures.strip()[:3000])
    citizens = getattr(hall, "citizens", None)
    verdict = day_verdict(out / "hall.db", citizens.told if citizens else 0)
    (out / "verdict.json").write_text(json.dumps(verdict, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
    print("\n" + verdict_text(verdict))
    if hasattr(hall, "manager"):
        print("\n" + hall.manager.summary())
    if hall.booked is not None:
        print(hall.booked.summary())
    if args.legacy:
        print("\n" + hall.legacy_summary())
    print(f"\nhall-demo: wrote to {out}:\n  " + "\n  ".join(
        [f"{k}: {v}" for k, v in saved.items()]
        + [f"announcements: {n} WAV files, {seconds:.0f} s in all ({out / 'announcements'})",
           f"figures: {out / 'figures.txt'}, {out / 'figures.xlsx'}, {out / 'charts'}, "
           f"{out / 'summary.html'}", f"database: {out / 'hall.db'}",
           f"verdict: {out / 'verdict.json'}"]))
    return 0


class DemoHall:
    """Everything the demo runs, started and stopped together."""

    def __init__(self, cfg, clock: HallClock, out: Path, broker_url: str | None, windowed: bool,
                 legacy: bool = False, seed: int = 0):
        self.cfg, self.clock, self.out, self.windowed = cfg, clock, out, windowed
        self.seed = seed
        self.legacy_pads = [n for n in LEGACY_PAD_WINDOWS if legacy and n in cfg.windows]
        self.legacy_bx = [n for n in LEGACY_BX_WINDOWS if legacy and n in cfg.windows]
        self.legacy = None
        self.bx_screens: dict = {}
        self.broker = None if broker_url else start_broker(out / "broker")
        self.url = broker_url or self.broker.url
        self.nodes: list = []
        self.clerks: list[Clerk] = []
        self.web = None
        self.booked = None   # hallsim/booking.py: the citizens who booked ahead
        self.hub_process = False  # the month run sets it (hallsim/hubproc.py)

    def start_web(self, config: str, speed: float, listen: str) -> None:
        """hall-web on ``listen``; prints the console's address and its demo login."""
        from hallsim.webdemo import DemoWeb

        self.web = DemoWeb(config, self.url, self.out / "hall.db", self.clock, speed, listen,
                           self.cfg.web.public_url)
        if not self.web.start():
            print(f"hall-demo: hall-web did not start on {listen}; going on without it",
                  flush=True)
            return
        users = ", ".join(f"{u.name} ({u.role})" for u in self.cfg.web.users)
        print(f"hall-demo: console: {self.web.console_url}  users: {users or 'none'} "
              f"(example hall: passwords hall-demo / hall-view)", flush=True)
        print(f"hall-demo: 网上预约 (a phone's booking pages): http://{listen}/book", flush=True)

    def start(self) -> None:
        from callboard.node import build as build_board
        from devices.audio.sim import WavAudioOut
        from hub.service import HubService
        from kiosk.app import build as build_kiosk
        from rater.app import build as build_rater

        db = self.out / "hall.db"
        for stale in (db, db.with_suffix(".db-wal"), db.with_suffix(".db-shm")):
            stale.unlink(missing_ok=True)
        # a fresh database each run: on a --broker that kept the last run's hub status, this
        # run takes the hall over, as an operator would (docs/one-hub.md)
        if self.hub_process:  # the month: a process of its own, its memory a figure of its own
            from hallsim.hubproc import HubProcess

            self.hub = HubProcess(self.cfg, str(db), self.url, self.clock, True,
                                  self.out / "hub.log")
        else:
            self.hub = HubService(self.cfg, str(db), self.url, self.clock, take_over=True)
        self.hub.start()
        if not self.hub.wait_ready(10):
            raise RuntimeError(f"the hub could not subscribe on {self.url}")
        self.rs485 = Rs485Hall([n for n in sorted(self.cfg.windows) if n not in self.legacy_bx],
                               [n for n in RS485_PAD_WINDOWS if n in self.cfg.windows]).start()
        led_screens = dict(self.rs485.screens)
        if self.legacy_pads or self.legacy_bx:
            from devices.lines import Lines
            from firmware_bridge.legacy.bx_screen import open_screen
            from firmware_bridge.legacy.demo import LegacyHall

            self.legacy = LegacyHall(sorted(set(self.legacy_pads) | set(self.legacy_bx)))
            self.lines = Lines()
            for n in self.legacy_bx:
                self.bx_screens[n] = open_screen(self.legacy.bx_settings(n), f"demo.bx.{n}")
            led_screens |= self.bx_screens
        screen = "window" if self.windowed else "offscreen"
        self.kiosk = build_kiosk(self.cfg, "kiosk-1", self.url, self.clock, simulate=True,
                                 screen_backend=screen)
        self.kiosk_record = Recording()  # the tickets the citizens took (the kiosk keeps none)
        self.kiosk.attach(self.kiosk_record)
        announcements = self.out / "announcements"
        for old in announcements.glob("*.wav"):
            old.unlink()
        # one window per process: with --windowed the kiosk has it, the board draws offscreen
        self.board = build_board(self.cfg, "board-1", self.url, self.clock, simulate=True,
                                 headless=True,
                                 speaker=WavAudioOut(announcements, self.clock.monotonic),
                                 led_screens=led_screens)
        self.nodes = [self.kiosk, self.board]
        for n in sorted(self.cfg.windows):
            node_id = next(i for i, node in self.cfg.nodes.items() if node.window == n)
            staff = next(s.number for s in self.cfg.staff.values()
                         if n in s.windows and s.post == "A")
            extra: dict = {}
            devices = {"staff": staff, "screen": {"backend": "none"}}
            if n in self.rs485.pads:
                extra = dict(zip(("keypad", "pad"), self.rs485.pads[n]))
            elif n in self.legacy_pads:  # the node opens the FF68 line from its devices table
                devices |= self.legacy.rater_devices(n, pad="5key")
                extra = {"lines": self.lines}
            node = build_rater(self.cfg, node_id, self.url, self.clock, headless=True,
                               simulate=True, devices=devices, **extra)
            self.nodes.append(node)
            self.clerks.append(Clerk(n, node, *self._hands(n, node)))
        for node in self.nodes:
            node.start()
        self.observer = HubClient(self.cfg, "admin-1", self.url, self.clock)
        self.progress = Progress(self.cfg, self.clock)
        self.observer.on_event("*", self.progress.on_event)
        # the manager's desk (role admin) accepts the hub's suggestions as the console would
        self.manager = DutyManager(self.observer, self.clock, seed=self.seed)
        self.observer.start()
        self.observer.wait_connected(5)

    def _hands(self, n: int, node):
        """How the demo's people press window ``n``'s keys: on the RS-485 pads or the GPIO ones."""
        if n in self.rs485.pads:
            press = self.rs485.press
            return (lambda key, digit=None: press(n, key, digit),
                    lambda key: press(n, key))
        if n in self.legacy_pads:
            return self._ff68_hands(n)

        def desk(key, digit=None):
            node.keypad.pins.tap(node.keypad.pin_of(key, digit))

        def pad(key):
            node.pad.pins.tap(node.pad.pin_of(key))

        return desk, pad

    def _ff68_hands(self, n: int):
        """An FF68 caller has no 开始 key and no digit keys: the clerk types the transfer
        choice and then presses 转移; a 5-key rater sends values 0–4 for scores 1–5."""
        legacy = self.legacy
        want_transfer = []

        def desk(key, digit=None):
            if key == "start":
                return  # not on this caller: the hub counts service from the call
            if key == "transfer":
                want_transfer.append(True)
                return
            if key == "digit" and want_transfer:
                want_transfer.clear()
                legacy.ff68.press(n, FF68_TRANSFER, digit)
                return
            legacy.press(n, key)

        def pad(key):
            legacy.rate(n, int(key.removeprefix("rate_")) - 1)

        return desk, pad

    def legacy_summary(self) -> str:
        """What the legacy windows did: calls and ratings per window, what each shows."""
        import sqlite3

        db = self.out / "hall.db"
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            called = dict(conn.execute(
                "select json_extract(data, '$.window'), count(*) from events "
                "where kind = 'called' group by 1"))
            rated = dict(conn.execute("select window, count(*) from ratings group by 1"))
        lines = ["legacy windows (calls / ratings at the hub; what the hardware shows):"]
        for n in self.legacy_pads:
            c = self.legacy.ff68
            lines.append(f"  window {n:2d} FF68: {called.get(n, 0):3d} calls, "
                         f"{rated.get(n, 0):3d} ratings; caller shows [{c.displays[n]}], "
                         f"rater invited {c.invitations[n + 100]}×")
        for n in self.legacy_bx:
            lines.append(f"  window {n:2d} BX:   {called.get(n, 0):3d} calls, "
                         f"{rated.get(n, 0):3d} ratings; LED shows "
                         f"{self.legacy.screens[n].text(0)!r}")
        return "\n".join(lines)

    def run(self, visits, until: datetime, on_step=None) -> None:
        """The day's people until ``until``; ``on_step(now)`` (the month's incidents) each turn."""
        citizens = Citizens(visits)
        self.citizens = citizens
        # the day's tickets only: a month's run keeps no earlier day's (and numbers restart)
        self.kiosk_record = Recording()
        self.kiosk.attach(self.kiosk_record)
        while self.clock.now() < until:
            now = self.clock.now()
            if on_step is not None:
                on_step(now)
            for node in self.nodes:
                node.poll()
            citizens.step(self.kiosk, now, self.kiosk_record["timing"])
            for clerk in self.clerks:
                clerk.step(self.observer.state.get(f"window/{clerk.window}"), citizens, now)
            self.manager.step(now)
            self.progress.maybe_print(self.observer.state, now)
            if self.web is not None and (url := self.web.note_ticket(self.kiosk_record["issued"])):
                print(f"hall-demo: a ticket page: {url}", flush=True)
            time.sleep(0.02)
        deadline = time.monotonic() + 2  # let the last events land
        while time.monotonic() < deadline:
            for node in self.nodes:
                node.poll()
            time.sleep(0.05)

    def stop(self) -> None:
        if self.booked is not None:
            self.booked.stop()
        if self.web is not None:
            self.web.stop()
        for node in self.nodes:
            try:
                node.stop()
            except Exception:  # noqa: BLE001 - stopping the rest matters more
                logging.exception("stopping %s", node)
        if hasattr(self, "observer"):
            self.observer.stop()
        if hasattr(self, "rs485"):
            self.rs485.stop()
        for screen in self.bx_screens.values():
            screen.close()
        if self.legacy is not None:
            self.legacy.close()
        if hasattr(self, "hub"):
            self.hub.stop()
        if self.broker:
            self.broker.stop()


if __name__ == "__main__":
    sys.exit(main())
