"""hall-twin: replay a recorded hall day through the hub's engine, as it was decided and under
an alternative the manager names, side by side (docs/twin.md).

    hall-twin --db hall.db --day 2026-11-23 [--config hall.toml]   (or --county-dsn postgresql://…)
              [--staff 9-12=+1] [--staff 13-17=F+1] [--skills 1008=E,F] [--assign 12=F,D]
              [--balance worst_off] [--assist auto] [--capacity refuse] [--policy ageing]
              [--manager recorded|accept|none] [--draw-all] [--seed N] [--json]
    hall-twin staffing --db hall.db [--config hall.toml] [--weeks 4] [--week-of 2026-11-30]
              [--out staffing.json] [--json]

Exit 0: the table (or JSON) printed; 2: bad input (no database, a day not in the log, an
unknown option), nothing run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

from report.tables import terminal
from twin import day as twin_day
from twin import log
from twin import strings as S
from twin.countycopy import site_database
from twin.figures import KEYS
from twin.scenario import (
    MANAGERS,
    RULES,
    Scenario,
    ScenarioError,
    assignment,
    skills,
    staff_change,
)
from wire.config import ConfigError, load_config

SYSTEM_CONFIG = Path("/etc/hallstack/hall.toml")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hall.toml"
DEFAULT_SEED = 20261123


def default_config() -> Path:
    """The hall's installed config, else the example hall (hall-demo's)."""
    return SYSTEM_CONFIG if SYSTEM_CONFIG.exists() else EXAMPLE


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-23, got {text!r}") \
            from None


def _common(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="the hub's SQLite file (opened read-only)")
    where.add_argument("--county-dsn", metavar="postgresql://…",
                       help="the county's database: the config's site, from its copy of the log")
    p.add_argument("--config", type=Path, help=f"the hall config (default: {SYSTEM_CONFIG} "
                                               f"if present, else the example hall)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the draws")
    p.add_argument("--json", action="store_true", help="JSON for tools instead of the table")


def replay_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hall-twin", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p)
    p.add_argument("--day", required=True, type=_date, help="the hall date to replay")
    p.add_argument("--staff", action="append", default=[], metavar="FROM-TO=[SERVICES]±N",
                   help="windows more or fewer in a span: 9-12=+1, 9-12=F+1, 13:30-17=D-1")
    p.add_argument("--skills", action="append", default=[], metavar="STAFF=SERVICES",
                   help="what a clerk may serve: 1008=E,F")
    p.add_argument("--assign", action="append", default=[], metavar="WINDOW=SERVICES",
                   help="what a window serves all day, in preference order: 12=F,D")
    for rule, choices in RULES.items():
        p.add_argument(f"--{rule}", choices=choices, help=f"the hall's [queue] {rule}")
    p.add_argument("--manager", choices=MANAGERS, default="recorded",
                   help="assist suggestions: accepted as logged (recorded), accepted by the "
                        "twin's manager after the measured delay (accept), or never (none)")
    p.add_argument("--draw-all", action="store_true",
                   help="draw every citizen's service time and no-show from the measured "
                        "distributions, not only those the record lacks")
    return p


def scenario(cfg, args) -> Scenario:
    """The alternative the options name (ScenarioError on bad input)."""
    rules = tuple((k, getattr(args, k)) for k in RULES if getattr(args, k) is not None)
    words = [f"--{k} {v}" for k, v in rules] + [f"--staff {s}" for s in args.staff] + \
        [f"--skills {s}" for s in args.skills] + [f"--assign {s}" for s in args.assign]
    if args.manager != "recorded":
        words.append(f"--manager {args.manager}")
    if args.draw_all:
        words.append("--draw-all")
    return Scenario(name=" ".join(words) or "recorded", rules=rules,
                    staff=tuple(staff_change(cfg, s) for s in args.staff),
                    skills=tuple(skills(cfg, s) for s in args.skills),
                    assign=tuple(assignment(cfg, s) for s in args.assign),
                    manager=args.manager, draw_all=args.draw_all)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["staffing"]:
        from twin.staffing_cli import main as staffing_main

        return staffing_main(argv[1:])
    args = replay_parser().parse_args(argv)
    try:
        config = args.config or default_config()
        cfg = load_config(config)
        alt = scenario(cfg, args)
        with tempfile.TemporaryDirectory(prefix="hall-twin-") as scratch:
            db = args.db or site_database(args.county_dsn, cfg.hall_id, config, Path(scratch))
            conn = log.open_log(db)
            try:
                d = twin_day.load(conn, cfg, args.day)
            finally:
                conn.close()
    except (ConfigError, ScenarioError, log.LogError) as exc:
        print(f"hall-twin: {exc}", file=sys.stderr)
        return 2
    runs = [twin_day.recorded(cfg, d), twin_day.replay(cfg, d, Scenario(), args.seed)]
    if alt.changes():
        runs.append(twin_day.replay(cfg, d, alt, args.seed))
    if args.json:
        print(json.dumps(as_json(cfg, d, runs, args.seed), ensure_ascii=False, indent=1))
    else:
        print(table(cfg, d, runs, args.seed))
    return 0


def label(run: twin_day.Run, i: int) -> str:
    return (S.RECORDED, S.REPLAY)[i] if i < 2 else f"{S.ALTERNATIVE}: {run.name}"


def cell(key: str, value):
    if value is None:
        return "-"
    return f"{value:.1%}" if key == "satisfaction" else value


def table(cfg, d: twin_day.Day, runs: list[twin_day.Run], seed: int) -> str:
    heads = [S.COLUMNS["scenario"]] + [S.COLUMNS[k] for k in KEYS]
    rows = [[label(r, i)] + [cell(k, r.figures[k]) for k in KEYS] for i, r in enumerate(runs)]
    title = S.TITLE.format(hall=cfg.name, day=d.day, limit=cfg.alerts.max_wait_s // 60)
    return "\n".join([title, terminal(heads, rows), S.NOTE.format(seed=seed)])


def as_json(cfg, d: twin_day.Day, runs: list[twin_day.Run], seed: int) -> dict:
    m = d.measured
    return {"hall": cfg.hall_id, "day": d.day.isoformat(), "seed": seed,
            "limit_s": cfg.alerts.max_wait_s,
            "runs": [{"name": ("recorded", "replay")[i] if i < 2 else "alternative",
                      "scenario": r.name, "figures": r.figures,
                      "seconds": round(r.seconds, 3)} for i, r in enumerate(runs)],
            "measured": {"turn_s": m.turn_s, "skip_s": m.skip_s, "manager_s": m.manager_s,
                         "satisfied_by_band": m.satisfied, "ratings_by_band": m.rated}}


if __name__ == "__main__":
    sys.exit(main())
