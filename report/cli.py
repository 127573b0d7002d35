"""hall-report: the hall's figures, the 差评 follow-up and the 好差评 export.

    hall-report figures  --config hall.toml --db hall.db --month 2026-11 [--csv DIR]
                         [--xlsx FILE] [--charts DIR] [--html FILE]
    hall-report export   --config hall.toml --db hall.db --month 2026-11 --format jsonl|csv
    hall-report kaohe    --config hall.toml --db hall.db --month 2026-11 [--by staff|window]
                         [--who 1001|3] [--json FILE]          (考核, docs/kaohe.md)
    hall-county report county   --db postgresql://… --config a.toml --config b.toml … --month 2026-11
    hall-county report county-export --db postgresql://… --config a.toml … --month 2026-11 --format csv
    hall-report followup list   --config hall.toml --db hall.db [--status open|overdue|…]
    hall-report followup record --config hall.toml --broker mqtt://… --ticket-id ID
                                --step visit|verify|rectify|close --note TEXT [--result TEXT]

On the county's ``postgresql://…`` database the same commands run as ``hall-county report …``
(county/report_cli.py hands this module the county's readers; the reports import no county):
``--db`` is then the county database, the config's site read from the county's copy of its log
through the same report code (docs/county.md); ``county`` and ``county-export`` read the county's
per-day aggregates of that code, refreshed first (county.aggregate).

Everything but ``followup record`` only reads the database (safe while the hub runs);
``followup record`` asks the hub, the only writer, as node admin-1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from report import strings as S
from report.period import PeriodError, parse_period
from wire.cliargs import common_args
from wire.clock import HallClock
from wire.config import ConfigError, load_config

ADMIN_NODE = "admin-1"


def _period_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--day", help="a hall date, 2026-11-23")
    g.add_argument("--week", help="any date of the week, or 2026-W48")
    g.add_argument("--month", help="2026-11")


def _period(args):
    for kind in ("day", "week", "month"):
        if getattr(args, kind):
            return parse_period(kind, getattr(args, kind))
    raise PeriodError("give --day, --week or --month")


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fig = sub.add_parser("figures", help="figures per hall, window, staff and service")
    exp = sub.add_parser("export", help="rating records for the provincial 好差评 platform")
    fol = sub.add_parser("followup", help="差评 follow-up cases")
    kao = sub.add_parser("kaohe", help="考核 per clerk and window, with the events behind it")
    bkg = sub.add_parser("bookings", help="网上预约: 预约数, 签到率, 爽约率, booked vs walk-in waits")
    for p in (fig, exp, bkg, kao):
        common_args(p)
    for p in (fig, exp, bkg, kao):
        p.add_argument("--db", required=True, help="the hub's SQLite file (opened read-only)")
        _period_args(p)
    kao.add_argument("--by", default="all", choices=("all", "staff", "window"))
    kao.add_argument("--who", help="a staff number or window number: every event behind its "
                                   "points")
    kao.add_argument("--json", type=Path, help="the whole 考核 with its evidence as JSON")
    fig.add_argument("--view", default="all",
                     choices=("all", "hall", "window", "staff", "service", "ranking", "kaohe"))
    fig.add_argument("--csv", type=Path, help="folder for one CSV per table")
    fig.add_argument("--xlsx", type=Path, help="Excel workbook, one sheet per view")
    fig.add_argument("--charts", type=Path, help="folder for the PNG charts")
    fig.add_argument("--html", type=Path, help="one-page summary (HTML) for the 月通报")
    cty = sub.add_parser("county", help="every site ranked, from the county database")
    cty.add_argument("--db", required=True, help="postgresql://… the county database")
    cty.add_argument("--config", action="append", required=True,
                     help="a site's hall config (repeat: one per site)")
    cty.add_argument("--csv", type=Path, help="CSV file of the ranking")
    cex = sub.add_parser("county-export", help="好差评 records of every site in one file, "
                                               "from the county database")
    for p in (cty, cex):
        p.add_argument("--cache", type=Path, default=Path(os.environ.get(
            "HALL_COUNTY_CACHE", Path.home() / ".cache" / "hallstack" / "county")),
                       help="folder of the sites' running projections (county.aggregate)")
    cex.add_argument("--db", required=True, help="postgresql://… the county database")
    cex.add_argument("--config", action="append", required=True,
                     help="a site's hall config (repeat: one per site)")
    _period_args(cex)
    _period_args(cty)
    for p in (exp, cex):
        p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
        p.add_argument("-o", "--output", type=Path, help="file (default: standard output)")
    fsub = fol.add_subparsers(dest="action", required=True)
    lst = fsub.add_parser("list", help="cases with their deadlines (read-only)")
    lst.add_argument("--db", required=True)
    lst.add_argument("--status", default="open", choices=("open", "overdue", "closed", "all"))
    lst.add_argument("--json", action="store_true", help="JSON instead of a table")
    rec = fsub.add_parser("record", help="record a step of a case (sent to the hub)")
    for p in (lst, rec):
        common_args(p)
    rec.add_argument("--ticket-id", required=True, help="e.g. 20261123-A002")
    rec.add_argument("--step", required=True, choices=("visit", "verify", "rectify", "close"))
    rec.add_argument("--note", required=True)
    rec.add_argument("--result", help="回访 result / 处理结果 (required to close)")
    rec.add_argument("--node", default=ADMIN_NODE, help="the admin node to ask as")
    rec.add_argument("--timeout", type=float, default=10.0)
    return parser


COUNTY_ONLY = "the county's database is read by hall-county report (docs/county.md)"


def main(argv: list[str] | None = None, county=None, prog: str = "hall-report") -> int:
    """``county``: the county's readers (county.report: materialize, county_rows,
    county_records), given by ``hall-county report``; without them a county database is
    refused."""
    args = _parser(prog).parse_args(argv)
    if args.command in ("county", "county-export") or (
            getattr(args, "db", None) or "").startswith(("postgresql://", "postgres://")):
        if county is None:
            print(f"{prog}: {COUNTY_ONLY}", file=sys.stderr)
            return 2
    if args.command == "county":
        return _county(args, county, prog)
    if args.command == "county-export":
        return _county_export(args, county, prog)
    try:
        cfg = load_config(args.config)
        clock = HallClock.from_args(cfg.tz, args.clock, args.speed)
        if args.command == "followup" and args.action == "record":
            return _record(cfg, clock, args)
        from hub.store import open_readonly

        with tempfile.TemporaryDirectory(prefix="hall-report-") as scratch:
            return _run(cfg, clock, args,
                        open_readonly(_database(args.db, cfg, scratch, county)))
    except (ConfigError, PeriodError, FileNotFoundError, ValueError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2


def _database(db: str, cfg, scratch: str, county) -> str:
    """The hub database to read: ``db`` itself, or for a ``postgresql://`` county database the
    config's site projected from the county's copy into ``scratch`` (docs/county.md)."""
    if not db.startswith(("postgresql://", "postgres://")):
        return db
    return county.materialize(db, cfg, scratch)


def _run(cfg, clock, args, conn) -> int:
    try:
        if args.command == "figures":
            return _figures(cfg, conn, args, clock)
        if args.command == "export":
            return _export(cfg, conn, args)
        if args.command == "kaohe":
            from report.kaohe_cli import run_kaohe

            return run_kaohe(cfg, conn, clock.now().date(), _period(args), args)
        if args.command == "bookings":
            return _bookings(cfg, conn, args)
        return _list(cfg, conn, clock, args)
    finally:
        conn.close()


def _county(args, county_readers, prog: str) -> int:
    """Each site's figures through the same code as at the site, then side by side."""
    import csv

    from report import county, tables

    rows, missing = [], []
    try:
        if not args.db.startswith(("postgresql://", "postgres://")):
            raise ValueError("county: --db must be the county's postgresql:// database")
        period = _period(args)
        # one site without data or with a hole must not hide the others: what there is is
        # reported, what is missing is named
        configs = [load_config(p) for p in args.config]
        for cfg, row, why in county_readers.county_rows(args.db, configs, period,
                                                        str(args.cache)):
            if why:
                missing.append(S.COUNTY_MISSING.format(site=cfg.hall_id, why=why))
            if row is not None:
                rows.append(row)
    except (ConfigError, PeriodError, FileNotFoundError, ValueError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    heads, cells = county.table(county.rank(rows))
    print(S.COUNTY_TITLE.format(period=period.label()))
    print(tables.terminal(heads, cells))
    for line in missing:
        print(line)
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with open(args.csv, "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([heads, *cells])
        print(f"csv: {args.csv}", file=sys.stderr)
    return 1 if missing else 0


def _figures(cfg, conn, args, clock) -> int:
    from report import tables
    from report.data import load
    from report.figures import compute

    period = _period(args)
    fig = compute(load(conn, period), cfg)
    title = S.REPORT_TITLE.format(hall=cfg.name, period=period.label())
    print(title)
    for name, heads, rows in tables.sheets(fig):
        kind = {S.VIEWS[k]: k for k in S.VIEWS} | {S.RANKINGS[k]: "ranking" for k in S.RANKINGS}
        if args.view in ("all", kind[name]):
            print(f"\n【{name}】")
            print(tables.terminal(heads, rows))
    result = None
    if args.view in ("all", "kaohe") or args.html or args.xlsx:
        from report.kaohe_cli import kaohe_for_figures

        result = kaohe_for_figures(cfg, conn, clock.now().date(), period,
                                   args.view in ("all", "kaohe"))
    if args.csv:
        for path in tables.write_csv(fig, args.csv):
            print(f"csv: {path}", file=sys.stderr)
    charts = []
    if args.charts or args.html:
        from report import charts as ch

        folder = args.charts or args.html.parent
        charts = ch.all_charts(fig, folder, cfg.alerts.max_wait_s)
        for path in charts:
            print(f"chart: {path}", file=sys.stderr)
    if args.xlsx:
        print(f"xlsx: {tables.write_xlsx(fig, args.xlsx, title, result, charts)}",
              file=sys.stderr)
    if args.html:
        from report.summary import write_html

        print(f"html: {write_html(fig, cfg, args.html, charts, result)}", file=sys.stderr)
    return 0


def _bookings(cfg, conn, args) -> int:
    from report import booking, tables

    period = _period(args)
    fig = booking.figures(conn, period)
    print(S.REPORT_TITLE.format(hall=cfg.name, period=period.label()))
    print(tables.terminal(*booking.table(fig, {k: s.name for k, s in cfg.services.items()})))
    return 0


def _export(cfg, conn, args) -> int:
    from report import export
    from report.data import load

    _write_records(export.records(cfg, load(conn, _period(args))), args)
    return 0


def _county_export(args, county, prog: str) -> int:
    """Every site's 好差评 records in one file, each site's as its own export writes them."""
    try:
        if not args.db.startswith(("postgresql://", "postgres://")):
            raise ValueError("county-export: --db must be the county's postgresql:// database")
        recs, missing = county.county_records(args.db, [load_config(p) for p in args.config],
                                       _period(args), str(args.cache))
    except (ConfigError, PeriodError, FileNotFoundError, ValueError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    _write_records(recs, args)
    for line in missing:
        print(line, file=sys.stderr)
    return 1 if missing else 0


def _write_records(recs: list[dict], args) -> None:
    from report import export

    text = export.to_jsonl(recs) if args.format == "jsonl" else export.to_csv(recs)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        # utf-8-sig for CSV so that Excel reads the Chinese; JSON Lines stays plain UTF-8
        args.output.write_text(text, encoding="utf-8-sig" if args.format == "csv" else "utf-8")
        print(f"{len(recs)} records: {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _list(cfg, conn, clock, args) -> int:
    from hub.followups import cases
    from report import tables

    found = cases(conn, clock.now().date(), cfg, args.status)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 0
    if not found:
        print(S.NO_CASES)
        return 0
    heads = list(S.FOLLOWUP_COLUMNS.values())
    rows = []
    for c in found:
        days = c["days_left"]
        rows.append([c["no"], c["ticket_id"], c["window"], c["staff"] or "-",
                     S.LEVELS.get(c["score"], "-"), "、".join(c["reasons"]),
                     (c["opened_at"] or "")[:16].replace("T", " "), c["due"],
                     "-" if days is None else days,
                     S.FOLLOWUP_STEPS.get(c["last_step"], "-"),
                     S.OVERDUE if c["overdue"] else S.FOLLOWUP_STATUS.get(c["status"], "-")])
    print(tables.terminal(heads, rows))
    return 0


def _record(cfg, clock, args) -> int:
    from wire.client import HubClient, HubError, HubUnreachable

    client = HubClient(cfg, args.node, args.broker, clock, args.username, args.password)
    client.start()
    try:
        if not client.wait_connected(timeout=min(args.timeout, 5.0)):
            print(f"hall-report: no broker at {args.broker}", file=sys.stderr)
            return 3
        op_args = {"ticket_id": args.ticket_id, "step": args.step, "note": args.note}
        if args.result is not None:
            op_args["result"] = args.result
        result = client.request("followup.record", op_args, timeout=args.timeout)
    except HubError as exc:
        print(f"hall-report: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    except HubUnreachable as exc:
        print(f"hall-report: the hub did not answer ({exc}); the step may or may not be "
              f"recorded: check with `followup list`", file=sys.stderr)
        return 3
    finally:
        client.stop()
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
