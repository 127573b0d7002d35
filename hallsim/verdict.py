"""What the hall's decisions did to its citizens, from the hub's event log after a demo day:
close-outs, the longest wait, waits over the limit, how far each printed estimate was from the
real wait, assistance, and how citizens rated (docs/assignment.md compares two runs)."""

from __future__ import annotations

import json
import sqlite3
import statistics
from datetime import datetime
from pathlib import Path

from hallsim import booking
from hallsim.stats import percentile


def _events(db: Path, kinds: tuple[str, ...]) -> list[tuple[str, str, dict]]:
    marks = ",".join("?" * len(kinds))
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(f"SELECT kind, at, data FROM events WHERE kind IN ({marks}) "
                            "ORDER BY seq", kinds).fetchall()
    return [(kind, at, json.loads(data)) for kind, at, data in rows]


def day_verdict(db: Path, told_at_kiosk: int = 0) -> dict:
    """The day's figures from the hub's database ``db`` (read-only)."""
    promised: dict[str, int] = {}
    issued_at: dict[str, datetime] = {}
    real: dict[str, int] = {}
    closed_out, longest, over, errors = 0, 0, 0, []
    suggested = assigned = 0
    assigned_by: dict[str, int] = {}  # who decided each assignment: a manager's name, or "hub"
    scores: list[int] = []
    kinds = ("issued", "called", "day_closed", "alert", "window", "rated")
    for kind, at, d in _events(db, kinds):
        if kind == "issued" and not d.get("walk_in"):
            issued_at[d["ticket_id"]] = datetime.fromisoformat(at)
            if d.get("est_wait_s") is not None:
                promised[d["ticket_id"]] = d["est_wait_s"]
        elif kind == "called" and d["ticket_id"] not in real and d.get("wait_s") is not None:
            real[d["ticket_id"]] = d["wait_s"]
        elif kind == "day_closed":
            # a close-out in parts: the last one counts the day (hub.engine.closeparts)
            closed_out += d.get("counts", {}).get("day_end_waiting", 0)
            closed_at = datetime.fromisoformat(d["closed_at"])
            for c in d["closed"]:
                start = issued_at.get(c["ticket_id"])
                if c["reason"] == "day_end_waiting" and start is not None:
                    longest = max(longest, round((closed_at - start).total_seconds()))
        elif kind == "alert" and d["kind"] == "wait_over_limit":
            over += 1
        elif kind == "alert" and d["kind"] == "assist_suggested":
            suggested += 1
        elif kind == "window" and d.get("action") == "assign":
            assigned += 1
            by = str(d.get("by"))
            assigned_by[by] = assigned_by.get(by, 0) + 1
        elif kind == "rated" and not d.get("defaulted"):
            scores.append(d["score"])
    for tid, wait in real.items():
        longest = max(longest, wait)
        if tid in promised:
            errors.append(abs(wait - promised[tid]))
    return {
        "issued": len(promised), "told_at_kiosk": told_at_kiosk, "closed_out": closed_out,
        "longest_wait_min": round(longest / 60), "waits_over_limit": over,
        "estimate_error_median_min": round(statistics.median(errors) / 60, 1) if errors else None,
        "estimate_error_p90_min": round(percentile(errors, 90) / 60, 1) if errors else None,
        "estimates_checked": len(errors), "assist_suggested": suggested,
        "assignments": assigned, "assignments_by": assigned_by,
        "rating_mean": round(statistics.fmean(scores), 2) if scores else None,
        "bad_ratings": sum(1 for s in scores if s <= 2),
        "booking": booking.waits(db),   # booked citizens' waits beside walk-ins'
    }


def verdict_text(v: dict) -> str:
    return "\n".join([
        "the hall's decisions (hallsim/verdict.py):",
        f"  tickets {v['issued']}, told at the kiosk {v['told_at_kiosk']}, "
        f"closed out {v['closed_out']}",
        f"  longest wait {v['longest_wait_min']} min, waits over the limit "
        f"{v['waits_over_limit']}",
        f"  printed estimate vs real wait: median {v['estimate_error_median_min']} min, "
        f"p90 {v['estimate_error_p90_min']} min ({v['estimates_checked']} tickets)",
        f"  assist suggestions {v['assist_suggested']}, assignments {v['assignments']}"
        + "".join(f", {n} by {by}" for by, n in v.get("assignments_by", {}).items()),
        f"  ratings: mean {v['rating_mean']}, 差评 {v['bad_ratings']}",
    ] + ([booking.verdict_line(v["booking"])] if v.get("booking", {}).get("made") else []))
