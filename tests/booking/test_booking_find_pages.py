"""/book/find (查询我的预约) in Chromium at 390×844 and over HTTP: a citizen who lost the link
finds the booking by ID number + phone and opens its new page; a wrong ID and a wrong phone
draw the same page; the address's allowance of look-ups runs out."""

from __future__ import annotations

import re

from tests.booking.test_booking_pages import ID, book, fits, shot
from tests.booking.test_booking_web_limits import Phone, proxied  # noqa: F401 - the fixture
from tests.web import ui
from web.booking import LIMITS

expect = ui.sync_api().expect
PHONE = "13912345678"   # what test_booking_pages.book types


def find(phone, web, id_number: str, number: str) -> None:
    phone.goto(web.url + "/book/find")
    phone.fill("#id_number", id_number)
    phone.fill("#phone", number)
    phone.click("button[type=submit]")


def test_a_lost_link_is_found_by_id_and_phone(phone, book_web, tmp_path):
    old_url, start = book(phone, book_web)
    phone.goto(book_web.url + "/book")
    phone.click("text=查询我的预约")
    expect(phone.locator("h1")).to_have_text("查询我的预约")
    fits(phone)
    shot(phone, tmp_path, "find-1-form")
    find(phone, book_web, ID, "13900000000")
    expect(phone.locator(".error")).to_contain_text("没有找到未办理的预约")
    shot(phone, tmp_path, "find-2-not-found")
    find(phone, book_web, ID, PHONE)
    expect(phone.locator("h1")).to_have_text("您的预约")
    assert "企业开办" in phone.inner_text("main") and start in phone.inner_text("main")
    fits(phone)
    shot(phone, tmp_path, "find-3-found")
    phone.click("a.pick")
    expect(phone.locator("#code")).to_have_text(re.compile(r"^[A-HJ-NP-Z2-9]{8}$"))
    assert phone.url.split("?")[0] != old_url
    phone.goto(old_url)   # the lost link no longer opens the booking
    expect(phone.locator("h1")).to_have_text("没有找到预约")


def _send(who: Phone, id_number: str, number: str) -> tuple[int, str]:
    _, _, page = who.open("/book/find")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    status, _, body = who.open("/book/find", {"csrf": csrf, "id_number": id_number,
                                              "phone": number})
    return status, body


def _error(body: str) -> str:
    found = re.search(r'<p class="error"[^>]*>([^<]*)</p>', body)
    return found.group(1) if found else ""


def test_a_wrong_id_and_a_wrong_phone_look_alike_and_guessing_stops(proxied):  # noqa: F811
    from tests.booking.test_booking_web_limits import citizen_id

    who = Phone(proxied, "198.51.100.7")
    who.book("/book/s/A/2026-11-24/0900", 1)
    wrong_phone = _send(who, citizen_id(1), "13900000002")
    wrong_id = _send(who, citizen_id(2), "13900000001")
    assert wrong_phone[0] == wrong_id[0] == 404
    assert _error(wrong_phone[1]) == _error(wrong_id[1]) != ""
    assert _send(who, citizen_id(1), "13900000001")[0] == 200  # the pair finds it
    allowed = LIMITS["find"][0]
    answers = [_send(who, citizen_id(1), f"139{n:08d}")[0] for n in range(10, 10 + allowed)]
    assert answers == [404] * (allowed - 3) + [429] * 3   # 3 of the allowance spent above
    # another citizen's address has its own allowance
    assert _send(Phone(proxied, "198.51.100.8"), citizen_id(3), "13900000003")[0] == 404
