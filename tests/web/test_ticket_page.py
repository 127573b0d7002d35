"""The citizen's ticket page in a real headless Chromium: a ticket taken at the kiosk, its QR
read from the printed ESC/POS bytes, the page opened from it and changed by a window's call
without a reload."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.helpers import eventually
from tests.kiosk.conftest import KioskRig
from tests.web import ui

expect = ui.sync_api().expect


def take_at_kiosk(web, broker, clock) -> tuple[str, str]:
    """(number, QR payload) of a ticket for service A taken by touch at a kiosk whose config
    names hall-web's public_url."""
    rig = KioskRig(web.cfg, broker.url, clock).start()
    try:
        rig.tap_service("A")
        rig.poll_until(lambda: len(rig.printer.jobs) == 1, what="the ticket printed")
        paper = rig.printer.paper(0)      # parsed from the ESC/POS bytes the printer got
        (qr,) = paper.qr_codes
        no = (rig.node.last_issued or {}).get("no")
        return no or "", qr.content
    finally:
        rig.stop()


def shot(page, tmp_path, name: str) -> str:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=False)
    print(f"screenshot: {path}")
    return str(path)


def test_qr_opens_the_page_and_a_call_changes_it_live(web, broker, hall_clock, node_client,
                                                      phone, tmp_path):
    no, url = take_at_kiosk(web, broker, hall_clock)
    assert url.startswith(web.url + "/t/") and len(url.rsplit("/", 1)[1]) == 22
    resp = phone.goto(url)
    assert resp.status == 200
    phone.wait_for_selector("#no")
    number = phone.inner_text("#no")
    assert number.startswith("A") and (not no or number == no)
    assert "企业开办" in phone.inner_text("#service")
    assert "前面" in phone.inner_text("#ahead")
    assert phone.is_visible("#soon")          # nobody ahead: 即将到号 shows
    assert "1号窗口" in phone.inner_text("#windows")
    phone.evaluate("window.__notReloaded = true")
    shot(phone, tmp_path, "ticket-waiting-390x844.png")

    rater = node_client("rater-1")
    rater.request("window.login", {"window": 1, "staff": "1001"})
    called = rater.request("window.call_next", {"window": 1})["ticket"]
    assert called["no"] == number
    phone.wait_for_selector("#called:not([hidden])", timeout=5000)
    assert phone.inner_text("#called-main").split() == ["请到", "1号窗口", "办理"]
    assert phone.evaluate("window.__notReloaded") is True   # changed without a reload
    shot(phone, tmp_path, "ticket-called-390x844.png")

    rater.request("window.finish", {"window": 1})
    phone.wait_for_selector("#rate:not([hidden])", timeout=5000)
    assert phone.is_hidden("#called")
    phone.click("#levels button[data-score='5']")
    phone.click("#rate-send")
    expect(phone.locator("#status")).to_contain_text("已评价", timeout=5000)
    expect(phone.locator("#rate")).to_be_hidden()
    shot(phone, tmp_path, "ticket-rated-390x844.png")


def test_cancel_from_the_page(web, node_client, phone, tmp_path):
    kiosk = node_client("kiosk-1")
    t = kiosk.request("ticket.take", {"service": "C"})["ticket"]
    phone.goto(f"{web.url}/t/{t['token']}")
    phone.wait_for_selector("#cancel:not([hidden])")
    phone.on("dialog", lambda d: d.accept())
    phone.click("#cancel")
    expect(phone.locator("#status")).to_contain_text("取消排队", timeout=5000)
    expect(phone.locator("#cancel")).to_be_hidden()
    shot(phone, tmp_path, "ticket-cancelled-390x844.png")
    # the number is gone for good
    rater = node_client("rater-4")
    rater.request("window.login", {"window": 4, "staff": "1004"})
    assert rater.request("window.call_next", {"window": 4})["ticket"] is None


@pytest.mark.parametrize("path", ["/t/A001", "/t/20261123-A001", "/t/" + "A" * 22,
                                  "/t/" + "A" * 400, "/t/%3Cscript%3E", "/t/demo-A001"])
def test_a_url_not_from_a_ticket_shows_nothing(web, node_client, phone, path):
    node_client("kiosk-1").request("ticket.take", {"service": "A"})
    resp = phone.goto(web.url + path)
    assert resp.status == 404
    assert "A001" not in phone.content() and phone.query_selector("#no") is None


