"""The 考核 as the manager reads it: a ranked table per group, one clerk's or window's evidence
(every event behind each point), JSON, and the 月通报's HTML section."""

from __future__ import annotations

import html
from dataclasses import asdict

from report import strings as S
from report.kaohe import Row


def table(rows: list[Row]) -> tuple[list[str], list[list]]:
    """Heads and cells: rank, key, name, each item as ``measure（score分）``, total."""
    heads = [*S.KAOHE_HEAD, *S.KAOHE_ITEMS.values(), S.KAOHE_TOTAL]
    cells = [[r.rank, r.key, r.name,
              *(S.KAOHE_SCORE.format(measure=r.items[k].measure, score=r.items[k].score)
                for k in S.KAOHE_ITEMS), f"{r.total:g}"] for r in rows]
    return heads, cells


def evidence(row: Row, limit: int | None = None) -> str:
    """Every item of ``row`` with the events that justify its score (``limit``: per item)."""
    lines = [S.KAOHE_EVIDENCE_TITLE.format(name=row.name, key=row.key)]
    for k, label in S.KAOHE_ITEMS.items():
        item = row.items[k]
        lines.append(S.KAOHE_EVIDENCE_ITEM.format(item=label, measure=item.measure,
                                                  score=item.score, points=item.points))
        for ev in item.evidence[:limit]:
            lines.append(S.KAOHE_EVIDENCE_LINE.format(seq=ev.seq, at=ev.at[:16].replace(
                "T", " "), note=ev.note))
    return "\n".join(lines)


def to_json(result: dict[str, list[Row]]) -> dict:
    """JSON-ready: per group, each row with its items and their evidence."""
    return {g: [asdict(r) for r in rows] for g, rows in result.items()}


def html_section(result: dict[str, list[Row]]) -> str:
    """The 月通报's 考核: one table per group (the evidence stays in hall-report kaohe)."""
    parts = []
    for group, rows in result.items():
        heads, cells = table(rows)
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in heads)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r)
                       + "</tr>" for r in cells)
        # wide: a smaller type, and it scrolls rather than run off a narrow screen
        parts.append(f'<h2>{S.KAOHE_GROUPS[group]}</h2><div style="overflow-x:auto">'
                     f'<table style="font-size:85%"><thead><tr>{head}</tr></thead>'
                     f"<tbody>{body}</tbody></table></div>")
    return "".join(parts)
