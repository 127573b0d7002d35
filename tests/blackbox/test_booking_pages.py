"""The citizens' /book pages from outside (docs/booking.md "The pages"): hall-hub and hall-web
run as their units start them, a phone's Chromium books at 390×844, a raw kiosk checks the
booking in through the wire and the open booking page turns into the ticket page; hall-web
behind a trusted proxy limits each citizen address, not the proxy's."""

from __future__ import annotations

import http.client
import re
import urllib.parse

from .booking_parts import TODAY, valid_id
from .web_parts import WebProc, phone_page, shot

CODE = r"[2-9A-HJ-NP-Z]{8}"


def test_a_phone_books_and_its_page_becomes_the_ticket_after_check_in(hall, browser, tmp_path):
    from playwright.sync_api import expect

    web = WebProc(hall)
    page = phone_page(browser)
    try:
        page.goto(web.url + "/book")
        page.click("text=企业开办")
        page.click(f"a[href$='/{TODAY}']")
        page.locator("a.slot").first.click()
        assert "身份证原件" in page.inner_text("main")      # 一次性告知 before confirming
        page.fill("#name", "赵六")
        page.fill("#id_number", valid_id(61))
        page.fill("#phone", "13800000061")
        page.check("input[name=ack]")
        shot(page, tmp_path, "bb-book-form-390x844")
        page.click("button[type=submit]")
        expect(page.locator("#code")).to_have_text(re.compile(CODE))
        assert page.locator(".qr svg").count() == 1
        shot(page, tmp_path, "bb-booked-390x844")
        code = page.inner_text("#code")

        kiosk = hall.node("kiosk-1")
        checked = kiosk.request("booking.checkin", {"code": code})
        assert checked["ok"], checked
        no = checked["result"]["ticket"]["no"]
        page.wait_for_url(re.compile(re.escape(web.url) + r"/t/[\w-]{22}$"), timeout=15000)
        expect(page.locator("#no")).to_have_text(no)
        shot(page, tmp_path, "bb-ticket-390x844")
    finally:
        page.context.close()
        web.stop()


def _get(web: WebProc, path: str, forwarded: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=15)
    try:
        conn.request("GET", path, headers={"X-Forwarded-For": forwarded})
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


def test_behind_a_trusted_proxy_each_citizen_address_has_its_own_limit(hall):
    web = WebProc(hall, extra=("--trusted-proxy", "127.0.0.1"))
    try:
        guess = "/book/" + "Z" * 8 + "/" + "A" * 22
        for _ in range(10):   # ten wrong links from one citizen ...
            assert _get(web, guess, "203.0.113.5")[0] == 404
        status, body = _get(web, guess, "203.0.113.5")
        assert status == 429 and "操作过于频繁" in body
        # ... another citizen through the same proxy is not affected, and a header the phone
        # wrote itself before the proxy's does not move it to a fresh address
        assert _get(web, guess, "203.0.113.6")[0] == 404
        assert _get(web, guess, "198.51.100.1, 203.0.113.5")[0] == 429
        assert _get(web, "/book?" + urllib.parse.urlencode({"x": "1"}), "203.0.113.5")[0] == 200
    finally:
        web.stop()


def test_the_booking_pages_meet_wcag_21_aa(hall, browser):
    from .test_web_contrast import violations
    from .web_parts import browser_login, desk_page

    web = WebProc(hall)
    kiosk = hall.node("kiosk-1")
    found: dict[str, list[str]] = {}
    page = phone_page(browser)
    try:
        for name, path in (("services", "/book"), ("days", "/book/s/A"),
                           ("slots", f"/book/s/A/{TODAY}"), ("form", f"/book/s/A/{TODAY}/1030"),
                           ("closed day", "/book/s/A/2026-11-28/0900"),
                           ("not found", "/book/" + "Z" * 8 + "/" + "A" * 22)):
            page.goto(web.url + path)
            found[name] = violations(page)
        page.goto(f"{web.url}/book/s/A/{TODAY}/1030")
        page.fill("#name", "赵六")
        right = valid_id(62)
        page.fill("#id_number", right[:17] + ("0" if right[17] != "0" else "1"))  # checksum
        page.fill("#phone", "13800000062")
        page.check("input[name=ack]")
        page.click("button[type=submit]")
        page.locator(".error").wait_for(timeout=15000)
        found["form with an error"] = violations(page)
        page.fill("#id_number", valid_id(62))
        page.check("input[name=ack]")
        page.click("button[type=submit]")
        page.locator("#code").wait_for(timeout=15000)
        found["booking"] = violations(page)
        assert kiosk.request("booking.checkin", {"code": page.inner_text("#code")})["ok"]
        desk = desk_page(browser)
        browser_login(desk, web)
        desk.goto(web.url + "/manage/booking")
        desk.locator("section[aria-label='企业开办']").wait_for(timeout=15000)
        found["console 预约管理"] = violations(desk)
        desk.context.close()
    finally:
        page.context.close()
        web.stop()
    assert not any(found.values()), found


def test_a_blocked_citizen_is_told_why_and_until_when(hall, browser, tmp_path):
    """Three bookings never checked in (爽约 at the hub's tick after a restart at 11:50): the
    phone's next booking gets a page that says why, until when, and what to do instead."""
    from .booking_parts import booking_args
    from .outside import stop_process, wait_for

    web_node = hall.node("web")
    person = valid_id(43)
    for service, start in (("A", "10:30"), ("C", "11:00"), ("D", "11:30")):
        made = web_node.request("booking.make", booking_args(service, TODAY, start, person,
                                                             "13600000043"))
        assert made["ok"], made
    stop_process(hall.hubs[-1])
    hall.start_hub(clock="2026-11-23T11:50:00+08:00", log_name="hub-later")
    wait_for(lambda: len(hall.db_rows("SELECT seq FROM events WHERE kind = "
                                      "'booking_no_show'")) == 3, 10, "the three no-shows")
    web = WebProc(hall, clock="2026-11-23T11:50:00+08:00")
    page = phone_page(browser)
    try:
        page.goto(f"{web.url}/book/s/A/2026-11-25/0900")
        page.fill("#name", "钱七")
        page.fill("#id_number", person)
        page.fill("#phone", "13600000043")
        page.check("input[name=ack]")
        page.click("button[type=submit]")
        page.locator(".refusal").wait_for(timeout=15000)
        text = page.inner_text(".refusal")
        assert "预约没有成功" in text and "爽约" in text and "2026-12-23" in text, text
        assert "可到大厅现场取号办理" in text and "返回事项列表" in text
        shot(page, tmp_path, "bb-blocked-390x844")
    finally:
        page.context.close()
        web.stop()
