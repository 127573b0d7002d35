"""Rating records for a provincial 好差评 platform: one record per rating, as JSON Lines or CSV.

The field mapping is documented in docs/haochaping-export.md; a province's own field names are a
rename of these keys, done by its adapter, never a recomputation.
"""

from __future__ import annotations

import csv
import io
import json

from report.data import PeriodRecord, Rating
from report.strings import LEVELS

#: record key -> meaning (docs/haochaping-export.md); also the CSV column order
FIELDS = {
    "record_id": "评价记录编号（大厅编号-办件编号）",
    "bjbh": "办件编号（排队号码办件号）",
    "case_no": "业务系统办件编号（办结时录入，可空）",
    "service_code": "事项编码（大厅事项代码）",
    "service_name": "事项名称",
    "hall_id": "大厅编号",
    "hall_name": "大厅名称",
    "window": "窗口号",
    "window_name": "窗口名称",
    "staff_no": "工作人员工号",
    "channel": "评价渠道（PJQ=评价器）",
    "level": "评价等级（5非常满意…1非常不满意）",
    "level_name": "评价等级名称",
    "reasons": "评价原因（JSON 数组；CSV 中为 JSON 文本）",
    "rated_at": "评价时间",
    "finished_at": "办结时间",
    "service_s": "办理时长（秒）",
    "defaulted": "系统默认评价（1是 0否）",
}


def record(cfg, rating: Rating, case_no: str | None, service_s: int | None) -> dict:
    """The platform record of one rating."""
    svc = cfg.services.get(rating.service)
    win = cfg.windows.get(rating.window)
    return {
        "record_id": f"{cfg.hall_id}-{rating.ticket_id}",
        "bjbh": rating.ticket_id,
        "case_no": case_no,
        "service_code": rating.service,
        "service_name": svc.name if svc else rating.service,
        "hall_id": cfg.hall_id,
        "hall_name": cfg.name,
        "window": rating.window,
        "window_name": win.name if win else f"{rating.window}号窗口",
        "staff_no": rating.staff,
        "channel": rating.channel,
        "level": rating.score,
        "level_name": LEVELS[rating.score],
        "reasons": list(rating.reasons),
        "rated_at": rating.rated_at,
        "finished_at": rating.finished_at,
        "service_s": service_s,
        "defaulted": rating.defaulted,
    }


def records(cfg, rec: PeriodRecord) -> list[dict]:
    """Every rating of the period, in ticket order."""
    out = []
    for tid, r in rec.ratings.items():
        t = rec.tickets.get(tid)
        out.append(record(cfg, r, t.case_no if t else None, t.service_s if t else None))
    return out


# Line breaks other than \n that json.dumps leaves raw: a reader splitting on Unicode line
# boundaries (Python's splitlines, many JS tools) would cut a record in two.
_RAW_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def to_jsonl(recs: list[dict]) -> str:
    """One JSON object per line, UTF-8 text kept readable (only rare line breaks escaped)."""
    out = []
    for r in recs:
        line = json.dumps(r, ensure_ascii=False, separators=(",", ":"))
        for raw, escaped in _RAW_BREAKS.items():
            line = line.replace(raw, escaped)
        out.append(line + "\n")
    return "".join(out)


def to_csv(recs: list[dict]) -> str:
    """CSV with the FIELDS keys as header; reasons as a JSON array, booleans 1/0, None empty."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(FIELDS)
    for r in recs:
        w.writerow([_csv_cell(k, r[k]) for k in FIELDS])
    return buf.getvalue()


def _csv_cell(key: str, value):
    if value is None:
        return ""
    if key == "reasons":
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def from_csv(text: str) -> list[dict]:
    """Read back :func:`to_csv` output (for the platform's side and for tests)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    out = []
    for row in rows:
        r: dict = {k: (row[k] if row[k] != "" else None) for k in FIELDS}
        r["reasons"] = json.loads(r["reasons"]) if r["reasons"] else []
        for k in ("window", "level", "service_s"):
            r[k] = None if r[k] is None else int(r[k])
        r["defaulted"] = r["defaulted"] == "1"
        out.append(r)
    return out
