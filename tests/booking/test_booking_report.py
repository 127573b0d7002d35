"""网上预约 figures (report.booking, hall-report bookings): 预约数, 签到率, 爽约率 and the wait of
booked citizens beside walk-ins', from a hub database built from an engine's day."""

from __future__ import annotations

from hub.restore import append
from hub.store import Store, open_readonly
from report import booking
from report.cli import main
from report.period import parse_period

from .conftest import engine_helpers as eh

ID = [eh.make_id(f"1101051949123{i:04d}") for i in range(4)]


def _day(hall, tmp_path) -> str:
    def book(service, day, start, i):
        return hall.do("web", "booking.make", service=service, day=day, start=start, name="张三",
                       id_number=ID[i], phone=f"1380013800{i}")
    a = book("A", "2026-11-23", "10:30", 0)
    book("C", "2026-11-23", "11:00", 1)
    book("D", "2026-11-23", "10:30", 2)
    gone = book("A", "2026-11-24", "09:00", 3)
    hall.do("web", "booking.cancel", code=gone["code"], token=gone["token"])
    hall.wait(minutes=10)                       # 10:10: the booked citizen comes early
    hall.do("kiosk-1", "booking.checkin", code=a["code"])
    hall.take("A")                              # and a walk-in
    hall.open(1)
    hall.wait(minutes=30)                       # 10:40: the slot has come: booked first
    assert hall.next(1) == "A001"
    hall.win(1, "finish")
    hall.wait(minutes=10)                       # 10:50: the walk-in
    assert hall.next(1) == "A002"
    hall.wait(minutes=30)                       # 11:20: C and D never came
    assert [ev.kind for ev in hall.tick()].count("booking_no_show") == 2
    path = str(tmp_path / "hall.db")
    store = Store(path)
    with store.transaction():
        for seq, (ev, at) in enumerate(hall.log, 1):
            append(store, seq, at.isoformat(), ev, at)
    store.close()
    return path


def test_booking_figures_of_a_day(hall, tmp_path):
    path = _day(hall, tmp_path)
    fig = booking.figures(open_readonly(path), parse_period("day", "2026-11-23"))
    h = fig["hall"]
    assert (h["booked"], h["checked_in"], h["no_show"], h["cancelled"]) == (3, 1, 2, 0)
    assert h["checkin_rate"] == 1 / 3 and h["no_show_rate"] == 2 / 3
    assert h["booked_wait_mean_s"] == 600        # from the slot's 10:30, not the 10:10 arrival
    assert h["walkin_wait_mean_s"] == 40 * 60
    assert fig["service"]["A"]["booked"] == 1 and fig["service"]["C"]["no_show"] == 1
    tue = booking.figures(open_readonly(path), parse_period("day", "2026-11-24"))
    assert tue["hall"]["cancelled"] == 1 and tue["hall"]["checkin_rate"] is None


def test_hall_report_prints_them(hall, tmp_path, capsys):
    path = _day(hall, tmp_path)
    assert main(["bookings", "--config", str(eh.ROOT / "examples" / "hall.toml"), "--db", path,
                 "--day", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "签到率" in out and "33.3%" in out and "66.7%" in out
