"""考核: the period's quantitative assessment of each clerk and each window, from the event log.

Every point comes from events a manager can show (their ``seq`` and time): 办件量 from
``finished``, 满意率 and 差评 from ``rated`` (and the case's ``follow_up`` ``closed``), handling
time from ``finished.service_s`` against the service's ``service_s`` norm, time on post and
paused from ``window`` events (login … logout or the day's close-out; pause … resume), over-limit
waits from the first ``called`` of a ticket that waited past ``[alerts] max_wait_s``, no-shows
from ``skipped``. Weights and rule steps: ``[kaohe]`` (wire/kaohe.py, docs/kaohe.md).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from report.period import Period

KINDS = ("finished", "rated", "follow_up", "called", "skipped", "window", "day_closed")
GROUPS = ("staff", "window")


@dataclass(frozen=True)
class Evidence:
    """One event behind a point: its log ``seq``, time and what it says."""

    seq: int
    at: str
    note: str


@dataclass
class Tally:
    """What one clerk's or window's events add up to."""

    finished: list[Evidence] = field(default_factory=list)
    rated: list[Evidence] = field(default_factory=list)
    satisfied: int = 0
    bad: list[Evidence] = field(default_factory=list)
    late: list[Evidence] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)   # service_s / the service's norm
    slow: list[Evidence] = field(default_factory=list)  # finished over the norm
    post_s: float = 0.0
    paused_s: float = 0.0
    posts: list[Evidence] = field(default_factory=list)  # login/logout/pause/resume/close
    calls: int = 0  # tickets first called here: the base of the over-limit and no-show rates
    over_limit: list[Evidence] = field(default_factory=list)
    no_show: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class Item:
    """One item's measure (as shown), score 0–100 and weighted points, with its events."""

    measure: str
    score: float
    points: float
    evidence: tuple[Evidence, ...]


@dataclass
class Row:
    key: str
    name: str
    items: dict[str, Item]
    total: float = 0.0
    rank: int = 0


def _events(conn: sqlite3.Connection, period: Period):
    lo, hi = period.first.isoformat(), period.last.isoformat() + "~"
    marks = ",".join("?" * len(KINDS))
    yield from conn.execute(
        f"SELECT seq, at, kind, data FROM events WHERE kind IN ({marks}) AND at BETWEEN ? AND ? "
        "ORDER BY seq", (*KINDS, lo, hi))


def open_seconds(cfg, a: datetime, b: datetime) -> float:
    """Seconds of [a, b) within the hall's sessions on its working days: time on post counts
    while the hall is open (a window left on post over lunch or after the close-out is not
    worked time)."""
    total, day = 0.0, a.date()
    while day <= b.date():
        # a post left open over a weekend (closed by the next working day's midnight) is not
        # worked on the days the hall is shut
        for start, end in cfg.hours.sessions if cfg.hours.is_working_day(day) else ():
            lo = max(a, datetime.combine(day, start, a.tzinfo))
            hi = min(b, datetime.combine(day, end, a.tzinfo))
            total += max(0.0, (hi - lo).total_seconds())
        day += timedelta(days=1)
    return total


class _Posts:
    """Time on post and paused per window, from login/pause/resume/logout/close-out."""

    def __init__(self, tallies, cfg):
        self.tallies, self.cfg = tallies, cfg
        self.open: dict[int, tuple[str, datetime, datetime | None]] = {}  # window: staff, since, paused

    def _add(self, window: int, staff: str, attr: str, seconds: float) -> None:
        for key in (("staff", staff), ("window", str(window))):
            t = self.tallies(*key)
            setattr(t, attr, getattr(t, attr) + seconds)

    def _note(self, window: int, staff: str, ev: Evidence) -> None:
        self.tallies("staff", staff).posts.append(ev)
        self.tallies("window", str(window)).posts.append(ev)

    def end(self, window: int, at: datetime, ev: Evidence) -> None:
        if window not in self.open:
            return
        staff, since, paused = self.open.pop(window)
        self._add(window, staff, "post_s", open_seconds(self.cfg, since, at))
        if paused is not None:
            self._add(window, staff, "paused_s", open_seconds(self.cfg, paused, at))
        self._note(window, staff, ev)

    def window_event(self, d: dict, at: datetime, ev: Evidence) -> None:
        w, action = d["window"], d["action"]
        if action == "login":
            self.open[w] = (d["staff"], at, None)
            self._note(w, d["staff"], ev)
        elif action in ("pause", "resume") and w in self.open:
            staff, since, paused = self.open[w]
            if action == "pause" and paused is None:
                self.open[w] = (staff, since, at)
            elif action == "resume" and paused is not None:
                self._add(w, staff, "paused_s", open_seconds(self.cfg, paused, at))
                self.open[w] = (staff, since, None)
            self._note(w, staff, ev)
        elif action == "logout":
            self.end(w, at, ev)


