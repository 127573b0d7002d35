"""预约签到 at the kiosk (docs/booking.md): a booking made on the hub is checked in by a scan of
its QR (the simulated scanner) or by its code typed on the keypad, and the ticket is printed
under the booking."""

from __future__ import annotations

import pytest

from devices.scanner.sim import SimScanner
from kiosk import booking
from kiosk import strings as S

ID = "11010519491231002X"


def _booking(hub, start: str = "10:30") -> dict:
    return hub.service.request_local("web", "booking.make", {
        "service": "A", "day": "2026-11-23", "start": start, "name": "张三",
        "id_number": ID, "phone": "13800138000"})["result"]


@pytest.fixture
def scanning(rig_factory, hub_service):
    rig = rig_factory()
    rig.node.scanner = SimScanner()
    return rig.start()


def test_a_scanned_booking_qr_prints_a_ticket_under_the_booking(scanning, hub_service,
                                                                pictures):
    made = _booking(hub_service)
    scanning.node.scanner.scan(f"https://hall.example/book/{made['code']}?t={made['token']}")
    scanning.poll_until(lambda: scanning.node.view == "result", what="the result screen")
    issued = scanning.node.last_issued
    assert issued["no"] == "A001" and issued["booking"]["state"] == "early"
    assert S.BOOKED_EARLY.format(start="10:30") in scanning.node.shown["lines"]
    assert S.APPOINTMENT_TAG.encode("gbk") in scanning.printer.jobs[-1].data  # the mark
    scanning.printer.render_last_ticket_png(f"{pictures('kiosk')}/booking-ticket.png")
    scanning.node.save_png(f"{pictures('kiosk')}/booking-result.png")


def test_a_typed_code_checks_in_and_a_wrong_one_is_explained(scanning, hub_service):
    made = _booking(hub_service)
    assert scanning.node.check_in_booking("ABCDEFGH") is True
    scanning.poll_until(lambda: scanning.node.view == "message", what="the refusal")
    assert scanning.node.message.title == S.CHECK_IN_TITLE
    scanning.node.views.home()
    assert scanning.node.check_in_booking(made["code"].lower()) is True
    scanning.poll_until(lambda: scanning.node.view == "result", what="the result screen")
    assert scanning.node.last_issued["booking"]["state"] == "early"


def test_what_a_scan_or_a_typed_text_means():
    assert booking.checkin_args("abcd2345") == {"code": "ABCD2345"}
    assert booking.checkin_args("https://x/book/c/ABCD2345") == {"code": "ABCD2345"}
    assert booking.checkin_args("https://x/book?code=ABCD2345&t=1") == {"code": "ABCD2345"}
    assert booking.checkin_args("11010519491231002x") == {"id_number": "11010519491231002X"}
    assert booking.checkin_args("2026") is None
    assert booking.checkin_args("ABCD1234") is None  # 1 is never in a code
