"""County figures from per-day aggregates: a year's report reads days, not every site's log.

Per site and hall day, ``day_tallies`` holds the report's own tallies (report.figures'
``Tally`` of each hall, window, staff and service key, with their samples, so a median or a
90th percentile over a year is exact) and the day's 差评 cases (view ``cases``). They are
made by the same code as a report at the site: the site's log is projected into a hub database
by the hub's projection (hub.restore.append) and each day read by report.data; a period's
figures are its days' tallies merged, then report.figures.finish.

``refresh`` (run by ``hall-county report county`` before it reads) keeps a site's projection in a
cache folder and applies only the events landed since the last refresh (``agg_marks``), then
recomputes the days those events touch. A lost cache, another epoch (a restore) or a cache that
disagrees with the mark is rebuilt once from the whole log.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime

import psycopg
from psycopg.types.json import Jsonb

from county import ledger
from hub.engine import Event
from hub.restore import append, remove_database
from hub.store import Store, open_readonly
from report import county as county_view
from report import export
from report import strings as S
from report.data import load
from report.figures import Figures, Tally, finish, tally_record
from report.period import Period

MARK = "county_upto"  # the cache's own record of how far it is (meta key)
_TICKET_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})-")


def refresh(conn: psycopg.Connection, cfg, cache: str) -> str | None:
    """Bring site ``cfg.hall_id``'s day tallies up to what the county holds without a hole.
    Returns what is missing (S.COUNTY_NO_DATA / S.COUNTY_GAP) or None."""
    site = cfg.hall_id
    row = conn.execute("SELECT s.epoch, e.last_seq FROM sites s JOIN site_epochs e ON "
                       "e.site = s.site AND e.epoch = s.epoch WHERE s.site = %s",
                       (site,)).fetchone()
    if row is None:
        return S.COUNTY_NO_DATA
    epoch, last = row
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, f"{site}.db")
    mark = conn.execute("SELECT epoch, upto FROM agg_marks WHERE site = %s", (site,)).fetchone()
    # from scratch (upto 0), every day of the log is computed again and replaces its row; a
    # day whose events are gone (retention) keeps the tallies it had
    upto = _cached(path, mark, epoch)
    gap: list[int] = []
    store = Store(path)
    try:
        events = _until_gap(ledger.site_log(conn, site, epoch, after=upto), gap, last, upto + 1)
        days, upto = _apply(store, events, epoch, upto)
        for day in sorted(days):
            _save_day(conn, cfg, store.conn, day)
    finally:
        store.close()
    conn.execute("INSERT INTO agg_marks (site, epoch, upto) VALUES (%s, %s, %s) ON CONFLICT "
                 "(site) DO UPDATE SET epoch = excluded.epoch, upto = excluded.upto",
                 (site, epoch, upto))
    conn.commit()
    if gap:
        return S.COUNTY_GAP.format(first=gap[0], upto=gap[0] - 1)
    return None


def _cached(path: str, mark, epoch: str) -> int:
    """How far the cache at ``path`` is, when it agrees with the county's mark; else 0 and
    the cache gone (it is rebuilt from the whole log)."""
    if mark is not None and mark[0] == epoch and os.path.exists(path):
        store = Store(path)
        try:
            if store.meta(MARK) == f"{epoch}:{mark[1]}":
                return mark[1]
        finally:
            store.close()
    remove_database(path)
    return 0


def _apply(store: Store, events, epoch: str, upto: int) -> tuple[set[date], int]:
    """The events into the cached projection; the hall days they touch, and the new end."""
    days: set[date] = set()
    tickets: set[str] = set()
    with store.transaction():
        for seq, at_text, kind, data in events:
            append(store, seq, at_text, Event(kind, dict(data)), datetime.fromisoformat(at_text))
            upto = seq
            days.add(date.fromisoformat(at_text[:10]))
            if isinstance(data.get("date"), str):
                days.add(date.fromisoformat(data["date"][:10]))
            tid = data.get("ticket_id")
            if isinstance(tid, str) and (m := _TICKET_DAY.match(tid)):
                days.add(date(int(m[1]), int(m[2]), int(m[3])))
                tickets.add(tid)
        days |= _case_days(store, tickets)  # a case closed later counts on its opening day
        store.set_meta(MARK, f"{epoch}:{upto}")
    return days, upto


def _case_days(store: Store, tickets: set[str]) -> set[date]:
    cols = {r[1] for r in store.conn.execute("PRAGMA table_info(follow_ups)")}
    if "opened_at" not in cols or not tickets:
        return set()
    out = set()
    for tid in tickets:
        for (opened,) in store.conn.execute(
                "SELECT opened_at FROM follow_ups WHERE ticket_id = ?", (tid,)):
            if opened:
                out.add(date.fromisoformat(opened[:10]))
    return out


def _save_day(conn: psycopg.Connection, cfg, hub: object, day: date) -> None:
    """Day ``day``'s tallies (and cases) of the cached projection, in place of the old."""
    period = Period("day", day, day)
    rows = [(view, str(key), Jsonb(t.dump()))
            for view, groups in tally_record(load(hub, period), cfg).items()
            for key, t in groups.items()]
    opened, on_time = county_view.cases(hub, period)
    rows.append(("cases", cfg.hall_id, Jsonb({"opened": opened, "on_time": on_time})))
    conn.execute("DELETE FROM day_tallies WHERE site = %s AND day = %s", (cfg.hall_id, day))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO day_tallies (site, day, view, key, tally) "
                        "VALUES (%s, %s, %s, %s, %s)",
                        [(cfg.hall_id, day, *r) for r in rows])


