"""The console on a manager's phone and on a desk screen, and the call screen on a phone
(issue 24.5 and the call screen of 24.6), measured in Debian's Chromium: nothing wider than
the screen, no header or button broken over lines. Screenshots under tmp_path."""

from __future__ import annotations

import re

import pytest

from .web_parts import (
    WebProc,
    browser_login,
    desk_page,
    phone_page,
    shot,
)

LINES = """el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set(Array.from(r.getClientRects()).filter(x => x.width > 0)
                 .map(x => Math.round(x.top))).size; }"""
OVERFLOW = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width > 0 && r.right > 391
                        && !e.closest('.panel table'); })
  .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 20))"""



@pytest.fixture
def day(make_hall):
    """A hall with a hub, hall-web, a clerk at window 1 and tickets, so tables have rows."""
    hall = make_hall()
    hall.start_hub()
    web = WebProc(hall)
    kiosk, rater = hall.node("kiosk-1"), hall.node("rater-1")
    for service in ("A", "A", "B", "C"):
        assert kiosk.request("ticket.take", {"service": service})["ok"]
    assert rater.request("window.login", {"window": 1, "staff": "1001"})["ok"]
    assert rater.request("window.call_next", {"window": 1})["ok"]
    yield hall, web
    web.stop()


def test_every_console_page_is_usable_at_390(day, browser, tmp_path):
    hall, web = day
    page = phone_page(browser)
    browser_login(page, web)
    page.locator("#windows tr").nth(1).wait_for(timeout=15000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(OVERFLOW) == []
    assert page.locator(".topbar h1").evaluate(LINES) <= 2   # not one character per line
    for form in ("#assign", "#move", "#notice"):
        box = page.locator(form).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (form, box)
    pause = page.locator("#windows button[data-window='1']")
    pause.scroll_into_view_if_needed()
    pause.click()                       # the table scrolls inside its panel: still usable
    page.locator("#windows button[data-window='1']", has_text="恢复").wait_for(timeout=15000)
    shot(page, tmp_path, "console-390x844")
    page.goto(web.url + "/manage/figures")
    assert page.evaluate(OVERFLOW) == [], web.log_tail()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, tmp_path, "figures-390x844")
    page.context.close()


def test_the_console_at_1920_breaks_no_header_or_button(day, browser, tmp_path):
    hall, web = day
    page = desk_page(browser)
    browser_login(page, web)
    page.locator("#windows tr").nth(1).wait_for(timeout=15000)
    broken = page.evaluate(f"""() => {{ const lines = {LINES};
      return Array.from(document.querySelectorAll('th, button.act, .pill, .topbar h1'))
        .filter(e => e.offsetParent && lines(e) > 1).map(e => e.textContent); }}""")
    assert broken == []
    shot(page, tmp_path, "console-1920x1080")
    page.context.close()


def test_the_call_screen_fills_a_390_phone_without_inset(day, browser, tmp_path):
    hall, web = day
    status, css = web.get("/static/web.css")
    assert status == 200
    # old WeChat WebViews (before Chrome 87) have no `inset`: the shipped CSS never uses it
    assert not re.search(r"(^|[;{\s])inset\s*:", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    t = hall.node("kiosk-1").request("ticket.take", {"service": "A"})["result"]["ticket"]
    page = phone_page(browser)
    page.goto(f"{web.url}/t/{t['token']}")
    rater = hall.node("rater-1")
    while True:  # the clerk at window 1 works through the queue until this ticket is called
        assert rater.request("window.finish", {"window": 1})["ok"]
        called = rater.request("window.call_next", {"window": 1})["result"]["ticket"]
        if called["no"] == t["no"]:
            break
    page.locator("#called").wait_for(state="visible", timeout=15000)
    assert page.locator("#called").bounding_box() == {"x": 0, "y": 0, "width": 390,
                                                      "height": 844}
    # the hall's longest window name, as the phone shows it
    page.locator(".called-win").evaluate("e => { e.textContent = '12号综合窗口'; }")
    win = page.locator(".called-win").bounding_box()
    assert win["x"] >= 0 and win["x"] + win["width"] <= 390, win
    assert page.locator(".called-win").evaluate(LINES) == 1
    shot(page, tmp_path, "called-12-390x844")
    page.context.close()
