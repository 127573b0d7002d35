"""Every page meets WCAG 2.1 AA (issue 24.6), checked in Debian's Chromium by axe-core (bundled
by axe-playwright-python from PyPI): the ticket page in its states, the call screen, a closed
day, the console on a desk and a phone, its login and the figures."""

from __future__ import annotations

from .web_parts import (
    ManagerHttp,
    WebProc,
    browser_login,
    desk_page,
    phone_page,
)

AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
      "resultTypes": ["violations"]}



def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=AA).response["violations"]
    return [f"{v['id']}: {n['target']} "
            + " ".join(n.get("failureSummary", "").split())[:200]
            for v in found for n in v["nodes"]]


def test_every_page_meets_wcag_21_aa(make_hall, browser):
    hall = make_hall()
    hall.start_hub()
    web = WebProc(hall)
    kiosk, rater = hall.node("kiosk-1"), hall.node("rater-1")
    first = kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]
    tickets = [kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]
               for _ in range(5)]
    found: dict[str, list[str]] = {}
    phone = phone_page(browser)
    phone.goto(f"{web.url}/t/{tickets[-1]['token']}")
    phone.locator("#ahead").get_by_text("前面还有").wait_for(timeout=15000)
    found["ticket waiting"] = violations(phone)
    phone.goto(f"{web.url}/t/{tickets[0]['token']}")   # 即将到号
    phone.locator("#soon").wait_for(state="visible", timeout=15000)
    found["ticket soon"] = violations(phone)
    phone.goto(f"{web.url}/t/{first['token']}")
    assert rater.request("window.login", {"window": 1, "staff": "1001"})["ok"]
    assert rater.request("window.call_next", {"window": 1})["ok"]
    phone.locator("#called").wait_for(state="visible", timeout=15000)
    found["call screen"] = violations(phone)
    assert rater.request("window.finish", {"window": 1})["ok"]
    phone.locator("#rate").wait_for(state="visible", timeout=15000)
    found["ticket finished"] = violations(phone)
    desk = desk_page(browser)
    desk.goto(web.url + "/manage/login")
    found["login"] = violations(desk)
    browser_login(desk, web)
    desk.locator("#windows tr").nth(1).wait_for(timeout=15000)
    found["console 1920"] = violations(desk)
    desk.goto(web.url + "/manage/figures")
    found["figures"] = violations(desk)
    phone.goto(web.url + "/manage/login")
    browser_login(phone, web)
    phone.locator("#windows tr").nth(1).wait_for(timeout=15000)
    found["console 390"] = violations(phone)
    manager = ManagerHttp(web)
    status, answer = manager.action("pause", {"window": 1, "reason": "午休"})
    assert status == 200, answer
    desk.goto(web.url + "/manage")
    desk.locator("#windows .pill.paused").wait_for(timeout=15000)
    found["console paused"] = violations(desk)
    status, answer = manager.action("close_day")
    assert status == 200, answer
    phone.goto(f"{web.url}/t/{tickets[-1]['token']}")
    phone.locator("#status").get_by_text("已结束办理").wait_for(timeout=15000)
    found["day closed"] = violations(phone)
    hall.hubs[0].terminate()  # the hub away: the console's banner
    hall.hubs[0].wait(10)
    desk.locator("#hub-offline").wait_for(state="visible", timeout=15000)
    found["console hub offline"] = violations(desk)
    report = "\n".join(f"{k}: {line}" for k, lines in found.items() for line in lines)
    assert not report, "WCAG 2.1 AA violations:\n" + report
    phone.context.close()
    desk.context.close()
    web.stop()
