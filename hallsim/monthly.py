"""The month run's figures: a line per day (from the hub's file, read-only, and the processes'
memory) and, at the end, the 月通报, the 好差评 export and the 考核 through hall-report."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
from pathlib import Path

WEEKDAYS = "一二三四五六日"
DAY_HEAD = ("day         visits issued done closed maxwait 差评 upkeep  "
            "RSS MB hub/nodes/web/broker   db MB  B/ticket replies  incidents")
PROCESSES = {"hub": "hall-hub (its own process)", "nodes": "hall-demo: kiosk, call board, "
             "12 window nodes and the simulation", "web": "hall-web", "broker": "Mosquitto"}


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of process ``pid`` in MB (Linux /proc), None when it is gone."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _read(db: Path):
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def upkeep_of(db: Path, day) -> dict | None:
    """The day's ``maintenance`` event (data with its seq), or None before it."""
    with contextlib.closing(_read(db)) as conn:
        row = conn.execute("SELECT seq, data FROM events WHERE kind = 'maintenance' AND "
                           "json_extract(data, '$.date') = ?", (day.isoformat(),)).fetchone()
    return None if row is None else {"seq": row[0], **json.loads(row[1])}


def step_seq(db: Path, to) -> int | None:
    """The seq of the ``clock_step`` event that stepped to ``to`` (or later), None before."""
    with contextlib.closing(_read(db)) as conn:
        row = conn.execute("SELECT max(seq) FROM events WHERE kind = 'clock_step' AND "
                           "json_extract(data, '$.to') >= ?", (to.isoformat()[:16],)).fetchone()
    return row[0]


def closed_since(db: Path, seq: int) -> bool:
    """Whether the hub has closed a day (``day_closed``) since event ``seq``: after a step past
    midnight, its midnight close-out (it also ends the evening's window sessions)."""
    with contextlib.closing(_read(db)) as conn:
        return conn.execute("SELECT 1 FROM events WHERE kind = 'day_closed' AND seq > ?",
                            (seq,)).fetchone() is not None


def open_before(db: Path, day) -> int:
    """Tickets of days before ``day`` still waiting, called, in hand or held: none once the
    hub's midnight close-out has run."""
    with contextlib.closing(_read(db)) as conn:
        return conn.execute("SELECT count(*) FROM tickets WHERE date < ? AND status IN "
                            "('waiting', 'called', 'serving', 'held')",
                            (day.isoformat(),)).fetchone()[0]


def day_line(hall, day, visits: int, incidents) -> dict:
    """The day's figures, the processes' memory and the database's size after its upkeep."""
    db = hall.out / "hall.db"
    with contextlib.closing(_read(db)) as conn:
        q = conn.execute
        issued, done, closed, maxwait = q(
            "SELECT count(*), sum(status = 'finished'), sum(status = 'closed'), max(wait_s) "
            "FROM tickets WHERE date = ?", (day.isoformat(),)).fetchone()
        bad = q("SELECT count(*) FROM ratings WHERE ticket_id LIKE ? AND score <= 2",
                (f"{day:%Y%m%d}-%",)).fetchone()[0]
        tickets = q("SELECT count(*) FROM tickets").fetchone()[0]
        replies = q("SELECT count(*) FROM replies").fetchone()[0]
    size = sum(os.path.getsize(p) for p in (db, Path(f"{db}-wal")) if p.exists())
    upkeep = upkeep_of(db, day) or {}
    web = hall.web.proc.pid if hall.web is not None and hall.web.proc is not None else None
    broker = hall.broker.process.pid if hall.broker is not None else None
    return {
        "day": day.isoformat(), "weekday": day.weekday(), "visits": visits, "issued": issued,
        "finished": done or 0, "closed_out": closed or 0, "max_wait_min": round((maxwait or 0)
                                                                               / 60),
        "bad": bad, "upkeep": upkeep.get("integrity", "-") if not upkeep.get("errors")
        else "failed", "upkeep_s": upkeep.get("took_s"),
        "rss_mb": {"hub": rss_mb(hall.hub.pid), "nodes": rss_mb(os.getpid()), "web": rss_mb(web),
                   "broker": rss_mb(broker)},
        "db_bytes": size, "bytes_per_ticket": round(size / tickets) if tickets else None,
        "replies": replies, "incidents": _incidents(incidents),
    }


def _incidents(inc) -> str:
    parts = [f"{n}号窗口缺勤" for n in inc.absent]
    if inc.reboot:
        parts.append(f"{inc.reboot[0]}号窗口设备{inc.reboot[1]:%H:%M}重启")
    if inc.paper_out:
        parts.append(f"取号机{inc.paper_out[0]:%H:%M}–{inc.paper_out[1]:%H:%M}缺纸")
    if inc.hub_restart_after:
        parts.append("当晚主机重启")
    return "，".join(parts)


