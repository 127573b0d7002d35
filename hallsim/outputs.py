"""What hall-demo leaves behind: pictures taken while the nodes run, figures after the day."""

from __future__ import annotations

import contextlib
import io
import wave
from pathlib import Path


def capture(hall) -> dict:
    """Save what people saw, while the screens still exist: the hall display, the kiosk, the
    last printed ticket rendered from its ESC/POS bytes."""
    out = hall.out
    saved = {"board": hall.board.screen.save_png(str(out / "hall-display.png")),
             "kiosk": hall.kiosk.save_png(str(out / "kiosk.png"))}
    if hall.kiosk.printer.jobs:
        saved["ticket"] = hall.kiosk.printer.render_last_ticket_png(str(out / "ticket.png"))
    return saved


def write_figures(hall, day_of) -> str:
    """The day's figures through hall-report (read-only over the hub's file)."""
    from report.cli import main as report

    out = hall.out
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        report(["figures", "--config", hall.cfg.source, "--db", str(out / "hall.db"),
                "--day", day_of.date().isoformat(), "--csv", str(out / "figures"),
                "--xlsx", str(out / "figures.xlsx"), "--charts", str(out / "charts"),
                "--html", str(out / "summary.html")])
    text = buf.getvalue()
    (out / "figures.txt").write_text(text, encoding="utf-8")
    return text


def announcements(out: Path) -> tuple[int, float]:
    """How many announcement WAVs there are and their total length in seconds."""
    total, n = 0.0, 0
    for path in sorted((out / "announcements").glob("*.wav")):
        with wave.open(str(path)) as w:
            total += w.getnframes() / w.getframerate()
            n += 1
    return n, total