def tally(conn: sqlite3.Connection, period: Period, cfg, today: date) -> dict:
    """(group, key) -> Tally for every clerk and window with events in ``period``; a 差评 case
    open past its deadline on ``today`` counts as late."""
    out: dict[tuple[str, str], Tally] = {}

    def t(group: str, key) -> Tally:
        return out.setdefault((group, str(key)), Tally())

    def both(d: dict) -> list[Tally]:
        return [t("staff", d.get("staff") or "-"), t("window", d["window"])]

    posts, first_called, cases, closed, dues = _Posts(t, cfg), set(), {}, {}, {}
    when = None
    for seq, at, kind, raw in _events(conn, period):
        d, when = json.loads(raw), datetime.fromisoformat(at)
        if kind == "day_closed":
            for s in d.get("windows", []):
                posts.end(s["window"], when, Evidence(seq, at, "日终下岗"))
            continue
        if kind == "window":
            posts.window_event(d, when, Evidence(seq, at, _post_note(d)))
            continue
        if kind == "follow_up":
            if d.get("action") == "closed":
                closed[d["ticket_id"]] = (seq, at, bool(d.get("late")))
            elif d.get("action") == "opened":
                dues[d["ticket_id"]] = d.get("due")
            continue
        ev = Evidence(seq, at, d.get("no", ""))
        if kind == "finished":
            _finished(both(d), d, ev, cfg)
        elif kind == "rated":
            _rated(both(d), d, ev, cases)
        elif kind == "called" and d["ticket_id"] not in first_called:
            first_called.add(d["ticket_id"])
            for x in both(d):
                x.calls += 1
            if (d.get("wait_s") or 0) > cfg.alerts.max_wait_s:
                note = f"{d['no']} 等候{d['wait_s'] // 60}分"
                for x in both(d):
                    x.over_limit.append(Evidence(seq, at, note))
        elif kind == "skipped":
            for x in both(d):
                x.no_show.append(ev)
    for w in list(posts.open):  # still on post when the log ends: counted until its last event
        posts.end(w, when, Evidence(0, when.isoformat(), "仍在岗"))
    for tid, (tallies, bad_ev) in cases.items():
        late = _late(closed.get(tid), dues.get(tid), today)
        if late is not None:
            for x in tallies:
                x.late.append(late if late.seq else Evidence(bad_ev.seq, bad_ev.at,
                                                             f"{bad_ev.note} 逾期未回访"))
    return out


def _post_note(d: dict) -> str:
    label = {"login": "上岗", "logout": "下岗", "pause": "暂停", "resume": "恢复",
             "assign": "调整事项"}.get(d["action"], d["action"])
    return label + (f"（{d['reason']}）" if d.get("reason") else "")


def _finished(tallies: list[Tally], d: dict, ev: Evidence, cfg) -> None:
    service = cfg.services.get(d["service"])
    norm = service.service_s if service else None
    for x in tallies:
        x.finished.append(ev)
        if norm and d.get("service_s") is not None:
            x.ratios.append(d["service_s"] / norm)
            if d["service_s"] > norm:
                x.slow.append(Evidence(ev.seq, ev.at, f"{ev.note} {d['service_s']}s/{norm}s"))