def _until_gap(events, gap: list[int], last: int, expected: int = 1):
    """The events up to the first missing seq, which is noted in ``gap`` (also a missing tail
    up to ``last``, the seq the site is known to have)."""
    for ev in events:
        if ev[0] != expected:
            gap.append(expected)
            return
        expected += 1
        yield ev
    if expected <= last:
        gap.append(expected)


def figures(conn: psycopg.Connection, cfg, period: Period) -> tuple[Figures, int, int]:
    """The site's figures of ``period`` from its day tallies (report.figures.finish, as
    from events), and its cases (opened, closed on time)."""
    tallies: dict[str, dict] = {"hall": {}, "window": {}, "staff": {}, "service": {}}
    opened = on_time = 0
    for view, key, t in conn.execute(
            "SELECT view, key, tally FROM day_tallies WHERE site = %s AND day BETWEEN %s AND %s "
            "ORDER BY day, view, key", (cfg.hall_id, period.first, period.last)):
        if view == "cases":
            opened, on_time = opened + t["opened"], on_time + t["on_time"]
            continue
        k = int(key) if view == "window" else key
        tallies[view].setdefault(k, Tally()).merge(Tally.load(t))
    return finish(tallies, cfg), opened, on_time


def site_row(conn: psycopg.Connection, cfg, period: Period) -> dict:
    """The site's county line of ``period`` from its day tallies."""
    fig, opened, on_time = figures(conn, cfg, period)
    return county_view.row(cfg, fig.views["hall"][cfg.hall_id], opened, on_time)


def county_rows(db_url: str, cfgs: list, period: Period, cache: str):
    """(cfg, county line or None, what is missing or None) per site, each refreshed first;
    ValueError (one line) when the database cannot be read."""
    conn = ledger.connect(db_url, create=False)
    try:
        out = []
        for cfg in cfgs:
            why = refresh(conn, cfg, cache)
            has = conn.execute("SELECT 1 FROM agg_marks WHERE site = %s AND upto > 0",
                               (cfg.hall_id,)).fetchone()
            out.append((cfg, site_row(conn, cfg, period) if has else None, why))
        return out
    except psycopg.Error as exc:
        raise ValueError(f"county database: {str(exc).strip().splitlines()[0]}") from None
    finally:
        conn.close()


def county_records(db_url: str, cfgs: list, period: Period,
                   cache: str) -> tuple[list[dict], list[str]]:
    """Every site's 好差评 records of ``period`` (report.export, as each site's own export),
    site after site, read from the refreshed projections; and what is missing, per site."""
    conn = ledger.connect(db_url, create=False)
    recs: list[dict] = []
    missing: list[str] = []
    try:
        for cfg in cfgs:
            why = refresh(conn, cfg, cache)
            if why:
                missing.append(S.COUNTY_MISSING.format(site=cfg.hall_id, why=why))
            path = os.path.join(cache, f"{cfg.hall_id}.db")
            if why == S.COUNTY_NO_DATA or not os.path.exists(path):
                continue
            hub = open_readonly(path)
            try:
                recs += export.records(cfg, load(hub, period))
            finally:
                hub.close()
    except psycopg.Error as exc:
        raise ValueError(f"county database: {str(exc).strip().splitlines()[0]}") from None
    finally:
        conn.close()
    return recs, missing
