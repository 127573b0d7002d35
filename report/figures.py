"""The hall's figures for a period, per hall, window, staff member and service, and the
rankings a monthly 通报 shows.

Each fact counts where it happened: a wait at the window (and staff) that first called the
ticket, a service where it was finished, a 过号 where it was skipped, a 转办 at the window that
transferred it. ``issued`` counts by the service the citizen took; windows and staff have no
issue count (a kiosk ticket belongs to no window until called) and show ``called`` instead.
Waiting figures cover called tickets (issue → first call); a ticket the day's close-out closed
uncalled counts in ``closed_unserved`` and, when it waited past the limit, in ``over_limit``.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from dataclasses import dataclass, field

from report.data import PeriodRecord

BAD_SCORES = (1, 2)        # 不满意, 非常不满意
SATISFIED_SCORES = (3, 4, 5)


def p90(values: list[float]) -> float | None:
    """90th percentile by nearest rank: the smallest value with at least 90 % at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(0.9 * len(ordered))) - 1]


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass
class Tally:
    """The raw counts and samples of one group; :meth:`figures` turns them into the row."""

    issued: int = 0
    called: int = 0
    served: int = 0
    no_show: int = 0
    transferred: int = 0
    closed_unserved: int = 0
    unserved_waits: list[int] = field(default_factory=list)
    waits: list[int] = field(default_factory=list)
    service_times: list[int] = field(default_factory=list)
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    defaulted: int = 0
    served_ids: set[str] = field(default_factory=set)
    rated_ids: set[str] = field(default_factory=set)

    def merge(self, other: Tally) -> None:
        """Add ``other``'s counts and samples (days added up into a period: county.aggregate)."""
        for f in dataclasses.fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                for k, v in theirs.items():
                    mine[k] = mine.get(k, 0) + v
            elif isinstance(mine, list):
                mine.extend(theirs)
            elif isinstance(mine, set):
                mine.update(theirs)
            else:
                setattr(self, f.name, mine + theirs)

    def dump(self) -> dict:
        """JSON-ready: what :meth:`load` reads back into an equal Tally."""
        out = dataclasses.asdict(self)
        out["levels"] = {str(k): v for k, v in self.levels.items()}
        out["served_ids"], out["rated_ids"] = sorted(self.served_ids), sorted(self.rated_ids)
        return out

    @classmethod
    def load(cls, d: dict) -> Tally:
        t = cls(**{k: v for k, v in d.items() if k not in ("levels", "served_ids", "rated_ids")})
        t.levels = {int(k): v for k, v in d["levels"].items()}
        t.served_ids, t.rated_ids = set(d["served_ids"]), set(d["rated_ids"])
        return t

    def figures(self, max_wait_s: int, per_issue: bool) -> dict:
        """One row: every key of report.strings.COLUMNS (times in seconds, rates 0–1)."""
        rated = sum(self.levels.values())
        unrated = len(self.served_ids - self.rated_ids)
        w, s = self.waits, self.service_times
        return {
            "issued": self.issued if per_issue else None,
            "called": self.called, "served": self.served, "no_show": self.no_show,
            "transferred": self.transferred, "closed_unserved": self.closed_unserved,
            "wait_mean_s": statistics.fmean(w) if w else None,
            "wait_median_s": statistics.median(w) if w else None,
            "wait_p90_s": p90(w), "wait_max_s": max(w) if w else None,
            "over_limit": sum(1 for x in w + self.unserved_waits if x > max_wait_s),
            "service_mean_s": statistics.fmean(s) if s else None,
            "service_median_s": statistics.median(s) if s else None,
            **{f"level_{k}": self.levels[k] for k in range(5, 0, -1)},
            "rated": rated, "defaulted": self.defaulted,
            "satisfied_rate": _rate(sum(self.levels[k] for k in SATISFIED_SCORES), rated),
            "bad_rate": _rate(sum(self.levels[k] for k in BAD_SCORES), rated),
            "unrated_rate": _rate(unrated, len(self.served_ids)),
            "bad": sum(self.levels[k] for k in BAD_SCORES),
        }


@dataclass
class Figures:
    """Rows per view: ``views["window"][3]`` is window 3's row (a dict of COLUMNS keys)."""

    record: PeriodRecord | None  # None: figures from aggregates (county.aggregate)
    views: dict[str, dict]
    names: dict[str, dict]