def _rated(tallies: list[Tally], d: dict, ev: Evidence, cases: dict) -> None:
    note = Evidence(ev.seq, ev.at, f"{ev.note} {d.get('level', d['score'])}")
    for x in tallies:
        x.rated.append(note)
        x.satisfied += d["score"] >= 3
        if d["score"] <= 2 and not d.get("defaulted"):
            x.bad.append(note)
    if d["score"] <= 2 and not d.get("defaulted"):
        cases[d["ticket_id"]] = (tallies, note)


def _late(close, due: str | None, today: date) -> Evidence | None:
    """The evidence that a case was late, or None (in time, or still within its deadline)."""
    if close is not None:
        seq, at, late = close
        return Evidence(seq, at, "回访逾期办结") if late else None
    if due is not None and today > date.fromisoformat(due):
        return Evidence(0, "", "")  # open past its deadline: the 差评 itself is the evidence
    return None


def _share(points: float, part: int, whole: int) -> tuple[str, float]:
    """``part/whole`` as shown, and 100 − ``points`` per percent of ``whole`` (floor 0)."""
    pct = 100.0 * part / whole if whole else 0.0
    return f"{part}/{whole}", max(0.0, 100.0 - points * pct)


def score_items(x: Tally, best_volume: int, rules) -> dict[str, Item]:
    """Each item's measure, score 0–100 and weighted points for one tally (docs/kaohe.md)."""
    r = rules.items
    weight = sum(i.weight for i in r.values())
    rated, n_bad, n_late = len(x.rated), len(x.bad), len(x.late)
    mean_ratio = sum(x.ratios) / len(x.ratios) if x.ratios else None
    on = x.post_s - x.paused_s
    raw = {
        "volume": (f"{len(x.finished)}", 100.0 * len(x.finished) / best_volume
                   if best_volume else 100.0, x.finished),
        "satisfaction": (f"{x.satisfied}/{rated}", 100.0 * x.satisfied / rated if rated else 100.0,
                         x.rated),
        "bad_rating": (f"{n_bad}/逾期{n_late}",
                       max(0.0, 100.0 - r["bad_rating"].points * n_bad
                           - r["bad_rating"].late_points * n_late), x.bad + x.late),
        "handling": ("-" if mean_ratio is None else f"{mean_ratio:.0%}",
                     100.0 if mean_ratio is None or mean_ratio <= 1 else
                     max(0.0, 100.0 - r["handling"].points * (mean_ratio - 1) * 10), x.slow),
        "on_post": (f"{x.post_s / 3600:.1f}h/暂停{x.paused_s / 3600:.1f}h",
                    100.0 * on / x.post_s if x.post_s > 0 else 0.0, x.posts),
        "over_limit": (*_share(r["over_limit"].points, len(x.over_limit), x.calls),
                       x.over_limit),
        "no_show": (*_share(r["no_show"].points, len(x.no_show), x.calls), x.no_show),
    }
    return {k: Item(m, round(s, 2), round(s * r[k].weight / weight, 2), tuple(ev))
            for k, (m, s, ev) in raw.items()}


def kaohe(conn: sqlite3.Connection, period: Period, cfg, today: date) -> dict[str, list[Row]]:
    """The 考核 per group (``staff``, ``window``): rows ranked by total, best first (ties by
    key)."""
    tallies = tally(conn, period, cfg, today)
    out = {}
    for group in GROUPS:
        mine = {k: x for (g, k), x in tallies.items() if g == group and k != "-"}
        best = max((len(x.finished) for x in mine.values()), default=0)
        rows = []
        for key, x in mine.items():
            items = score_items(x, best, cfg.month.kaohe)
            rows.append(Row(key, _name(cfg, group, key), items,
                            round(sum(i.points for i in items.values()), 2)))
        rows.sort(key=lambda row: (-row.total, _order(row.key)))
        for i, row in enumerate(rows, 1):
            row.rank = i
        out[group] = rows
    return out


def _order(key: str):
    return (0, int(key), "") if key.isdigit() and len(key) < 4 else (1, 0, key)


def _name(cfg, group: str, key: str) -> str:
    if group == "staff":
        staff = cfg.staff.get(key)
        return staff.name if staff else key
    window = cfg.windows.get(int(key)) if key.isdigit() else None
    return window.name if window else key