def _mb(v) -> str:
    return "-" if v is None else f"{v:.0f}"


def day_text(d: dict) -> str:
    rss = d["rss_mb"]
    return (f"{d['day']} 周{WEEKDAYS[d['weekday']]} {d['visits']:>5} {d['issued']:>6} "
            f"{d['finished']:>4} {d['closed_out']:>6} {d['max_wait_min']:>5}m {d['bad']:>4} "
            f"{d['upkeep']:<6} {_mb(rss.get('hub')):>7}/{_mb(rss['nodes']):>4}/"
            f"{_mb(rss['web']):>4}/{_mb(rss['broker']):>4}     {d['db_bytes'] / 1e6:6.2f} {d['bytes_per_ticket'] or 0:>8} "
            f"{d['replies']:>7}  {d['incidents']}")


def _report(argv: list[str]) -> str:
    from report.cli import main as report

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = report(argv)
    if code:
        raise RuntimeError(f"hall-report {argv[0]} failed ({code})")
    return buf.getvalue()


def finish(hall, cfg, clock, days, lines: list[dict], took_s: float) -> None:
    """The 月通报 (HTML and xlsx with its charts), the 好差评 export and the 考核 of the month of
    the first day, into ``out/month``; the run's figures into ``out/month.json``."""
    out, month = hall.out / "month", f"{days[0]:%Y-%m}"
    out.mkdir(exist_ok=True)
    base = ["--config", cfg.source, "--db", str(hall.out / "hall.db"), "--month", month,
            "--clock", clock.now().isoformat()]
    figures = _report(["figures", *base, "--csv", str(out / "figures"), "--xlsx",
                       str(out / f"yuetongbao-{month}.xlsx"), "--charts", str(out / "charts"),
                       "--html", str(out / f"yuetongbao-{month}.html")])
    (out / "figures.txt").write_text(figures, encoding="utf-8")
    _report(["export", *base, "--format", "csv", "-o", str(out / f"haochaping-{month}.csv")])
    kaohe = _report(["kaohe", *base, "--json", str(out / "kaohe.json")])
    (out / "kaohe.txt").write_text(kaohe, encoding="utf-8")
    summary = {"days": len(lines), "took_s": round(took_s), "lines": lines}
    (hall.out / "month.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    print("\n" + kaohe.strip())
    print("\n" + rss_table(lines))
    if any("heap_kb" in d for d in lines):
        from hallsim.heap import table

        print("\n" + table(lines))
    print("\n" + growth(lines))
    print(f"\nhall-demo: {len(lines)} days in {took_s / 60:.1f} min; wrote {out}: "
          f"yuetongbao-{month}.html/.xlsx, charts/, haochaping-{month}.csv, kaohe.txt/.json; "
          f"{hall.out / 'month.json'}; backups in {hall.out / 'backup'}")


def growth(lines: list[dict]) -> str:
    """Memory after the first day against the last day, per process (the month's check: flat
    within 10 %), and the database's bytes per ticket."""
    if len(lines) < 2:
        return "memory: one day only"
    first, last = lines[0]["rss_mb"], lines[-1]["rss_mb"]
    parts = []
    for name in first:
        if first[name] and last[name]:
            parts.append(f"{name} {first[name]:.0f}→{last[name]:.0f} MB "
                         f"({(last[name] / first[name] - 1) * 100:+.1f}%)")
    return ("memory after day 1 → last day: " + ", ".join(parts)
            + f"; database {lines[-1]['db_bytes'] / 1e6:.1f} MB, "
              f"{lines[-1]['bytes_per_ticket']} bytes per ticket")


def rss_table(lines: list[dict]) -> str:
    """RSS (MB) per process per day, and each day against the first (the issue's check: within
    10 % after the first day)."""
    names = list(lines[0]["rss_mb"]) if lines else []
    head = "RSS MB per process per day  " + "  ".join(f"{n:>13}" for n in names)
    rows, first = [head], lines[0]["rss_mb"] if lines else {}
    for d in lines:
        cells = []
        for n in names:
            v, v0 = d["rss_mb"].get(n), first.get(n)
            cells.append(f"{_mb(v):>5} ({(v / v0 - 1) * 100:+5.1f}%)" if v and v0 else
                         f"{_mb(v):>13}")
        rows.append(f"{d['day']} 周{WEEKDAYS[d['weekday']]}              " + "  ".join(cells))
    rows += [f"  {n}: {PROCESSES.get(n, n)}" for n in names]
    return "\n".join(rows)
