"""The figures as tables: rows of display cells, a terminal table, CSV files and an Excel
workbook with one sheet per view and one per ranking."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from report import strings as S
from report.figures import Figures, ranking

_MINUTES = {"wait_mean_s", "wait_median_s", "wait_p90_s", "wait_max_s", "service_mean_s",
            "service_median_s"}
_RATES = {"satisfied_rate", "bad_rate", "unrated_rate"}


def cell(key: str, value):
    """A figure as shown: minutes to 0.1, rates as a percentage to 0.1, blanks as "-"."""
    if value is None:
        return "-"
    if key in _MINUTES:
        return round(value / 60, 1)
    if key in _RATES:
        return f"{value * 100:.1f}%"
    return value


def view_rows(fig: Figures, view: str) -> tuple[list[str], list[list]]:
    """Heads and rows of one view (key, name, then every COLUMNS figure)."""
    heads = [S.KEY_HEAD[view], S.NAME_HEAD, *S.COLUMNS.values()]
    rows = []
    for key, row in fig.views[view].items():
        rows.append([key, fig.names[view].get(key, str(key)),
                     *(cell(k, row[k]) for k in S.COLUMNS)])
    return heads, rows


def ranking_rows(fig: Figures, view: str) -> tuple[list[str], list[list]]:
    heads = [S.RANK_COLUMNS["rank"], S.KEY_HEAD[view], *list(S.RANK_COLUMNS.values())[1:]]
    rows = [[r["rank"], r["key"], *(cell(k, r[k]) for k in list(S.RANK_COLUMNS)[1:])]
            for r in ranking(fig, view)]
    return heads, rows


def sheets(fig: Figures) -> list[tuple[str, list[str], list[list]]]:
    """(title, heads, rows) of every table the report has, in order."""
    out = [(S.VIEWS[v], *view_rows(fig, v)) for v in ("hall", "window", "staff", "service")]
    out += [(S.RANKINGS[v], *ranking_rows(fig, v)) for v in ("window", "staff")]
    return out


def width(text: str) -> int:
    """Terminal columns of ``text``: a Hanzi takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def terminal(heads: list[str], rows: list[list]) -> str:
    """A plain aligned table (numbers right, text left)."""
    texts = [[str(c) for c in heads]] + [[str(c) for c in r] for r in rows]
    widths = [max(width(r[i]) for r in texts) for i in range(len(heads))]
    lines = []
    for n, r in enumerate(texts):
        cells = []
        for i, c in enumerate(r):
            pad = " " * (widths[i] - width(c))
            numeric = n > 0 and not isinstance(rows[n - 1][i], str)
            cells.append(pad + c if numeric else c + pad)
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_csv(fig: Figures, folder: Path) -> list[Path]:
    """One UTF-8 (with BOM, so that Excel opens it as Chinese) CSV per table."""
    folder.mkdir(parents=True, exist_ok=True)
    slug = fig.record.period.slug()
    names = {S.VIEWS["hall"]: "hall", S.VIEWS["window"]: "window", S.VIEWS["staff"]: "staff",
             S.VIEWS["service"]: "service", S.RANKINGS["window"]: "window-ranking",
             S.RANKINGS["staff"]: "staff-ranking"}
    paths = []
    for title, heads, rows in sheets(fig):
        path = folder / f"report-{slug}-{names[title]}.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(heads)
            w.writerows(rows)
        paths.append(path)
    return paths


def write_xlsx(fig: Figures, path: Path, title: str, kaohe=None, charts=()) -> Path:
    """An Excel workbook: one sheet per view and per ranking, the report title in row 1; then,
    when given, one sheet per 考核 group (report/kaohe.py) and a sheet of the PNG ``charts``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    extra = []
    if kaohe:
        from report import kaohe_view

        extra = [(S.KAOHE_GROUPS[g], *kaohe_view.table(rows)) for g, rows in kaohe.items()]
    for name, heads, rows in [*sheets(fig), *extra]:
        ws = wb.create_sheet(name)
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(heads)
        for c in ws[2]:
            c.font = Font(bold=True)
        for r in rows:
            ws.append(r)
        ws.freeze_panes = "C3"
        for i, h in enumerate(heads, 1):
            longest = max([width(str(h))] + [width(str(r[i - 1])) for r in rows])
            ws.column_dimensions[get_column_letter(i)].width = max(6, longest + 2)
    if charts:
        _chart_sheet(wb, charts)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _chart_sheet(wb, charts) -> None:
    """The PNG charts one below the other on a sheet of their own (图表)."""
    from openpyxl.drawing.image import Image

    ws = wb.create_sheet(S.CHARTS_SHEET)
    row = 1
    for chart in charts:
        img = Image(str(chart))
        ws.add_image(img, f"A{row}")
        row += int(img.height / 20) + 2  # rows are 20 px high