def test_state_endpoint_and_bad_posts(web, node_client):
    t = node_client("kiosk-1").request("ticket.take", {"service": "A"})["ticket"]
    with urllib.request.urlopen(f"{web.url}/t/{t['token']}/state") as r:
        body = json.load(r)
    assert body["ticket"]["no"] == t["no"] and "ticket_id" not in body["ticket"]

    def post(path, data: bytes, ctype="application/json"):
        req = urllib.request.Request(web.url + path, data=data, method="POST",
                                     headers={"Content-Type": ctype})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    base = f"/t/{t['token']}"
    assert post(base + "/cancel", b"reason=x", "application/x-www-form-urlencoded")[0] == 415
    assert post(base + "/cancel", b"[1]")[0] == 400
    assert post(base + "/cancel", b"{" + b" " * 5000 + b"}")[0] == 413
    assert post(base + "/rate", json.dumps({"score": 5}).encode())[0] == 409   # not finished
    assert post(base + "/cancel", json.dumps({"reason": "<b>x</b>"}).encode())[0] == 400
    status, body = post("/t/" + "B" * 22 + "/cancel", b"{}")
    assert status == 404 and body["error"]["code"] == "no_ticket"
    assert eventually(lambda: True)


def test_each_state_shows_what_to_do(web, node_client, phone, tmp_path):
    kiosk = node_client("kiosk-1")
    t = kiosk.request("ticket.take", {"service": "A"})["ticket"]
    for _ in range(5):
        kiosk.request("ticket.take", {"service": "A"})
    later = kiosk.request("ticket.take", {"service": "A"})["ticket"]
    phone.goto(f"{web.url}/t/{later['token']}")
    expect(phone.locator("#ahead")).to_have_text("前面还有 6 人")
    expect(phone.locator("#soon")).to_be_hidden()   # more than soon_ahead (3) wait ahead
    expect(phone.locator("#est")).to_contain_text("预计等候约")
    shot(phone, tmp_path, "ticket-six-ahead-390x844.png")

    phone.goto(f"{web.url}/t/{t['token']}")
    rater = node_client("rater-2")
    rater.request("window.login", {"window": 2, "staff": "1002"})
    steps = [
        ("window.call_next", {}, "请到 2号窗口 办理", "called"),
        ("window.hold", {}, "挂起", "held"),
        ("window.call_back", {"no": t["no"]}, "请到 2号窗口 办理", "called-back"),
        ("window.transfer", {"service": "B"}, "已转办：工程建设项目", "transferred"),
    ]
    for op, args, text, name in steps:
        rater.request(op, {"window": 2} | args)
        expect(phone.locator("#status")).to_contain_text(text, timeout=5000)
        shot(phone, tmp_path, f"ticket-{name}-390x844.png")
    expect(phone.locator("#service")).to_have_text("工程建设项目")
    rater.request("window.call", {"window": 2, "no": t["no"], "reason": "转办"})
    rater.request("window.skip", {"window": 2})
    expect(phone.locator("#status")).to_contain_text("过号", timeout=5000)
    expect(phone.locator("#called")).to_be_hidden()
    expect(phone.locator("#cancel")).to_be_visible()   # a skipped ticket may still be cancelled
    shot(phone, tmp_path, "ticket-skipped-390x844.png")


def test_without_eventsource_the_page_polls(web, node_client, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    ctx.add_init_script("delete window.EventSource;")   # a WeChat view without SSE
    page = ctx.new_page()
    try:
        t = node_client("kiosk-1").request("ticket.take", {"service": "D"})["ticket"]
        page.goto(f"{web.url}/t/{t['token']}")
        assert page.evaluate("typeof window.EventSource") == "undefined"
        rater = node_client("rater-6")
        rater.request("window.login", {"window": 6, "staff": "1006"})
        rater.request("window.call_next", {"window": 6})
        expect(page.locator("#called")).to_be_visible(timeout=8000)
    finally:
        ctx.close()


def test_the_page_catches_up_after_the_network_drops(web, node_client, phone):
    t = node_client("kiosk-1").request("ticket.take", {"service": "E"})["ticket"]
    phone.goto(f"{web.url}/t/{t['token']}")
    expect(phone.locator("#soon")).to_be_visible()
    phone.context.set_offline(True)
    rater = node_client("rater-8")
    rater.request("window.login", {"window": 8, "staff": "1008"})
    rater.request("window.call_next", {"window": 8})
    phone.context.set_offline(False)
    expect(phone.locator("#called-main")).to_contain_text("8号窗口", timeout=10000)