def compute(record: PeriodRecord, cfg) -> Figures:
    """Tally ``record`` into rows for the hall, each window, staff member and service."""
    return finish(tally_record(record, cfg), cfg, record)


def tally_record(record: PeriodRecord, cfg) -> dict[str, dict]:
    """The tallies per view and key (``["window"][3]``) of ``record``'s tickets and ratings.
    A period's tallies are its days' tallies merged: each fact belongs to its ticket's day."""
    tallies: dict[str, dict] = {"hall": {}, "window": {}, "staff": {}, "service": {}}

    def tally(view: str, key) -> Tally:
        return tallies[view].setdefault(key, Tally())

    def each(window, staff, service):
        out = [tally("hall", cfg.hall_id)]
        if window is not None:
            out.append(tally("window", window))
        if staff is not None:
            out.append(tally("staff", staff))
        if service is not None:
            out.append(tally("service", service))
        return out

    for t in record.tickets.values():
        if not t.walk_in:
            for g in each(None, None, t.service_issued):
                g.issued += 1
        if t.first_window is not None:
            for g in each(None, None, t.service_issued):
                g.called += 1
            for window, staff in t.called_at:
                for g in each(window, staff, None)[1:]:
                    g.called += 1
            if t.wait_s is not None and not t.walk_in:
                for g in each(t.first_window, t.first_staff, t.service_issued):
                    g.waits.append(t.wait_s)
        if t.finished:
            for g in each(t.window, t.staff, t.service_final):
                g.served += 1
                g.served_ids.add(t.ticket_id)
                if t.service_s is not None:
                    g.service_times.append(t.service_s)
        if t.no_show:
            for g in each(t.skip_window, t.skip_staff, t.service_issued):
                g.no_show += 1
        if t.closed_reason is not None:
            for g in each(None, None, t.service_final):
                g.closed_unserved += 1
                if t.unserved_wait_s is not None:
                    g.unserved_waits.append(t.unserved_wait_s)
        if t.transfers:
            tally("hall", cfg.hall_id).transferred += 1
            for window, staff, from_service in t.transfers:
                for g in each(window, staff, from_service)[1:]:
                    g.transferred += 1
    for r in record.ratings.values():
        for g in each(r.window, r.staff, r.service):
            g.levels[r.score] += 1
            g.rated_ids.add(r.ticket_id)
            g.defaulted += int(r.defaulted)
    return tallies


def finish(tallies: dict[str, dict], cfg, record: PeriodRecord | None = None) -> Figures:
    """The rows of ``tallies`` (from a period's record, or its days' merged aggregates)."""
    limit = cfg.alerts.max_wait_s
    views = {view: {key: t.figures(limit, view in ("hall", "service"))
                    for key, t in sorted(groups.items(), key=lambda kv: str(kv[0]).zfill(8))}
             for view, groups in tallies.items()}
    if not views["hall"]:
        views["hall"][cfg.hall_id] = Tally().figures(limit, True)
    return Figures(record, views, names(cfg))


def names(cfg) -> dict[str, dict]:
    """Display names per view key (window 3 → 3号窗口, staff 1001 → 张敏 …)."""
    return {"hall": {cfg.hall_id: cfg.name},
            "window": {n: w.name for n, w in cfg.windows.items()},
            "staff": {k: s.name for k, s in cfg.staff.items()},
            "service": {k: s.name for k, s in cfg.services.items()}}


def ranking(fig: Figures, view: str) -> list[dict]:
    """Windows or staff as a monthly 通报 ranks them: 满意率 high to low, then fewer 差评, then
    more services finished; those with no rating come last, by services finished."""
    rows = []
    for key, row in fig.views[view].items():
        rows.append({"key": key, "name": fig.names[view].get(key, str(key)),
                     "served": row["served"], "rated": row["rated"],
                     "satisfied_rate": row["satisfied_rate"], "bad": row["bad"],
                     "unrated_rate": row["unrated_rate"], "wait_mean_s": row["wait_mean_s"]})
    rows.sort(key=lambda r: (r["satisfied_rate"] is None, -(r["satisfied_rate"] or 0), r["bad"],
                             -r["served"], str(r["key"])))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows
