"""The 排班建议 file: ``hall-twin staffing`` writes it beside the hub's database, hall-web's
console prints it (docs/twin.md). This module is the one place its name, its checks and its
tables are: the twin and the web node both read it here (hall-web imports no twin).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from report import strings as S

FILE_NAME = "staffing.json"
KEYS = ("week_of", "weeks", "limit_s", "windows_in_hall", "hours", "days")


class StaffingError(ValueError):
    """A staffing file that is not one ``hall-twin staffing`` wrote."""


def beside(db_path: str | os.PathLike) -> Path:
    """Where the plan of the hall whose database is ``db_path`` lives."""
    return Path(db_path).parent / FILE_NAME


def write(path: Path, plan: dict) -> Path:
    """Write ``plan`` whole or not at all (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".staffing-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(plan, f, ensure_ascii=False, indent=1)
    os.chmod(tmp, 0o644)  # hall-web runs as another user and only reads it
    os.replace(tmp, path)
    return path


def read(path: Path) -> dict | None:
    """The plan at ``path``; None when there is none yet; StaffingError when it is not one."""
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StaffingError(f"{path}: {exc}") from None
    if not isinstance(plan, dict) or any(k not in plan for k in KEYS):
        raise StaffingError(f"{path}: not a staffing plan (hall-twin staffing writes one)")
    return plan


def tables(plan: dict) -> list[tuple[str, list[str], list[list]]]:
    """One (title, heads, rows) per working day: a service per row, an hour per column, the
    windows it needs ("3+": still over the limit with every window of the hall)."""
    heads = [S.STAFFING_SERVICE] + [S.STAFFING_HOUR.format(h=h) for h in plan["hours"]]
    out = []
    for day in plan["days"]:
        title = S.STAFFING_DAY.format(date=day["date"], weekday=S.WEEKDAYS[day["weekday"]],
                                      design=day["design_day"], tickets=day["tickets"])
        rows = []
        most = plan["windows_in_hall"]
        for p in day["services"].values():
            rows.append([p["name"]] + [f"{n}+" if p["short"] and n >= most else n
                                       for n in p["windows"]])
        rows.append([S.STAFFING_TOTAL] + list(day["total"]))
        out.append((title, heads, rows))
    return out


def title(plan: dict) -> str:
    return S.STAFFING_TITLE.format(first=plan["week_of"])


def notes(plan: dict) -> list[str]:
    return [S.STAFFING_BASIS.format(weeks=plan["weeks"], limit=plan["limit_s"] // 60),
            S.STAFFING_NOTE.format(cap=plan["windows_in_hall"])]
