"""The citizens' booking pages in Chromium at 390×844 (issue 26 item 2): book, view, cancel,
rebook, and the booking's page becoming the ticket page once the kiosk checked it in. The
booking ops are the contract's, played by tests/booking/fakehub.py; tickets are the real hub's.
Screenshots go under each test's tmp_path (``pytest -s`` prints them)."""

from __future__ import annotations

import re

from tests.booking.fakehub import with_checksum
from tests.web import ui

expect = ui.sync_api().expect
ID = with_checksum("11010519491231002")
TUESDAY = "2026-11-24"     # the hall clock is Monday 2026-11-23 10:00


def shot(page, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}-390x844.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return str(path)


def fits(page) -> None:
    """Nothing wider than the phone: the page never scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def book(phone, web, tmp_path=None) -> str:
    """Books 企业开办 on Tuesday 09:30 through the pages; the booking's page URL."""
    phone.goto(web.url + "/book")
    expect(phone.locator("h1")).to_have_text("选择办理事项")
    if tmp_path:
        shot(phone, tmp_path, "book-1-services")
    phone.click("text=企业开办")
    expect(phone.locator("h1")).to_have_text("选择日期")
    assert "周末不办公" in phone.inner_text("main")
    if tmp_path:
        fits(phone)
        shot(phone, tmp_path, "book-2-days")
    phone.click(f"a[href$='/{TUESDAY}']")
    expect(phone.locator("h1")).to_have_text("选择时段")
    if tmp_path:
        fits(phone)
        shot(phone, tmp_path, "book-3-slots")
    phone.click("a.slot[href$='/0930']")
    told = phone.inner_text("main")
    assert "办理须知（一次性告知）" in told
    for item in getattr(web.cfg.services["A"], "materials", ()):   # the hall's own list
        assert item in told
    phone.fill("#name", "张三")
    phone.fill("#id_number", ID)
    phone.fill("#phone", "13912345678")
    phone.check("input[name=ack]")
    if tmp_path:
        fits(phone)
        shot(phone, tmp_path, "book-4-form")
    phone.click("button[type=submit]")
    expect(phone.locator("#code")).to_have_text(re.compile(r"^[A-HJ-NP-Z2-9]{8}$"))
    return phone.url.split("?")[0]


def test_book_from_the_phone(book_web, phone, tmp_path):
    url = book(phone, book_web, tmp_path)
    assert re.fullmatch(re.escape(book_web.url) + r"/book/[A-Z2-9]{8}/[\w-]+", url)
    main = phone.inner_text("main")
    assert "预约成功" in main and "11月24日 周二 09:30–10:00" in main
    assert "张*" in main and "139****5678" in main and ID not in phone.content()
    assert phone.locator(".qr svg").count() == 1
    assert phone.locator(".qr svg").bounding_box()["width"] >= 150
    fits(phone)
    shot(phone, tmp_path, "book-5-confirmed")
    (made,) = book_web.fake.by_code.values()
    assert (made["service"], made["day"], made["start"], made["id"]) == ("A", TUESDAY, "09:30", ID)


def test_a_form_with_a_bad_id_is_shown_again_with_why(book_web, phone, tmp_path):
    phone.goto(f"{book_web.url}/book/s/A/{TUESDAY}/1000")
    phone.fill("#name", "李四")
    phone.fill("#id_number", ID[:17] + ("1" if ID[17] != "1" else "2"))   # wrong checksum
    phone.fill("#phone", "13912345678")
    phone.check("input[name=ack]")
    phone.click("button[type=submit]")
    expect(phone.locator(".error")).to_contain_text("身份证号")
    assert phone.input_value("#name") == "李四"
    shot(phone, tmp_path, "book-bad-id")
    assert not book_web.fake.by_code


def test_view_and_cancel(book_web, phone, tmp_path):
    url = book(phone, book_web)
    phone.goto(url)                       # the saved link, later
    assert "可在 11月24日 07:30 前取消或改约" in phone.inner_text("main")
    shot(phone, tmp_path, "view-booked")
    phone.once("dialog", lambda d: d.accept())
    phone.click("#cancel-form button")
    expect(phone.locator(".banner.done")).to_have_text("预约已取消")
    expect(phone.locator("#state")).to_have_text("已取消")
    assert phone.locator(".qr svg").count() == 0 and phone.locator("#cancel-form").count() == 0
    shot(phone, tmp_path, "view-cancelled")
    (b,) = book_web.fake.by_code.values()
    assert b["state"] == "cancelled"


def test_rebook_to_another_day(book_web, phone, tmp_path):
    url = book(phone, book_web)
    phone.click("text=改约")
    expect(phone.locator("h1")).to_have_text("选择日期")
    phone.click("a[href$='/move/2026-11-26']")
    phone.click("a.slot[href$='/1100']")
    shot(phone, tmp_path, "rebook-confirm")
    phone.click("button[type=submit]")
    expect(phone.locator(".banner.done")).to_have_text("已改约到新的时间")
    assert phone.url.split("?")[0] == url            # the same code and token
    assert "11月26日 周四 11:00–11:30" in phone.inner_text("main")
    shot(phone, tmp_path, "rebook-done")
    assert book_web.fake.booked("A", TUESDAY, "09:30") == 0
    assert book_web.fake.booked("A", "2026-11-26", "11:00") == 1


def test_check_in_turns_the_page_into_the_ticket_page(book_web, phone, node_client, tmp_path):
    url = book(phone, book_web)
    phone.goto(url)
    phone.evaluate("window.__open = true")
    kiosk = node_client("kiosk-1")
    taken = kiosk.request("ticket.take", {"service": "A"})["ticket"]
    (b,) = book_web.fake.by_code.values()
    b |= {"state": "checked_in", "ticket": {"number": taken["no"], "token": taken["token"]}}
    phone.wait_for_url(f"{book_web.url}/t/{taken['token']}", timeout=15000)   # by itself
    expect(phone.locator("#no")).to_have_text(taken["no"])
    expect(phone.locator("#ahead")).to_contain_text("前面")
    shot(phone, tmp_path, "checked-in-ticket")
    phone.goto(url)                                   # the saved booking link now opens it too
    assert phone.url == f"{book_web.url}/t/{taken['token']}"
