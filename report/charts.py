"""Charts as PNG with Chinese labels (matplotlib, Agg): arrivals and waiting over the day,
the wait distribution per service, satisfaction per window.

The hub imports no device code, so the CJK font is found here the same way devices/fonts.py
does: fontconfig first, then the usual Debian paths.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from report import strings as S
from report.figures import Figures

_CANDIDATES = (("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
               ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"))


class FontMissing(RuntimeError):
    """No CJK font: charts would show boxes instead of Chinese."""


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, str]:
    """(file, family) of a font with Chinese glyphs: Noto Sans CJK SC (a face of a collection,
    chosen by family name: the file's first face draws the Japanese forms) or WenQuanYi."""
    if shutil.which("fc-match"):
        for family in ("Noto Sans CJK SC", "WenQuanYi Zen Hei"):
            out = subprocess.run(["fc-match", "-f", "%{file}\t%{family[0]}",
                                  f"{family}:lang=zh-cn"],
                                 capture_output=True, text=True, timeout=10).stdout.strip()
            path, _, found = out.partition("\t")
            if found == family and Path(path).exists():
                return path, family
    for path, family in _CANDIDATES:
        if Path(path).exists():
            return path, family
    raise FontMissing("no CJK font found: apt-get install fonts-noto-cjk")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path, family = cjk_font()
    font_manager.fontManager.addfont(path)  # indexes every face of a collection by its family
    plt.rcParams["font.family"] = [family]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def arrivals(fig: Figures, path: Path) -> Path:
    """Tickets taken per hour (bars) and the mean wait of tickets taken in that hour (line)."""
    plt = _pyplot()
    counts: dict[int, int] = defaultdict(int)
    waits: dict[int, list[int]] = defaultdict(list)
    for t in fig.record.tickets.values():
        hour = t.issued_at.hour
        counts[hour] += 1
        if t.wait_s is not None and not t.walk_in:
            waits[hour].append(t.wait_s)
    hours = list(range(min([8, *counts]), max([17, *counts]) + 1))
    f, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    ax.bar(hours, [counts[h] for h in hours], color="#4C78A8", width=0.7,
           label=S.CHART_ARRIVALS_Y)
    ax.set_xticks(hours, [f"{h}:00" for h in hours])
    ax.set_xlabel(S.CHART_ARRIVALS_X)
    ax.set_ylabel(S.CHART_ARRIVALS_Y)
    ax2 = ax.twinx()
    means = [sum(waits[h]) / len(waits[h]) / 60 if waits[h] else None for h in hours]
    ax2.plot([h for h, m in zip(hours, means) if m is not None],
             [m for m in means if m is not None], "o-", color="#E45756",
             label=S.CHART_ARRIVALS_Y2)
    ax2.set_ylabel(S.CHART_ARRIVALS_Y2)
    ax2.set_ylim(bottom=0)
    ax.set_title(S.CHART_ARRIVALS.format(period=fig.record.period.label()))
    f.legend(loc="upper right", bbox_to_anchor=(0.9, 0.88))
    return _save(plt, f, path)


def wait_distribution(fig: Figures, path: Path, max_wait_s: int) -> Path:
    """A box plot of waits (minutes) per service, with the hall's wait limit drawn across."""
    plt = _pyplot()
    per: dict[str, list[float]] = defaultdict(list)
    for t in fig.record.tickets.values():
        if t.wait_s is not None and not t.walk_in:
            per[t.service_issued].append(t.wait_s / 60)
    keys = sorted(per)
    f, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    if keys:
        ax.boxplot([per[k] for k in keys], showmeans=True)
        ax.set_xticks(range(1, len(keys) + 1),
                      [f"{fig.names['service'].get(k, k)}\n({len(per[k])})" for k in keys])
        ax.axhline(max_wait_s / 60, color="#E45756", linestyle="--",
                   label=S.CHART_WAITS_LIMIT.format(m=max_wait_s // 60))
        ax.legend(loc="upper right")
    else:
        ax.text(0.5, 0.5, S.CHART_NO_DATA, ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel(S.CHART_WAITS_Y)
    ax.set_title(S.CHART_WAITS.format(period=fig.record.period.label()))
    return _save(plt, f, path)


def satisfaction(fig: Figures, path: Path) -> Path:
    """满意率 per window that was rated, with its count of 差评 over each bar."""
    plt = _pyplot()
    rows = [(k, r) for k, r in fig.views["window"].items() if r["rated"]]
    f, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    if rows:
        labels = [fig.names["window"].get(k, str(k)) for k, _ in rows]
        rates = [r["satisfied_rate"] * 100 for _, r in rows]
        bars = ax.bar(labels, rates, color=["#54A24B" if x >= 90 else "#F58518" for x in rates])
        for b, (_, r) in zip(bars, rows):
            ax.annotate(f"{b.get_height():.0f}%\n" + S.CHART_BAD.format(n=r["bad"]),
                        (b.get_x() + b.get_width() / 2, b.get_height()),
                        ha="center", va="bottom", fontsize=9)
        ax.set_ylim(0, 118)
    else:
        ax.text(0.5, 0.5, S.CHART_NO_DATA, ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel(S.CHART_SATISFACTION_Y)
    ax.set_title(S.CHART_SATISFACTION.format(period=fig.record.period.label()))
    return _save(plt, f, path)


def daily(fig: Figures, path: Path) -> Path:
    """The month day by day: tickets served and closed out unserved (stacked bars) and the p90
    wait of the day's called tickets (line): Monday peaks and the month-end rush show here."""
    from report.figures import p90

    plt = _pyplot()
    served: dict = defaultdict(int)
    unserved: dict = defaultdict(int)
    waits: dict = defaultdict(list)
    for t in fig.record.tickets.values():
        served[t.day] += t.finished
        unserved[t.day] += t.closed_reason is not None and t.first_window is None
        if t.wait_s is not None and not t.walk_in:
            waits[t.day].append(t.wait_s / 60)
    days = sorted(set(served) | set(unserved))
    f, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    if days:
        x = range(len(days))
        ax.bar(x, [served[d] for d in days], color="#4C78A8", label=S.CHART_DAILY_SERVED)
        ax.bar(x, [unserved[d] for d in days], bottom=[served[d] for d in days],
               color="#E45756", label=S.CHART_DAILY_UNSERVED)
        ax.set_xticks(x, [S.CHART_DAILY_DAY.format(d=d, w="一二三四五六日"[d.weekday()])
                          for d in days], rotation=60, fontsize=8)
        p90s = [p90(waits[d]) or 0 for d in days]
        ax2 = ax.twinx()
        ax2.plot(x, p90s, "o-", color="#F58518", label=S.CHART_DAILY_P90)
        ax2.set_ylabel(S.CHART_DAILY_P90)
        # headroom above the tallest bar and point: the legend sits there, over nothing
        ax.set_ylim(0, max(served[d] + unserved[d] for d in days) * 1.3 or 1)
        ax2.set_ylim(0, max(p90s) * 1.3 or 1)
        f.legend(loc="upper center", ncol=3, bbox_to_anchor=(0.5, 0.9))
    else:
        ax.text(0.5, 0.5, S.CHART_NO_DATA, ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel(S.CHART_DAILY_Y)
    ax.set_title(S.CHART_DAILY.format(period=fig.record.period.label()))
    return _save(plt, f, path)


def _save(plt, f, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    f.tight_layout()
    f.savefig(path)
    plt.close(f)
    return path


def all_charts(fig: Figures, folder: Path, max_wait_s: int) -> list[Path]:
    """The period's charts; a month's (the 月通报's) begins with its days side by side."""
    slug = fig.record.period.slug()
    month = [daily(fig, folder / f"daily-{slug}.png")] if fig.record.period.kind == "month" \
        else []
    return month + [arrivals(fig, folder / f"arrivals-{slug}.png"),
                    wait_distribution(fig, folder / f"waits-{slug}.png", max_wait_s),
                    satisfaction(fig, folder / f"satisfaction-{slug}.png")]
