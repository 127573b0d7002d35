"""A one-page HTML summary of the period in Chinese (the 月通报): the hall's line of figures,
the window and staff rankings and the charts beside it."""

from __future__ import annotations

import html
from pathlib import Path

from report import strings as S
from report import tables
from report.figures import Figures


def summary_line(fig: Figures) -> str:
    """The hall's figures as one Chinese sentence."""
    row = next(iter(fig.views["hall"].values()))

    def c(key):
        return tables.cell(key, row[key])

    return S.SUMMARY_LINE.format(
        issued=row["issued"], served=row["served"], no_show=row["no_show"],
        transferred=row["transferred"], unserved=row["closed_unserved"], wait=c("wait_mean_s"), over=row["over_limit"],
        rated=row["rated"], sat=c("satisfied_rate"), bad=row["bad"], bad_rate=c("bad_rate"),
        unrated=c("unrated_rate"))


def _table(heads: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_html(fig: Figures, cfg, path: Path, charts: list[Path], kaohe=None) -> Path:
    """Write the summary page; charts are linked relative to the page; ``kaohe`` (the 考核 of
    report/kaohe.py) adds its tables."""
    title = S.SUMMARY_TITLE.format(hall=cfg.name, period=fig.record.period.label())
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p>{html.escape(summary_line(fig))}</p>"]
    for view in ("window", "staff"):
        parts.append(f"<h2>{S.RANKINGS[view]}</h2>")
        parts.append(_table(*tables.ranking_rows(fig, view)))
    if kaohe:
        from report.kaohe_view import html_section

        parts.append(html_section(kaohe))
    for chart in charts:
        rel = Path(chart).resolve().relative_to(path.resolve().parent) \
            if Path(chart).resolve().is_relative_to(path.resolve().parent) else Path(chart).resolve()
        parts.append(f'<img src="{html.escape(str(rel))}" alt="">')
    page = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>"
            "body{font-family:'Noto Sans CJK SC',sans-serif;max-width:84em;margin:auto}"
            "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #999;"
            "padding:2px 8px;text-align:right;white-space:nowrap}img{max-width:48%}"
            "</style></head><body>"
            + "".join(parts) + "</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
