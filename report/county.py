"""The county view: every site of the period ranked (满意率, 差评 handled on time, waits).

Each site's figures are its own report's hall row (report.figures, the same code as at the
site), computed from a hub database (the site's own) or from the county's per-day tallies of
the same code (county.aggregate). This module only puts the sites side by side.
"""

from __future__ import annotations

import sqlite3

from report import strings as S
from report.data import load
from report.figures import compute
from report.period import Period


def site_row(cfg, conn: sqlite3.Connection, period: Period) -> dict:
    """One site's line: its hall figures of ``period`` and its 差评 cases opened in it."""
    hall = compute(load(conn, period), cfg).views["hall"][cfg.hall_id]
    return row(cfg, hall, *cases(conn, period))


def cases(conn: sqlite3.Connection, period: Period) -> tuple[int, int]:
    """(opened, closed on time) of the 差评 cases opened in ``period``."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(follow_ups)")}
    if not {"opened_at", "status"} <= cols:
        return 0, 0
    late = "late" if "late" in cols else "0"
    return tuple(conn.execute(
        f"SELECT count(*), coalesce(sum(status = 'closed' AND NOT coalesce({late}, 0)), 0) "
        "FROM follow_ups WHERE substr(opened_at, 1, 10) BETWEEN ? AND ?",
        (period.first.isoformat(), period.last.isoformat())).fetchone())


def row(cfg, hall: dict, opened: int, closed_on_time: int) -> dict:
    """The county line of a site from its hall row (the site's figures, from its events or
    from the county's per-day aggregates) and its cases."""
    return {"key": cfg.hall_id, "name": cfg.name, "served": hall["served"],
            "rated": hall["rated"], "satisfied_rate": hall["satisfied_rate"],
            "bad": hall["level_1"] + hall["level_2"], "cases": opened,
            "on_time_rate": closed_on_time / opened if opened else None,
            "wait_mean_s": hall["wait_mean_s"], "wait_p90_s": hall["wait_p90_s"],
            "over_limit": hall["over_limit"]}


def rank(rows: list[dict]) -> list[dict]:
    """满意率 high to low, then 差评 handled on time, then shorter waits; sites without a
    rating last."""
    rows = sorted(rows, key=lambda r: (
        r["satisfied_rate"] is None, -(r["satisfied_rate"] or 0),
        -(r["on_time_rate"] if r["on_time_rate"] is not None else 1),
        r["wait_mean_s"] if r["wait_mean_s"] is not None else float("inf"), r["key"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


def table(rows: list[dict]) -> tuple[list[str], list[list]]:
    """Heads and rows of the county ranking, as the terminal and CSV show them."""
    from report.tables import cell

    def shown(key: str, value):
        if key == "on_time_rate":
            return cell("satisfied_rate", value)  # a rate, shown as one
        return value if key in ("rank", "key", "name") else cell(key, value)

    return list(S.COUNTY_COLUMNS.values()), [[shown(k, r[k]) for k in S.COUNTY_COLUMNS]
                                             for r in rows]
