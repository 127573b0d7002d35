"""What a manager asks the twin: the day as it was decided, or with other staffing, skills,
assignments or queue rules (docs/twin.md "Options").

Staffing changes are per time span: ``9-12=+1`` opens one more window 09:00–12:00 (serving every
service, as a comprehensive window), ``9-12=F+1`` one more for 公安户籍 only, ``13:30-17=D-1``
closes one window that serves 社会保障 (the highest-numbered one open then; its clerk is back at
the end). Bad input raises ScenarioError and nothing runs.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import time

from wire.config import ASSISTS, BALANCES, CAPACITY, POLICIES, HallConfig, Staff, Window

MANAGERS = ("recorded", "accept", "none")
RULES = {"balance": BALANCES, "assist": ASSISTS, "capacity": CAPACITY, "policy": POLICIES}
EXTRA_STAFF = "T"   # staff numbers of the clerks the twin adds: T13, T14 …
_SPAN = re.compile(r"(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?=([A-Z](?:,[A-Z])*)?([+-]\d+)")


class ScenarioError(ValueError):
    """An option the twin cannot run (one line: what was wrong and what is expected)."""


@dataclass(frozen=True)
class StaffChange:
    """``delta`` windows more (or fewer) from ``start`` to ``end``, serving ``services``."""

    start: time
    end: time
    delta: int
    services: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Scenario:
    """One way to run the day. The default is the day as recorded."""

    name: str = "recorded"
    rules: tuple[tuple[str, str], ...] = ()
    staff: tuple[StaffChange, ...] = ()
    skills: tuple[tuple[str, tuple[str, ...]], ...] = ()
    assign: tuple[tuple[int, tuple[str, ...]], ...] = ()
    manager: str = "recorded"
    draw_all: bool = False

    def changes(self) -> bool:
        return bool(self.rules or self.staff or self.skills or self.assign
                    or self.manager != "recorded" or self.draw_all)


def _services(cfg: HallConfig, text: str, what: str) -> tuple[str, ...]:
    sids = tuple(s for s in text.split(",") if s)
    unknown = [s for s in sids if s not in cfg.services]
    if not sids or unknown:
        raise ScenarioError(f"{what}: unknown service {','.join(unknown) or text!r}; the hall's "
                            f"services are {','.join(cfg.services)}")
    return sids


def _time(hour: str, minute: str | None, text: str) -> time:
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0:
        return time(23, 59, 59)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ScenarioError(f"--staff {text!r}: {hour}:{minute or '00'} is not a time of day")
    return time(h, m)


def staff_change(cfg: HallConfig, text: str) -> StaffChange:
    """``9-12=+1``, ``9-12=F+1``, ``13:30-17=D,E-1``."""
    m = _SPAN.fullmatch(text.replace(" ", ""))
    if not m:
        raise ScenarioError(f"--staff {text!r}: expected FROM-TO=[SERVICES]+N or -N, "
                            f"e.g. 9-12=+1, 9-12=F+1, 13:30-17=D-1")
    start, end = _time(m[1], m[2], text), _time(m[3], m[4], text)
    delta = int(m[6])
    if not start < end:
        raise ScenarioError(f"--staff {text!r}: the span must end after it starts")
    if delta == 0 or abs(delta) > len(cfg.windows):
        raise ScenarioError(f"--staff {text!r}: the change must be 1..{len(cfg.windows)} "
                            f"windows more or fewer")
    services = _services(cfg, m[5], f"--staff {text!r}") if m[5] else ()
    return StaffChange(start, end, delta, services, text)


def skills(cfg: HallConfig, text: str) -> tuple[str, tuple[str, ...]]:
    """``1008=E,F``: clerk 1008 may serve E and F."""
    number, _, sids = text.partition("=")
    if number not in cfg.staff:
        raise ScenarioError(f"--skills {text!r}: no clerk {number!r} in the hall; expected "
                            f"STAFF=SERVICES, e.g. 1008=E,F")
    return number, _services(cfg, sids, f"--skills {text!r}")


def assignment(cfg: HallConfig, text: str) -> tuple[int, tuple[str, ...]]:
    """``12=F,D``: window 12 serves F, then D, the whole day."""
    number, _, sids = text.partition("=")
    if not number.isdigit() or int(number) not in cfg.windows:
        raise ScenarioError(f"--assign {text!r}: no window {number!r} in the hall; expected "
                            f"WINDOW=SERVICES, e.g. 12=F,D")
    return int(number), _services(cfg, sids, f"--assign {text!r}")


def config_for(cfg: HallConfig, sc: Scenario) -> tuple[HallConfig, list[tuple[int, str, StaffChange]]]:
    """The hall as the scenario runs it: its rules and skills, and one more window (and clerk)
    for each window a ``+N`` change opens. Returns the config and those (window, staff, change)."""
    queue = dataclasses.replace(cfg.queue, **dict(sc.rules))
    staff = dict(cfg.staff)
    for number, sids in sc.skills:
        staff[number] = dataclasses.replace(staff[number], skills=sids)
    windows = dict(cfg.windows)
    extra = []
    for change in sc.staff:
        for _ in range(max(0, change.delta)):
            n = max(windows) + 1
            sids = change.services or tuple(cfg.services)
            windows[n] = Window(n, f"加开{n}号窗口", sids, tuple(cfg.services))
            number = f"{EXTRA_STAFF}{n}"
            staff[number] = Staff(number=number, name="加开窗口", post="A", windows=(n,), skills=sids)
            extra.append((n, number, change))
    return dataclasses.replace(cfg, queue=queue, staff=staff, windows=windows), extra
