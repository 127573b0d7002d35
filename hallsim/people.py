"""The people of the demo: citizens who take tickets and rate, clerks who press the keys.

They act only through the devices a real person touches: the kiosk's screen (choose_service)
and the window's simulated keypad and rating pad. Times are hall time (the hall clock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hallsim.day import Visit

WALK_S = 40          # from the call to the window
RECALL_AFTER_S = 90  # a no-show is called again, then given up
SKIP_AFTER_S = 180
PAPERWORK_S = 20     # between one citizen and the next
IDLE_RETRY_S = 30    # an idle clerk presses 呼叫 again after this
WAIT_LIMIT_S = 1800  # waits past this (and twice this) cost a point of the score each
PRESS_AGAIN_S = 120  # the window still shows the ticket after 办结/过号: the clerk presses again


def score_after_wait(score: int | None, waited_s: float, limit_s: float = WAIT_LIMIT_S):
    """A citizen's score after their wait: as real ones do, one point less past the hall's
    limit and another past twice it (never below 1; None: does not rate)."""
    if score is None:
        return None
    penalty = (waited_s > limit_s) + (waited_s > 2 * limit_s)
    return max(1, score - penalty)


class Citizens:
    """Visits in arrival order, taken one at a time at the kiosk as a queue of people would."""

    def __init__(self, visits: list[Visit]):
        self.queue = list(visits)
        self.by_no: dict[str, Visit] = {}
        self.refused = 0
        self.told = 0   # refused by the hub at the kiosk (号已取完, 今日已约满): told, not unserved
        self._at_kiosk: Visit | None = None
        self._taken = 0

    def step(self, kiosk, now: datetime, timings: list) -> None:
        """``timings``: what the kiosk's recorder filed as ``timing`` so far."""
        if self._at_kiosk is not None:
            if kiosk.busy:
                return
            done = timings[self._taken:] if len(timings) > self._taken else []
            self._taken = len(timings)
            for timing in done:
                if timing.no:
                    self.by_no[timing.no] = self._at_kiosk
                else:
                    self.told += 1
            self._at_kiosk = None
        if self.queue and self.queue[0].arrives <= now:
            visit = self.queue.pop(0)
            if (kiosk.check_in_booking(visit.booking) if visit.booking else
                    kiosk.choose_service(visit.service, visit.priority)):
                self._at_kiosk = visit
            else:
                self.refused += 1  # closed, capped or unreachable: the screen told them why


@dataclass
class Clerk:
    """One window's clerk: calls, serves, finishes, transfers or gives up on a no-show; the
    citizen at the window presses the rating pad after a finish."""

    window: int
    node: object
    desk_hands: object
    pad_hands: object
    next_try: datetime | None = None
    serving: str | None = None
    plan: list = field(default_factory=list)
    finished: int = 0
    skipped: int = 0
    transferred: int = 0
    handled: set = field(default_factory=set)
    #: the last ending key pressed and (ticket the window showed, since when): a press the node
    #: dropped (busy with the last request, a sped-up clock) is pressed again, as a person would
    last_key: str | None = None
    shown: tuple = (None, None)

    def step(self, state: dict, citizens: Citizens, now: datetime) -> None:
        while self.plan and self.plan[0][0] <= now:
            _, action, arg = self.plan.pop(0)
            action(arg)
        serving = (state.get("serving") or {}).get("no") if state else None
        if state and state.get("status") != "open":
            return
        if serving and serving != self.serving and serving not in self.handled:
            # retained state can lag a key press: a ticket once handled is never planned again
            self.serving = serving
            self.handled.add(serving)
            self._plan_visit(citizens.by_no.get(serving), now)
        elif not serving and self.serving and not self.plan:
            self.serving = None
        elif serving and serving in self.handled and not self.plan and self.last_key:
            self._press_again(serving, now)
        if not serving and not self.plan and (self.next_try is None or now >= self.next_try):
            self.desk_hands("call_next")
            self.next_try = now + timedelta(seconds=IDLE_RETRY_S)

    def _press_again(self, serving: str, now: datetime) -> None:
        if self.shown[0] != serving:
            self.shown = (serving, now)
        elif now - self.shown[1] >= timedelta(seconds=PRESS_AGAIN_S):
            self.desk_hands(self.last_key)
            self.shown = (serving, now)

    def _plan_visit(self, visit: Visit | None, now: datetime) -> None:
        later = lambda s: now + timedelta(seconds=s)  # noqa: E731
        if visit is None:  # a ticket the demo did not issue (a walk-in, a requeue): serve it
            self.plan = [(later(WALK_S + 300), self._finish, None)]
            return
        if visit.no_show:
            self.plan = [(later(RECALL_AFTER_S), self.desk_hands, "recall"),
                         (later(SKIP_AFTER_S), self._skip, None)]
            return
        end = WALK_S + visit.service_s
        self.plan = [(later(WALK_S), self.desk_hands, "start")]
        if visit.transfer_to and visit.transfer_to in self._transfer_ids():
            self.plan.append((later(WALK_S + 60), self._transfer, visit.transfer_to))
            return
        score = score_after_wait(visit.score, (now - visit.arrives).total_seconds())
        self.plan.append((later(end), self._finish, score))

    def _finish(self, score: int | None) -> None:
        self.desk_hands("finish")
        self.last_key = "finish"
        self.finished += 1
        self._next(PAPERWORK_S)
        if score is not None:
            self.plan.insert(0, (self.node.clock.now() + timedelta(seconds=3), self._rate,
                                 (score, 0)))

    def _rate(self, arg) -> None:
        """The citizen presses once the pad's LEDs blink (the invitation), as people do."""
        score, tries = arg
        if self.node.session.state == "inviting":
            self.pad_hands(f"rate_{score}")
        elif tries < 10:
            self.plan.insert(0, (self.node.clock.now() + timedelta(seconds=2), self._rate,
                                 (score, tries + 1)))

    def _skip(self, _arg) -> None:
        self.desk_hands("skip")
        self.last_key = "skip"
        self.skipped += 1
        self._next(5)

    def _transfer(self, service: str) -> None:
        self.last_key = "finish"  # a transfer that did not go through: served here after all
        self.desk_hands("transfer")
        self.desk_hands("digit", self._transfer_ids().index(service) + 1)
        self.transferred += 1
        self._next(PAPERWORK_S)

    def _transfer_ids(self) -> list[str]:
        return [sid for sid, _name in self.node.desk.transfer]

    def _next(self, seconds: float) -> None:
        self.serving = None
        self.next_try = self.node.clock.now() + timedelta(seconds=seconds)
