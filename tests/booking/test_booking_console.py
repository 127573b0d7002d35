"""The console's booking page (issue 26 item 6) in Chromium: a day's slots per service with
bookings, check-ins and no-shows, and the manager closing and adding slots (``by`` = the
manager's name in the hub's event)."""

from __future__ import annotations

from tests.web import ui

expect = ui.sync_api().expect
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
MONDAY, TUESDAY = "2026-11-23", "2026-11-24"


def person(n: int) -> dict:
    first = f"11010519800101{n:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(first, WEIGHTS)) % 11]
    return {"name": "王" + "甲乙丙丁"[n], "id_number": first + check, "phone": f"1370000000{n}"}


def login(page, web) -> None:
    page.goto(web.url + "/manage/login")
    page.fill("input[name=name]", "值班主任")
    page.fill("input[name=password]", "hall-demo")
    page.click("button[type=submit]")
    page.wait_for_url(web.url + "/manage")


def test_the_day_and_closing_and_adding_slots(book_web, browser, node_client, tmp_path):
    kiosk = node_client("kiosk-1")
    made = kiosk.request("booking.make", {"service": "A", "day": MONDAY, "start": "10:30"}
                         | person(0))
    kiosk.request("booking.checkin", {"code": made["code"]})
    kiosk.request("booking.make", {"service": "A", "day": MONDAY, "start": "11:00"} | person(1))

    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                              timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    login(page, book_web)
    page.click("text=预约管理")
    panel = page.locator("section[aria-label='企业开办']")
    expect(panel).to_contain_text("预约 2 · 签到 1 · 爽约 0 · 签到率 50% · 爽约率 0%")
    assert made["code"] in panel.inner_text() and "已签到" in panel.inner_text()
    path = tmp_path / "console-booking-1920x1080.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")

    page.goto(f"{book_web.url}/manage/booking?day={TUESDAY}")
    form = page.locator("#close-slots")
    form.locator("select[name=service]").select_option("A")
    form.locator("input[name=start]").fill("14:00")
    form.locator("input[name=end]").fill("15:00")
    form.locator("input[name=reason]").fill("窗口培训")
    form.locator("button").click()
    expect(page.locator("section[aria-label='企业开办']")).to_contain_text("窗口培训")
    tuesday = kiosk.request("booking.slots", {"service": "A", "from": TUESDAY, "days": 1})
    closed = [s["start"] for s in tuesday["days"][0]["slots"] if s.get("closed")]
    assert closed == ["14:00", "14:30"]

    form = page.locator("#open-slots")
    form.locator("select[name=service]").select_option("A")
    form.locator("input[name=start]").fill("14:00")
    form.locator("input[name=end]").fill("14:30")
    form.locator("input[name=capacity]").fill("5")
    with page.expect_navigation():  # the page reloads once the hub has said yes
        form.locator("button").click()
    tuesday = kiosk.request("booking.slots", {"service": "A", "from": TUESDAY, "days": 1})
    reopened = next(s for s in tuesday["days"][0]["slots"] if s["start"] == "14:00")
    assert reopened["capacity"] == 5 and not reopened.get("closed")
    path = tmp_path / "console-booking-changed-1920x1080.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                is_mobile=True, has_touch=True).new_page()
    login(phone, book_web)
    phone.goto(f"{book_web.url}/manage/booking?day={MONDAY}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    path = tmp_path / "console-booking-390x844.png"
    phone.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    ctx.close()
