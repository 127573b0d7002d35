"""``hall-report kaohe`` and the 考核 part of ``hall-report figures`` (docs/kaohe.md)."""

from __future__ import annotations

import json
import sys

from report import kaohe_view, tables
from report import strings as S
from report.kaohe import kaohe


def _print(cfg, result: dict, period) -> None:
    print(S.KAOHE_TITLE.format(hall=cfg.name, period=period.label()))
    for group, rows in result.items():
        print(f"\n【{S.KAOHE_GROUPS[group]}】")
        print(tables.terminal(*kaohe_view.table(rows)))


def run_kaohe(cfg, conn, today, period, args) -> int:
    """Print the ranked 考核 (``--by``), one clerk's or window's evidence (``--who``), and write
    ``--json``; an unknown ``--who`` is an error (exit 2)."""
    result = kaohe(conn, period, cfg, today)
    shown = {g: rows for g, rows in result.items() if args.by in ("all", g)}
    if args.who is not None:
        found = [r for rows in shown.values() for r in rows if r.key == args.who]
        if not found:
            print(f"hall-report: {S.KAOHE_NO_ONE.format(key=args.who)}", file=sys.stderr)
            return 2
        for row in found:
            print(kaohe_view.evidence(row))
    else:
        _print(cfg, shown, period)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(kaohe_view.to_json(shown), ensure_ascii=False,
                                        indent=1), encoding="utf-8")
        print(f"json: {args.json}", file=sys.stderr)
    return 0


def kaohe_for_figures(cfg, conn, today, period, show: bool) -> dict:
    """The 考核 for the 月通报's HTML/xlsx; printed too when the view asks for it."""
    result = kaohe(conn, period, cfg, today)
    if show:
        print()
        _print(cfg, result, period)
    return result
