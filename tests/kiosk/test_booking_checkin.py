"""预约签到 at the kiosk (docs/booking.md): a booking made on the hub is checked in by a scan of
its QR (the simulated scanner) or by its code typed on the keypad, and the ticket is printed
under the booking."""

from __future__ import annotations

import pytest

from devices.scanner.sim import SimScanner
from kiosk import booking
from kiosk import strings as S
from tests.kiosk.full_day import slow_f_hub

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
    assert S.TICKET_SLOT.format(start="10:30").encode("gbk") in scanning.printer.jobs[-1].data
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


def test_a_scan_that_is_no_booking_is_said_so(scanning):
    scanning.node.scanner.scan("https://example.com/")
    scanning.poll_until(lambda: scanning.node.view == "message", what="the message")
    assert scanning.node.message.lines == [S.SCAN_NOT_BOOKING]


def test_a_scanner_that_fails_shows_in_the_kiosks_health(scanning):
    scanning.node.scanner.unplug()
    scanning.poll_until(lambda: (scanning.node.health or {}).get("scanner"),
                        what="the scanner in the node's health")
    assert scanning.node.health["scanner"]["state"] == "error"
    assert scanning.node.health["scanner"]["simulated"] is True


def test_what_a_scan_or_a_typed_text_means():
    assert booking.checkin_args("abcd2345") == {"code": "ABCD2345"}
    assert booking.checkin_args("https://x/book/c/ABCD2345") == {"code": "ABCD2345"}
    assert booking.checkin_args("https://x/book?code=ABCD2345&t=1") == {"code": "ABCD2345"}
    assert booking.checkin_args("11010519491231002x") == {"id_number": "11010519491231002X"}
    assert booking.checkin_args("2026") is None
    assert booking.checkin_args("ABCD1234") is None  # 1 is never in a code


def _tap(rig, action: tuple) -> None:
    rig.node.poll()
    button = next(b for b in rig.node.views.buttons if b.action == action)
    x, y, w, h = button.rect
    rig.node.touch(x + w // 2, y + h // 2)
    rig.node.poll()


def test_a_full_day_offers_the_next_free_slot_and_books_it_here(broker, hall_clock, tmp_path,
                                                               rig_factory, pictures):
    def materials(data):
        data["booking"]["services"]["F"] = {"materials": ["身份证原件"]}

    out = pictures("kiosk")
    with slow_f_hub("refuse", "full.toml", broker, hall_clock, tmp_path, materials) as (cfg, hub):
        # 4 h a citizen leaves no slot a place; the manager adds one for tomorrow
        assert hub.request_local("web", "booking.open_slots", {
            "service": "F", "day": "2026-11-24", "start": "09:00", "end": "12:00",
            "capacity": 1, "by": "值班主任"})["ok"]
        k = rig_factory(cfg=cfg).start()
        k.take("F", 2)
        assert k.node.choose_service("F")
        k.poll_until(lambda: k.node.view == "book", what="the offer of a slot")
        k.node.save_png(f"{out}/booking-offer.png")
        _tap(k, ("book_yes",))
        for ch in ID:
            _tap(k, ("key", ch))
        k.node.save_png(f"{out}/booking-id.png")
        _tap(k, ("key", "ok"))
        for ch in "13800138000":
            _tap(k, ("key", ch))
        _tap(k, ("key", "ok"))
        k.poll_until(lambda: k.node.offer.stage == "booked" or k.node.view == "message",
                     what="the booking")
        assert k.node.offer.stage == "booked", k.node.message
        k.node.save_png(f"{out}/booking-booked.png")
        code = k.node.offer.booked["code"]
        assert code.encode() in k.printer.jobs[-1].data
        k.printer.render_last_ticket_png(f"{out}/booking-slip.png")
        day = hub.request_local("admin-1", "booking.day", {"day": k.node.offer.booked["day"]})
        f = next(s for s in day["result"]["services"] if s["service"] == "F")
        assert [b["code"] for s in f["slots"] for b in s["bookings"]] == [code]
        assert k.node.check_in_booking(code)  # not today: the kiosk says so
        k.poll_until(lambda: k.node.view == "message")
        assert k.node.message.title == S.CHECK_IN_TITLE
