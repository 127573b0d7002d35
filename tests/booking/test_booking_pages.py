"""The citizens' booking pages in Chromium at 390×844 (issue 26 item 2) on the real hub: book,
view, cancel, rebook, and the booking's page becoming the ticket page once the kiosk checked it
in. Screenshots go under each test's tmp_path (``pytest -s`` prints them)."""

from __future__ import annotations

import re

from tests.web import ui

expect = ui.sync_api().expect
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
TODAY, TUESDAY, THURSDAY = "2026-11-23", "2026-11-24", "2026-11-26"   # the hall clock: Mon 10:00


def with_checksum(first17: str) -> str:
    """An ID number with its GB 11643 check character."""
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


ID = with_checksum("11010519491231002")


def shot(page, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}-390x844.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return str(path)


def fits(page) -> None:
    """Nothing wider than the phone: the page never scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def book(phone, web, day: str = TUESDAY, tmp_path=None) -> tuple[str, str]:
    """Books 企业开办 on ``day``'s first free slot through the pages: (page URL, slot start)."""
    def step(name):
        if tmp_path:
            fits(phone)
            shot(phone, tmp_path, name)

    phone.goto(web.url + "/book")
    expect(phone.locator("h1")).to_have_text("选择办理事项")
    step("book-1-services")
    phone.click("text=企业开办")
    expect(phone.locator("h1")).to_have_text("选择日期")
    step("book-2-days")
    phone.click(f"a[href$='/{day}']")
    expect(phone.locator("h1")).to_have_text("选择时段")
    step("book-3-slots")
    first = phone.locator("a.slot").first
    start = first.locator("b").inner_text().split("–")[0]
    first.click()
    told = phone.inner_text("main")
    assert "办理须知（一次性告知）" in told
    for item in web.cfg.booking.materials("A"):   # the hall's own list, before confirming
        assert item in told
    phone.fill("#name", "张三")
    phone.fill("#id_number", ID)
    phone.fill("#phone", "13912345678")
    phone.check("input[name=ack]")
    step("book-4-form")
    phone.click("button[type=submit]")
    expect(phone.locator("#code")).to_have_text(re.compile(r"^[A-HJ-NP-Z2-9]{8}$"))
    return phone.url.split("?")[0], start


def live(page) -> bool:
    return page.evaluate("JSON.parse(document.getElementById('boot').textContent).live")


def day_of(node_client, day: str) -> dict:
    """The console's view of ``day`` for service A (``booking.day``, as the manager's desk)."""
    answer = node_client("admin-1").request("booking.day", {"day": day})
    return next(s for s in answer["services"] if s["service"] == "A")


def test_book_from_the_phone(book_web, phone, node_client, tmp_path):
    url, start = book(phone, book_web, tmp_path=tmp_path)
    assert re.fullmatch(re.escape(book_web.url) + r"/book/[A-Z2-9]{8}/[\w-]{22}", url)
    main = phone.inner_text("main")
    assert "预约成功" in main and f"11月24日 周二 {start}" in main
    assert "139****5678" in main and ID not in phone.content()
    assert phone.locator(".qr svg").count() == 1
    assert phone.locator(".qr svg").bounding_box()["width"] >= 150
    fits(phone)
    shot(phone, tmp_path, "book-5-confirmed")
    slot = next(s for s in day_of(node_client, TUESDAY)["slots"] if s["start"] == start)
    assert slot["booked"] == 1
    assert slot["bookings"][0]["code"] == phone.inner_text("#code")


def test_a_bad_id_is_shown_again_with_why(book_web, phone, tmp_path):
    phone.goto(f"{book_web.url}/book/s/A/{TUESDAY}")
    phone.locator("a.slot").first.click()
    phone.fill("#name", "李四")
    phone.fill("#id_number", ID[:17] + ("1" if ID[17] != "1" else "2"))   # wrong checksum
    phone.fill("#phone", "13912345678")
    phone.check("input[name=ack]")
    phone.click("button[type=submit]")
    expect(phone.locator(".error")).to_contain_text("身份证号码不正确")   # the hub's GB 11643
    assert phone.input_value("#name") == "李四"
    shot(phone, tmp_path, "book-bad-id")


def test_view_and_cancel(book_web, phone, node_client, tmp_path):
    url, start = book(phone, book_web)
    phone.goto(url)                       # the saved link, later
    assert "前取消或改约" in phone.inner_text("main")
    assert live(phone) is False        # a day ahead: the page does not poll the hub
    shot(phone, tmp_path, "view-booked")
    phone.once("dialog", lambda d: d.accept())
    phone.click("#cancel-form button")
    expect(phone.locator(".banner.done")).to_have_text("预约已取消")
    expect(phone.locator("#state")).to_have_text("已取消")
    assert phone.locator(".qr svg").count() == 0 and phone.locator("#cancel-form").count() == 0
    shot(phone, tmp_path, "view-cancelled")
    slot = next(s for s in day_of(node_client, TUESDAY)["slots"] if s["start"] == start)
    assert slot["booked"] == 0 and slot["bookings"][0]["state"] == "cancelled"


def test_rebook_to_another_day(book_web, phone, node_client, tmp_path):
    url, start = book(phone, book_web)
    phone.click("text=改约")
    expect(phone.locator("h1")).to_have_text("选择日期")
    phone.click(f"a[href$='/move/{THURSDAY}']")
    new = phone.locator("a.slot").last
    new_start = new.locator("b").inner_text().split("–")[0]
    new.click()
    assert f"原预约时间：11月24日 周二 {start}" in phone.inner_text("main")
    shot(phone, tmp_path, "rebook-confirm")
    phone.click("button[type=submit]")
    expect(phone.locator(".banner.done")).to_have_text("已改约到新的时间")
    assert phone.url.split("?")[0] == url            # the same code and token
    assert f"11月26日 周四 {new_start}" in phone.inner_text("main")
    shot(phone, tmp_path, "rebook-done")
    old = next(s for s in day_of(node_client, TUESDAY)["slots"] if s["start"] == start)
    moved = next(s for s in day_of(node_client, THURSDAY)["slots"] if s["start"] == new_start)
    assert (old["booked"], moved["booked"]) == (0, 1)


def test_check_in_turns_the_page_into_the_ticket_page(book_web, phone, node_client, tmp_path):
    url, _ = book(phone, book_web, day=TODAY)        # today's first slot, 30 min ahead at most
    phone.goto(url)
    assert live(phone) is True         # around its slot: the open page watches for check-in
    code = phone.inner_text("#code")
    taken = node_client("kiosk-1").request("booking.checkin", {"code": code})
    no = taken["ticket"]["no"]
    phone.wait_for_url(re.compile(re.escape(book_web.url) + r"/t/[\w-]{22}$"),
                       timeout=15000)                  # by itself, while open
    expect(phone.locator("#no")).to_have_text(no)
    expect(phone.locator("#ahead")).to_contain_text("前面")
    shot(phone, tmp_path, "checked-in-ticket")
    ticket_url = phone.url
    phone.goto(url)                                   # the saved booking link now opens it too
    assert phone.url == ticket_url
