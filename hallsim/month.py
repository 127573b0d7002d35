"""``hall-demo --days N``: N working days in a row on one database and one set of processes.

Each day runs as hall-demo's day does (hallsim.demo.DemoHall.run) until ten minutes after the
last session, the hub closing the day and then doing its nightly upkeep (hub.maintenance). The
night is skipped: the demo's hall clock jumps to the next working morning (HallClock.skip_to),
a step the hub records as it records a stepped system clock (``clock_step``), and hall-web, a
process of its own, follows the hub's event. Each morning the clerks log in at their keypads
(the absent ones do not). The month's incidents (hallsim.weekdays.SCHEDULE) happen on their
days. A line per day; at the end the 月通报, the 好差评 export and the 考核 (hallsim.monthly).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from hallsim import heap, monthly
from hallsim.weekdays import SCHEDULE, Incidents, plan_month_day, working_days
from wire.clock import HallClock

MONTH_START = "2026-12-01T08:50:00+08:00"  # a Tuesday; 23 working days follow in December
MORNING = (8, 50)
NIGHT = (0, 5)
AFTER_CLOSE_MIN = 10
WAIT_S = 30.0  # real seconds to wait for a login or the night's upkeep before going on


def run_month(args, cfg, demo_hall, default_clock: str) -> int:
    """``demo_hall``: hallsim.demo.DemoHall, ``default_clock``: hall-demo's default --clock
    (given by hall-demo, which imports this module: no import back)."""
    if args.days < 1 or args.legacy or args.windowed:
        print("hall-demo: --days needs N ≥ 1 and runs without --legacy and --windowed",
              file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    # the second medium of a real hall is a USB disk or a share; the demo's is a folder beside
    cfg = dataclasses.replace(cfg, month=dataclasses.replace(cfg.month, maintenance=dataclasses
                              .replace(cfg.month.maintenance, backup_dir=str(out / "backup"))))
    clock = HallClock(cfg.tz, MONTH_START if args.clock == default_clock else args.clock, args.speed)
    days = working_days(cfg, clock.now().date(), args.days)
    last = max(b for _, b in cfg.hours.sessions)
    hall = demo_hall(cfg, clock, out, args.broker, False, False, args.seed)
    hall.hub_process = True  # as on a hall's hub machine: its RSS apart from the nodes'
    month = Month(hall, cfg, clock, args)
    print(f"hall-demo: {args.days} working days from {days[0]} to {days[-1]} at "
          f"×{args.speed:g}; output in {out}", flush=True)
    t0 = time.monotonic()
    if args.heap:
        heap.start()
    try:
        hall.start()
        if args.web != "off":
            hall.start_web(args.config, args.speed, args.web)
        hall.progress.every_s = float("inf")  # one line a day instead
        print(monthly.DAY_HEAD, flush=True)
        for i, day in enumerate(days):
            until = clock.now().replace(hour=last.hour, minute=last.minute, second=0,
                                        microsecond=0) + timedelta(minutes=AFTER_CLOSE_MIN)
            month.day(i, day, until)
            if i + 1 < len(days):
                month.night(i, day, days[i + 1])
        # the last evening too: what a clerk still held closes after midnight, as every night
        month._skip_to(days[-1] + timedelta(days=1), NIGHT, ticks=True)
    except KeyboardInterrupt:
        print("\nhall-demo: interrupted; writing what the month has so far", flush=True)
    finally:
        hall.stop()
    took = time.monotonic() - t0
    monthly.finish(hall, cfg, clock, days, month.lines, took)
    return 0


class Month:
    """The days and nights of the run, and its line per day."""

    def __init__(self, hall, cfg, clock: HallClock, args):
        self.hall, self.cfg, self.clock, self.args = hall, cfg, clock, args
        self.lines: list[dict] = []

    def day(self, i: int, day, until: datetime) -> None:
        incidents = SCHEDULE.get(i, Incidents())
        if i > 0:
            self._morning(incidents.absent)
        visits = plan_month_day(self.cfg, day, self.clock.now(), until, self.args.visitors,
                                self.args.seed)
        self.hall.run(visits, until, Incident(self.hall, day, incidents).step)
        self.wait_upkeep(day)
        line = monthly.day_line(self.hall, day, len(visits), incidents)
        if self.args.heap:
            line["heap_kb"] = heap.by_room()
        self.lines.append(line)
        print(monthly.day_text(line), flush=True)

    def _morning(self, absent: tuple[int, ...]) -> None:
        """The clerks who came log in at their keypads; yesterday's hands start afresh."""
        staff_of = {n: next(s.number for s in self.cfg.staff.values()
                            if n in s.windows and s.post == "A") for n in self.cfg.windows}
        present = [c for c in self.hall.clerks if c.window not in absent]
        for clerk in self.hall.clerks:
            clerk.plan, clerk.serving, clerk.next_try = [], None, None
            clerk.handled = set()  # numbers start again every day
        for clerk in present:
            clerk.desk_hands("login")
            for digit in staff_of[clerk.window]:
                clerk.desk_hands("digit", int(digit))
            clerk.desk_hands("login")
        state = self.hall.observer.state
        self._until(lambda: all((state.get(f"window/{c.window}") or {}).get("status") == "open"
                                for c in present), "the morning's logins")

    def night(self, i: int, day, next_day) -> None:
        """Past midnight first (the hub closes what the evening left open: a ticket still in a
        clerk's hand, its window's session), the hub restarted on its night, then the
        morning."""
        self._skip_to(next_day, NIGHT, ticks=True)
        if SCHEDULE.get(i, Incidents()).hub_restart_after:
            self._restart_hub()
        self._skip_to(next_day, MORNING)

    def _skip_to(self, day, hhmm: tuple[int, int], ticks: bool = False) -> None:
        """Jump the clock; back once the hub has recorded the step (and, with ``ticks``, has
        closed every earlier day)."""
        at = datetime.combine(day, datetime.min.time(), self.clock.tz).replace(
            hour=hhmm[0], minute=hhmm[1])
        self.clock.skip_to(at)
        self.hall.hub.skip()  # the hub's process follows (hallsim/hubproc.py)
        db = self.hall.out / "hall.db"
        self._until(lambda: monthly.step_seq(db, at) is not None, f"the step to {at:%H:%M}")
        if ticks:  # the hub's tick after midnight closes the evening: what a clerk still held
            # and the windows' sessions. Waiting for open tickets alone went on at once when none
            # was held, and the morning's logins met windows the close-out then shut (a Monday
            # with no window open: 549 closed out)
            seq = monthly.step_seq(db, at) or 0
            self._until(lambda: monthly.closed_since(db, seq)
                        and monthly.open_before(db, day) == 0, "the midnight close-out")

    def _restart_hub(self) -> None:
        """A new HubService on the same file, in the hub's process (rebuilt from the log)."""
        if not self.hall.hub.restart():
            raise RuntimeError("the restarted hub could not serve")

    def wait_upkeep(self, day) -> None:
        self._until(lambda: monthly.upkeep_of(self.hall.out / "hall.db", day) is not None,
                    f"the upkeep of {day}")

    def _until(self, done, what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for node in self.hall.nodes:
                node.poll()
            if done():
                return
            time.sleep(0.02)
        print(f"hall-demo: gave up waiting for {what}", flush=True)


class Incident:
    """One day's incidents as the day runs: the printer empties and is refilled, a node
    restarts."""

    def __init__(self, hall, day, incidents: Incidents):
        self.hall, self.incidents = hall, incidents
        self.paper = incidents.paper_out
        self.reboot = incidents.reboot

    def step(self, now: datetime) -> None:
        printer = self.hall.kiosk.printer
        if self.paper and now.time() >= self.paper[0] and printer.status().paper == "ok":
            printer.set_status(paper="out")
        elif self.paper and now.time() >= self.paper[1]:
            printer.set_status(paper="ok")  # a clerk put a new roll in
            self.paper = None
        if self.reboot and now.time() >= self.reboot[1]:
            self._reboot(self.reboot[0])
            self.reboot = None

    def _reboot(self, window: int) -> None:
        from rater.app import build as build_rater

        hall = self.hall
        clerk = next(c for c in hall.clerks if c.window == window)
        old = clerk.node
        old.stop()
        node_id = next(i for i, n in hall.cfg.nodes.items() if n.window == window)
        staff = next(s.number for s in hall.cfg.staff.values()
                     if window in s.windows and s.post == "A")
        node = build_rater(hall.cfg, node_id, hall.url, hall.clock, headless=True,
                           simulate=True, devices={"staff": staff, "screen": {"backend": "none"}})
        node.start()
        hall.nodes[hall.nodes.index(old)] = node
        clerk.node = node
        clerk.desk_hands, clerk.pad_hands = hall._hands(window, node)
        clerk.handled.discard(clerk.serving)  # the citizen at the window is served again
        clerk.plan, clerk.serving, clerk.next_try = [], None, None
