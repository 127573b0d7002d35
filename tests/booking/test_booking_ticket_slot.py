"""An early check-in's ticket says when it will be called: ``ticket.lookup`` carries the
booking's slot, and the ticket page shows 预约时段 10:30 起优先叫号 until then (Chromium 390×844)."""

from __future__ import annotations

import re

from tests.booking.test_booking_pages import TODAY, book, fits, shot
from tests.web import ui

from .conftest import engine_helpers as eh

expect = ui.sync_api().expect
ID = eh.make_id("11010519491231002")


def _checked_in(hall, start: str) -> dict:
    made = hall.do("web", "booking.make", service="A", day=TODAY, start=start, name="张三",
                   id_number=ID, phone="13800138000")
    return hall.do("kiosk-1", "booking.checkin", code=made["code"])


def test_lookup_carries_the_slot_of_a_ticket_issued_under_a_booking(hall):
    ticket = _checked_in(hall, "10:30")["ticket"]
    view = hall.do("web", "ticket.lookup", token=ticket["token"])["ticket"]
    assert view["slot_start"] == "10:30" and view["slot"].startswith(f"{TODAY}T10:30")
    walk_in = hall.do("kiosk-1", "ticket.take", service="A")["ticket"]
    plain = hall.do("web", "ticket.lookup", token=walk_in["token"])["ticket"]
    assert "slot" not in plain and "slot_start" not in plain


def test_the_ticket_page_says_when_an_early_check_in_is_called(book_web, phone, node_client,
                                                               tmp_path):
    phone.clock.install()   # the phone's clock, to jump past the slot below
    url, start = book(phone, book_web, day=TODAY)
    code = phone.inner_text("#code")
    node_client("kiosk-1").request("booking.checkin", {"code": code})
    phone.wait_for_url(re.compile(re.escape(book_web.url) + r"/t/[\w-]{22}$"), timeout=15000)
    expect(phone.locator("#est")).to_have_text(f"预约时段 {start} 起优先叫号")
    assert phone.is_hidden("#soon")   # nobody ahead, yet not called before the slot
    fits(phone)
    shot(phone, tmp_path, "early-ticket")
    # past the slot's start (hall time 10:00 + a little; the first slot is 10:30) the page
    # turns to the usual wait by itself, without a reload or a new view from the hub
    phone.evaluate("window.__notReloaded = true")
    phone.clock.fast_forward("31:00")
    expect(phone.locator("#est")).not_to_contain_text("预约时段")
    expect(phone.locator("#soon")).to_be_visible()
    assert phone.evaluate("window.__notReloaded") is True
