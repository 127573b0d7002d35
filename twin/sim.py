"""The twin's day: the hub's own queue engine (hub.engine) driven in-process by a simulated clock.

No broker and no sleeping: a heap of timed happenings (a citizen arrives at the kiosk, a clerk
calls, a turn at a window ends, a decision of the day, the hub's tick) is worked through in hall
time. Every op goes through the engine's handlers exactly as the hub's desk runs them, and
every event they decide is applied and kept: the twin's log has the hub's own events.

Clerks: an open window with nothing in hand calls the next ticket ``turn_s`` (measured) after
its last turn ended, or after a ticket it could serve arrives; a turn lasts what the record (or
the measured distribution) says. Decisions: logins, logouts, pauses, resumes and the manager's
assignments at their logged times; a logout or a closed window waits for the ticket in hand.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from hub.engine import Context, QueueEngine, calling, citizen, tickets, windows
from hub.engine import assign as assign_ops
from hub.engine.calendar import day_end
from hub.engine.types import ServiceTimes
from twin.log import LogEvent
from twin.measure import Measured
from twin.people import SKIP, TRANSFER, Citizen, Stage
from twin.scenario import Scenario, StaffChange
from wire.config import HallConfig
from wire.contract import HubError

ID_KEY = b"hall-twin-replay"   # the twin hashes no ID numbers; the engine wants a key
TICK_S = 20                    # the hub ticks every few seconds; alerts need no finer time
NODE = "twin"
TWIN_BY = "twin"


class Sim:
    """One run of one day. :meth:`run` returns the twin's events (and counts ``told``)."""

    def __init__(self, cfg: HallConfig, day_start: datetime, people: list[Citizen],
                 decisions: list[LogEvent], measured: Measured, scenario: Scenario,
                 extra: list[tuple[int, str, StaffChange]], seed: int = 0,
                 history: dict[str, tuple[float, int]] | None = None, tick_s: int = TICK_S):
        self.cfg, self.people, self.m, self.sc = cfg, people, measured, scenario
        self.decisions, self.extra, self.seed = decisions, extra, seed
        self.day_start, self.tick_s = day_start, tick_s
        self.engine = QueueEngine(cfg, ID_KEY)
        for sid, (total, n) in (history or {}).items():  # the long-run means of that morning
            if sid in cfg.services:
                self.engine.state.times[sid] = ServiceTimes(
                    float(cfg.services[sid].service_s) + total, 1 + n)
        self.log: list[LogEvent] = []
        self.told = 0
        self._heap: list = []
        self._n = 0
        self._who: dict[str, Citizen] = {}      # ticket_id -> citizen
        self._turn: dict[str, int] = {}         # ticket_id -> turns begun
        self._try: dict[int, datetime] = {}     # window -> its pending call attempt
        self._leaving: dict[int, Callable[[datetime], None]] = {}
        self._closed_until: dict[int, datetime] = {}  # windows a "-N" change keeps closed
        self._recorded_staff: dict[int, str | None] = {}
        self._closed_day = False

    # -- the clock -------------------------------------------------------------------------
    def at(self, when: datetime, fn: Callable, *args) -> None:
        heapq.heappush(self._heap, (when, self._n, fn, args))
        self._n += 1

    def _when(self, t) -> datetime:
        return self.day_start.replace(hour=t.hour, minute=t.minute, second=t.second)

    def run(self) -> list[LogEvent]:
        for c in self.people:
            self.at(c.arrives, self._arrive, c)
        for ev in self.decisions:
            self.at(ev.at, self._decide, ev)
        starts = [c.arrives for c in self.people] + [e.at for e in self.decisions]
        if not starts:
            return self.log  # nobody came and nobody decided: an empty day
        first = min(starts)
        for n, services in self.sc.assign:
            self.at(first, self._assign, n, list(services))
        for n, staff, change in self.extra:
            self.at(self._when(change.start), self._login, n, staff)
            self.at(self._when(change.end), self._leave, n)
        for change in self.sc.staff:
            if change.delta < 0:
                self.at(self._when(change.start), self._close_some, change)
        self.at(first, self._tick)
        stop = day_end(self.cfg, self.day_start.date()) + timedelta(hours=6)
        while self._heap:
            when, _, fn, args = heapq.heappop(self._heap)
            if when > stop:
                break
            fn(when, *args)
        return self.log

    # -- ops through the engine --------------------------------------------------------------
    def op(self, handler, args: dict, when: datetime, role: str = "admin"):
        """Decide one op with the engine's handler and apply its events; None if refused."""
        try:
            decision = self.engine.run(handler, args, Context(NODE, role, None, when))
        except HubError:
            return None
        for ev in decision.events:
            self._apply(ev, when)
        return decision

    def _apply(self, ev, when: datetime) -> None:
        self.engine.apply(ev, when)
        self.log.append(LogEvent(when, ev.kind, ev.data))
        d = ev.data
        if ev.kind == "alert" and d["kind"] == "assist_suggested" and not d.get("auto") \
                and self.sc.manager == "accept":
            self.at(when + timedelta(seconds=self.m.manager_s), self._accept, d)
        elif ev.kind == "window" and d["action"] in ("login", "resume", "assign"):
            self._poke(d["window"], when)
        elif ev.kind == "day_closed":
            self._closed_day = True

    def _tick(self, when: datetime) -> None:
        for ev in self.engine.tick(when):
            self._apply(ev, when)
        if not self._closed_day:
            self.at(when + timedelta(seconds=self.tick_s), self._tick)

    # -- citizens ------------------------------------------------------------------------------
    def _arrive(self, when: datetime, c: Citizen) -> None:
        args = {"service": c.service}
        if c.priority:
            args["priority"] = c.priority
        decision = self.op(tickets.take, args, when)
        if decision is None:
            self.told += 1  # refused at the kiosk (capped, full, closed): told, not served
            return
        tid = decision.result["ticket"]["ticket_id"]
        self._who[tid], self._turn[tid] = c, 0
        if c.leaves_after_s is not None:
            self.at(when + timedelta(seconds=c.leaves_after_s), self._cancel, tid)
        for n in self.engine.state.windows:
            self._poke(n, when)

    def _cancel(self, when: datetime, tid: str) -> None:
        t = self.engine.state.tickets.get(tid)
        if t is not None and t.status == "waiting":
            token = self.engine.state.tokens.token(tid)
            self.op(citizen.cancel, {"token": token, "reason": "left"}, when, role="web")

    def _stage(self, tid: str, when: datetime) -> Stage:
        c, i = self._who[tid], self._turn[tid]
        self._turn[tid] = i + 1
        if i < len(c.stages) and not self.sc.draw_all:
            return c.stages[i]
        rng = random.Random(f"{self.seed}:{c.index}:{i}")  # the citizen's own draw, any order
        service = self.engine.state.tickets[tid].service
        return self.m.draw(service, when.hour, rng, self.cfg.services[service].service_s)

    # -- windows -------------------------------------------------------------------------------
    def _poke(self, n: int, when: datetime) -> None:
        """Window ``n`` will try to call ``turn_s`` from now (unless it already will sooner)."""
        due = when + timedelta(seconds=self.m.turn_s)
        pending = self._try.get(n)
        if pending is None or pending > due:
            self._try[n] = due
            self.at(due, self._call, n)

    def _call(self, when: datetime, n: int) -> None:
        if self._try.get(n) != when:
            return  # a later poke moved it
        del self._try[n]
        w = self.engine.state.windows.get(n)
        if w is None or w.status != "open" or w.current is not None or n in self._leaving:
            return
        decision = self.op(calling.call_next, {"window": n}, when)
        ticket = decision.result["ticket"] if decision else None
        if ticket is None:
            return  # idle until a ticket it serves arrives
        tid = ticket["ticket_id"]
        stage = self._stage(tid, when)
        self.at(when + timedelta(seconds=stage.seconds), self._end_turn, n, tid, stage)

    def _end_turn(self, when: datetime, n: int, tid: str, stage: Stage) -> None:
        if self.engine.state.windows[n].current != tid:
            return
        if stage.kind == SKIP:
            self.op(calling.skip, {"window": n}, when)
        elif stage.kind == TRANSFER and self._transfer(n, stage, when):
            for other in self.engine.state.windows:
                self._poke(other, when)
        else:
            self.op(calling.finish, {"window": n}, when)
        then = self._leaving.pop(n, None)
        if then is not None:
            then(when)
        else:
            self._poke(n, when)

    def _transfer(self, n: int, stage: Stage, when: datetime) -> bool:
        args: dict = {"window": n}
        if stage.to_window is not None:
            args["to_window"] = stage.to_window
        else:
            args["service"] = stage.to_service
        return self.op(calling.transfer, args, when) is not None

    def _login(self, when: datetime, n: int, staff: str) -> None:
        self.op(windows.login, {"window": n, "staff": staff}, when)

    def _leave(self, when: datetime, n: int) -> None:
        """The clerk leaves window ``n`` (after the ticket in hand, if any)."""
        w = self.engine.state.windows[n]
        if w.staff is None:
            return
        if w.current is not None:
            self._leaving[n] = lambda t: self._leave(t, n)
            return
        self.op(windows.logout, {"window": n, "staff": w.staff}, when)

    def _assign(self, when: datetime, n: int, services: list[str], by: str = TWIN_BY) -> None:
        self.op(assign_ops.assign, {"window": n, "services": services, "by": by}, when)

    def _accept(self, when: datetime, alert: dict) -> None:
        """The twin's duty manager accepts a suggestion (``--manager accept``)."""
        self.op(assign_ops.assist, {"window": alert["window"], "service": alert["service"],
                                    "by": TWIN_BY}, when)

    def _close_some(self, when: datetime, change: StaffChange) -> None:
        """A ``-N`` change: the highest-numbered open windows serving its services close."""
        extra = {n for n, _, _ in self.extra}
        open_ = [n for n, w in sorted(self.engine.state.windows.items(), reverse=True)
                 if w.staff is not None and n not in extra and n not in self._closed_until]
        first = [n for n in open_ if change.services
                 and self.cfg.windows[n].services[0] in change.services]
        some = [n for n in open_ if not change.services
                or set(self.cfg.windows[n].services) & set(change.services)]
        for n in list(dict.fromkeys(first + some))[:abs(change.delta)]:
            self._closed_until[n] = self._when(change.end)
            self._leave(when, n)
            self.at(self._when(change.end), self._reopen, n)

    def _reopen(self, when: datetime, n: int) -> None:
        self._closed_until.pop(n, None)
        staff = self._recorded_staff.get(n)
        if staff is not None:
            self._login(when, n, staff)

    # -- the day's recorded decisions ----------------------------------------------------------
    def _decide(self, when: datetime, ev: LogEvent) -> None:
        d = ev.data
        n, action = d.get("window"), d.get("action")
        if n not in self.engine.state.windows:
            return
        if action == "login":
            self._recorded_staff[n] = d["staff"]
        elif action == "logout":
            self._recorded_staff[n] = None
        if n in self._closed_until:
            return  # the scenario keeps this window closed now
        if action == "login":
            self._login(when, n, d["staff"])
        elif action == "logout":
            self._leave(when, n)
        elif action == "pause":
            self.op(windows.pause, {"window": n, "reason": d.get("reason")}
                    if d.get("reason") else {"window": n}, when)
        elif action == "resume":
            self.op(windows.resume, {"window": n}, when)
        elif action == "assign" and self._replays(d):
            self._assign(when, n, list(d["services"]), d.get("by") or TWIN_BY)

    def _replays(self, d: dict) -> bool:
        """Whether a logged assignment is replayed: the hub's own (``assist = "auto"``) are
        the twin engine's to make; suggestions accepted only when the manager is ``recorded``."""
        if d.get("by") == "hub":
            return False
        return not d.get("suggested") or self.sc.manager == "recorded"
