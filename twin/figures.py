"""A day's figures from its events, the same function for the log and for the twin's run, so
that the two sit side by side: closed out, the longest and p90 wait, waits over the hall's
limit, and the estimated 满意率.

A wait runs from the ticket's issue to its first call; a ticket closed out uncalled waited until
the close (as hall-report counts it). The estimated 满意率 gives each citizen served the share
of the hall's own ratings at 基本满意 or better after a wait as long as theirs (twin.measure),
and counts each citizen closed out as not satisfied.
"""

from __future__ import annotations

from report.figures import p90
from twin.log import LogEvent
from twin.measure import Measured

#: the figures, in the order the table shows them (twin.strings.COLUMNS names them)
KEYS = ("issued", "told", "finished", "no_show", "closed_out", "longest_wait_min",
        "p90_wait_min", "over_limit", "satisfaction")


def figures(events: list[LogEvent], limit_s: int, measured: Measured, told: int = 0) -> dict:
    issued: dict[str, object] = {}
    waits: dict[str, float] = {}
    closed_out: dict[str, float] = {}
    finished: set[str] = set()
    no_show: set[str] = set()
    for at, kind, d in events:
        tid = d.get("ticket_id")
        if kind == "issued" and not d.get("walk_in"):
            issued[tid] = at
        elif kind == "called" and tid in issued and tid not in waits:
            waits[tid] = (at - issued[tid]).total_seconds()
        elif kind == "finished":
            finished.add(tid)
        elif kind == "skipped":
            no_show.add(tid)
        elif kind == "day_closed":
            for item in d["closed"]:
                if item["reason"] == "day_end_waiting" and item["ticket_id"] in issued:
                    closed_out[item["ticket_id"]] = (at - issued[item["ticket_id"]]).total_seconds()
    every = list(waits.values()) + [w for t, w in closed_out.items() if t not in waits]
    served = [waits[t] for t in finished if t in waits]
    judged = len(served) + len(closed_out) if measured.satisfied else 0
    sat = sum(measured.satisfaction(w, limit_s) for w in served) if judged else 0.0
    return {
        "issued": len(issued), "told": told, "finished": len(finished),
        "no_show": len(no_show - finished), "closed_out": len(closed_out),
        "longest_wait_min": round(max(every) / 60, 1) if every else 0.0,
        "p90_wait_min": round(p90(every) / 60, 1) if every else 0.0,
        "over_limit": sum(1 for w in every if w > limit_s),
        "satisfaction": round(sat / judged, 3) if judged else None,
    }
