"""``hall-twin staffing``: next week's 排班建议 from the last weeks of the log (twin.staffing),
printed as tables and written beside the database for hall-web's console (report.staffing)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

from report import staffing as plan_file
from report.tables import terminal
from twin import log
from twin.cli import DEFAULT_SEED, default_config
from twin.countycopy import site_database
from twin.staffing import plan_week
from wire.config import ConfigError, load_config


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-30, got {text!r}") \
            from None


def _weeks(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise argparse.ArgumentTypeError(f"expected 1..12 weeks, got {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hall-twin staffing", description=__doc__)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="the hub's SQLite file (opened read-only)")
    where.add_argument("--county-dsn", metavar="postgresql://…",
                       help="the county's database: the config's site, from its copy of the log")
    p.add_argument("--config", type=Path, help="the hall config (default: as hall-twin)")
    p.add_argument("--weeks", type=_weeks, default=4, help="weeks of the log to plan from")
    p.add_argument("--week-of", type=_date,
                   help="any date of the week to plan (default: the week after the log's last day)")
    p.add_argument("--out", type=Path, help=f"where to write the plan (default: "
                                            f"{plan_file.FILE_NAME} beside --db; '-': nowhere)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    return p


def render(plan: dict) -> str:
    parts = [plan_file.title(plan)]
    for title, heads, rows in plan_file.tables(plan):
        parts += ["", title, terminal(heads, rows)]
    return "\n".join(parts + [""] + plan_file.notes(plan))


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.county_dsn and args.out is None:
        print("hall-twin staffing: with --county-dsn, say where the plan goes: --out FILE "
              "(or --out - for none)", file=sys.stderr)
        return 2
    try:
        config = args.config or default_config()
        cfg = load_config(config)
        with tempfile.TemporaryDirectory(prefix="hall-twin-") as scratch:
            db = args.db or site_database(args.county_dsn, cfg.hall_id, config, Path(scratch))
            conn = log.open_log(db)
            try:
                plan = plan_week(conn, cfg, args.weeks, args.week_of, args.seed)
            finally:
                conn.close()
    except (ConfigError, log.LogError) as exc:
        print(f"hall-twin staffing: {exc}", file=sys.stderr)
        return 2
    plan["made"] = datetime.now(cfg.tz).isoformat(timespec="seconds")
    print(json.dumps(plan, ensure_ascii=False, indent=1) if args.json else render(plan))
    if str(args.out) != "-":
        out = plan_file.write(args.out or plan_file.beside(args.db), plan)
        print(f"hall-twin staffing: wrote {out}", file=sys.stderr)
    return 0
