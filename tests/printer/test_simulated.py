"""The simulated printer: honest bytes, every status, and its picture of the paper."""

from __future__ import annotations

import pytest

from devices.printer.commands import CHINESE_ON, INIT, encode_text
from devices.printer.interface import PrinterError, PrinterStatus
from devices.printer.simulated import SimulatedPrinter

JOB = INIT + CHINESE_ON + encode_text("税务\n") + b"\x1dV\x00"


def test_keeps_exact_bytes_and_a_time_per_job():
    p = SimulatedPrinter()
    p.write(JOB)
    p.write(JOB[:5])
    assert p.output == JOB + JOB[:5]
    assert [j.data for j in p.jobs] == [JOB, JOB[:5]]
    assert p.jobs[0].at <= p.jobs[1].at and all(j.printed for j in p.jobs)


@pytest.mark.parametrize("kwargs,state", [
    ({"paper": "out"}, "out"), ({"paper": "near_end"}, "near_end"),
    ({"cover": "open"}, "cover_open"), ({"line": "offline"}, "offline"),
    ({"error": "cutter"}, "error"),
])
def test_each_state_is_reported(kwargs, state):
    p = SimulatedPrinter()
    p.set_status(**kwargs)
    assert p.status().state == state


def test_out_of_paper_takes_the_bytes_but_prints_nothing():
    p = SimulatedPrinter()
    p.set_status(paper="out")
    p.write(JOB)
    assert p.output == JOB and p.jobs[0].printed is False
    p.set_status(paper="ok")
    assert p.status().state == "ok"


def test_unplugged_refuses_the_job_and_keeps_nothing():
    p = SimulatedPrinter()
    p.unplug()
    with pytest.raises(PrinterError):
        p.write(JOB)
    assert p.output == b"" and p.jobs == []
    assert p.status() == PrinterStatus(line="offline", error="not_reachable")
    p.plug()
    p.write(JOB)
    assert p.output == JOB


def test_a_printer_that_says_offline_takes_the_bytes_and_prints_nothing():
    """As a real one: DLE EOT's offline bit does not stop the line taking a job."""
    p = SimulatedPrinter()
    p.set_status(line="offline")
    p.write(JOB)
    assert p.output == JOB and p.jobs[0].printed is False


def test_printer_without_status_is_unknown_not_out():
    p = SimulatedPrinter(answers_status=False)
    p.set_status(paper="out")
    s = p.status()
    assert s.paper == "unknown" and s.state == "unknown" and not s.blocks_printing


def test_bad_input_changes_nothing():
    p = SimulatedPrinter()
    with pytest.raises(PrinterError):
        p.write("税务")
    with pytest.raises(ValueError):
        p.set_status(paper="empty")
    with pytest.raises(ValueError):
        SimulatedPrinter(width_mm=76)
    assert p.output == b"" and p.status().state == "ok"


@pytest.mark.parametrize("width_mm,dots", [(80, 576), (58, 384)])
def test_render_png_has_the_paper_width(tmp_path, width_mm, dots):
    from PIL import Image

    p = SimulatedPrinter(width_mm=width_mm)
    p.write(JOB)
    path = p.render_png(str(tmp_path / "t.png"), 0)
    with Image.open(path) as im:
        assert im.width == dots + 32
        assert im.getextrema()[0] == 0   # something black was printed


def _ticket(no: str) -> bytes:
    return INIT + CHINESE_ON + encode_text(f"税务 {no}\n第二行\n") + b"\x1dV\x00"


def test_the_last_ticket_is_cut_at_the_last_paper_cut(tmp_path):
    """hall-demo's ticket.png: the piece the last cut took off, not the whole day's roll."""
    from PIL import Image

    p = SimulatedPrinter()
    for no in ("A001", "A002", "A003"):
        p.write(_ticket(no))
    piece = p.paper().last_ticket()
    assert piece.text_lines == ["税务 A003", "第二行"] and piece.cuts == 1
    p.render_last_ticket_png(str(tmp_path / "last.png"))
    p.render_png(str(tmp_path / "job.png"), job=-1)
    p.render_png(str(tmp_path / "roll.png"))
    last, job, roll = (Image.open(tmp_path / n) for n in ("last.png", "job.png", "roll.png"))
    assert last.size == job.size and last.tobytes() == job.tobytes()
    assert roll.size[1] > 2 * last.size[1]


def test_the_last_ticket_follows_cuts_not_writes():
    """One write holding two tickets, then a half-printed one without its cut: the last cut
    decides, and uncut paper still on the roll is not a ticket yet."""
    p = SimulatedPrinter()
    p.write(_ticket("B001") + _ticket("B002"))
    p.write(INIT + encode_text("half\n"))
    assert p.paper().last_ticket().text_lines == ["税务 B002", "第二行"]
    q = SimulatedPrinter()
    q.write(INIT + encode_text("no cut yet\n"))
    assert q.paper().last_ticket().text_lines == ["no cut yet"]
