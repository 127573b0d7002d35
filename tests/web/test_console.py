"""The hall manager's console: nothing without login, CSRF and replay refused, a pause from the
console reaches the window's retained state (what its LED and the boards show)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.helpers import eventually
from tests.web import ui

expect = ui.sync_api().expect

MANAGER, PASSWORD = "值班主任", "hall-demo"
VIEWER, VIEWER_PASSWORD = "督查", "hall-view"


def get(url: str):
    req = urllib.request.Request(url)
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(req) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, data: bytes, ctype: str, cookie: str | None = None):
    headers = {"Content-Type": ctype} | ({"Cookie": cookie} if cookie else {})
    req = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.build_opener(NoRedirect()).open(req) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def login(desk, web, name=MANAGER, password=PASSWORD):
    desk.goto(web.url + "/manage")
    assert desk.url.endswith("/manage/login")
    desk.fill("#name", name)
    desk.fill("#password", password)
    desk.click("button[type=submit]")
    desk.wait_for_selector("#windows tr")


def test_anonymous_gets_nothing(web):
    status, headers, _ = get(web.url + "/manage")
    assert status == 303 and headers["location"] == "/manage/login"
    for path in ("/manage/state", "/manage/events"):
        assert get(web.url + path)[0] == 401
    assert get(web.url + "/manage/figures")[0] == 303
    assert get(web.url + "/manage/chart/arrivals.png")[0] == 303
    assert get(web.url + "/manage/bulletin.html")[0] == 303
    body = json.dumps({"action": "pause", "args": {"window": 1}, "csrf": "x",
                       "action_id": "abcdefgh1234"}).encode()
    assert post(web.url + "/manage/action", body, "application/json")[0] == 401
    # a forged session cookie is no session
    assert post(web.url + "/manage/action", body, "application/json",
                "hall_session=forged")[0] == 401


def test_login_is_checked_and_rate_limited(web):
    form = "application/x-www-form-urlencoded"
    status, headers, _ = post(web.url + "/manage/login", b"name=%E5%80%BC&password=x", form)
    assert status == 401
    for _ in range(4):
        post(web.url + "/manage/login", b"name=nobody&password=x", form)
    assert post(web.url + "/manage/login", b"name=nobody&password=x", form)[0] == 401
    status, _, body = post(web.url + "/manage/login", b"name=nobody&password=x", form)
    assert status == 429 and "5 分钟" in body.decode()
    assert post(web.url + "/manage/login", b"x" * 10000, form)[0] == 400


def test_a_pause_from_the_console_reaches_the_window(web, node_client, desk, tmp_path):
    rater = node_client("rater-1")
    rater.request("window.login", {"window": 1, "staff": "1001"})
    kiosk = node_client("kiosk-1")
    for service in ("A", "A", "F", "C"):
        kiosk.request("ticket.take", {"service": service})
    login(desk, web)
    cookies = {c["name"]: c for c in desk.context.cookies()}
    session = cookies["hall_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    pause = desk.locator("#windows button[data-window='1']")
    expect(pause).to_have_text("暂停", timeout=5000)
    pause.click()
    assert eventually(lambda: rater.state.get("window/1", {}).get("status") == "paused")
    expect(desk.locator("#windows button[data-window='1']")).to_have_text("恢复", timeout=5000)
    events = [e for e in web.client.state]  # the retained state the boards read
    assert "window/1" in events
    path = tmp_path / "console-1920x1080.png"
    desk.screenshot(path=str(path))
    print(f"screenshot: {path}")

    # the same action again with a forged CSRF token, and replayed with a used id
    csrf = desk.evaluate("JSON.parse(document.getElementById('boot').textContent).csrf")
    cookie = f"hall_session={session['value']}"
    resume = {"action": "resume", "args": {"window": 1}, "action_id": "resume-0001"}
    status, _, body = post(web.url + "/manage/action",
                           json.dumps(resume | {"csrf": "forged"}).encode(),
                           "application/json", cookie)
    assert status == 403 and rater.state["window/1"]["status"] == "paused"
    status, _, _ = post(web.url + "/manage/action", json.dumps(resume | {"csrf": csrf}).encode(),
                        "application/json", cookie)
    assert status == 200
    assert eventually(lambda: rater.state["window/1"]["status"] == "open")
    status, _, body = post(web.url + "/manage/action", json.dumps(resume | {"csrf": csrf}).encode(),
                           "application/json", cookie)
    assert status == 409 and json.loads(body)["error"]["message"] == "这个操作已经提交过"
    # hostile fields: an unknown action, an oversized body, a form instead of JSON
    for data, ctype in ((json.dumps({"action": "drop", "args": {}, "csrf": csrf,
                                     "action_id": "x" * 12}).encode(), "application/json"),
                        (b"{" + b" " * 5000 + b"}", "application/json"),
                        (b"action=pause", "application/x-www-form-urlencoded")):
        assert post(web.url + "/manage/action", data, ctype, cookie)[0] == 400
    assert rater.state["window/1"]["status"] == "open"


def test_the_pause_is_recorded_with_the_managers_name(web, node_client, hub_service):
    from tests.helpers import rows

    rater = node_client("rater-2")
    rater.request("window.login", {"window": 2, "staff": "1002"})
    status, headers, _ = post(web.url + "/manage/login",
                              f"name={MANAGER}&password={PASSWORD}".encode(),
                              "application/x-www-form-urlencoded")
    assert status == 303
    cookie = headers["set-cookie"].split(";")[0]
    status, _, page = get_with_cookie(web.url + "/manage", cookie)
    csrf = json.loads(page.split('id="boot">')[1].split("</script>")[0])["csrf"]
    body = {"action": "pause", "args": {"window": "2", "reason": "系统维护"}, "csrf": csrf,
            "action_id": "pause-2-0001"}
    assert post(web.url + "/manage/action", json.dumps(body).encode(), "application/json",
                cookie)[0] == 200
    (ev,) = rows(hub_service.db_path, "SELECT node, data FROM events WHERE kind='window' "
                 "AND json_extract(data, '$.action')='pause'")
    assert ev["node"] == "web" and json.loads(ev["data"])["by"] == MANAGER


def get_with_cookie(url, cookie):
    req = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(req) as r:
        return r.status, r.headers, r.read().decode()


def test_a_viewer_only_looks(web, node_client, desk):
    node_client("rater-1").request("window.login", {"window": 1, "staff": "1001"})
    login(desk, web, VIEWER, VIEWER_PASSWORD)
    assert desk.locator("#windows button").count() == 0 and desk.locator("#move").count() == 0


def test_alerts_arrive_live_and_are_acknowledged_by_name(web, hall_config, broker, hall_clock,
                                                         node_client, hub_service, desk,
                                                         tmp_path):
    from tests.helpers import rows
    from wire.client import HubClient

    # a busy hall: windows open, people waiting, one served and rated badly, one node gone
    kiosk = node_client("kiosk-1")
    kiosk.publish_health({"printer": {"paper": "near_end", "simulated": True}})
    for service in "AAAACCDDFFF":
        kiosk.request("ticket.take", {"service": service})
    for n, staff in ((1, "1001"), (4, "1004"), (6, "1006")):
        r = node_client(f"rater-{n}")
        r.request("window.login", {"window": n, "staff": staff})
        r.request("window.call_next", {"window": n})
    r1 = node_client("rater-1")
    r1.request("window.finish", {"window": 1})
    r1.request("rating.submit", {"window": 1, "score": 1, "reasons": ["态度不好"]})
    r1.request("window.call_next", {"window": 1})
    login(desk, web)
    gone = HubClient(hall_config, "rater-9", broker.url, hall_clock)
    gone.start()
    assert gone.wait_connected(5)
    expect(desk.locator("#nodes")).to_contain_text("在线", timeout=5000)
    gone.stop()
    alert = desk.locator(".alert", has_text="设备离线 rater-9")
    expect(alert).to_be_visible(timeout=5000)
    expect(desk.locator("#alerts")).to_contain_text("差评")
    expect(desk.locator("#ratings")).to_contain_text("态度不好")  # the pad's reason
    expect(desk.locator("#nodes")).to_contain_text("模拟设备")
    path = tmp_path / "console-busy-1920x1080.png"
    desk.screenshot(path=str(path))
    print(f"screenshot: {path}")
    alert.locator("button").click()
    expect(desk.locator(".alert.acked", has_text="rater-9")).to_contain_text("已确认 值班主任",
                                                                             timeout=5000)
    (ack,) = rows(hub_service.db_path, "SELECT data FROM events WHERE kind='alert_ack'")
    assert json.loads(ack["data"])["by"] == MANAGER
    # the 差评's follow-up step, recorded from the console with the manager's name
    form = desk.locator("#followups form")
    form.locator("select").select_option("visit")
    form.locator("input[name=note]").fill("已电话回访，群众反映等候时间长")
    form.locator("button").click()
    assert eventually(lambda: rows(hub_service.db_path,
                                   "SELECT data FROM events WHERE kind='follow_up_step'"))
    (step,) = rows(hub_service.db_path, "SELECT data FROM events WHERE kind='follow_up_step'")
    assert json.loads(step["data"])["by"] == MANAGER
    assert json.loads(step["data"])["step"] == "visit"
    expect(desk.locator("#followups .alert > div").first).to_contain_text("· 回访", timeout=5000)


def test_notice_and_move_from_the_console_and_the_figures(web, node_client, desk, tmp_path):
    kiosk = node_client("kiosk-1")
    t = kiosk.request("ticket.take", {"service": "A"})["ticket"]
    board = node_client("board-1")
    rater = node_client("rater-2")
    rater.request("window.login", {"window": 2, "staff": "1002"})
    login(desk, web)
    desk.fill("#notice input[name=text]", "今日 16:00 后暂停受理不动产登记")
    desk.click("#notice button")
    assert eventually(lambda: (board.state.get("board") or {}).get("notice")
                      == "今日 16:00 后暂停受理不动产登记")
    desk.fill("#move input[name=no]", t["no"])
    desk.select_option("#move select[name=service]", "B")
    desk.click("#move button")
    expect(desk.locator("#toast")).to_have_text("已完成", timeout=5000)
    view = node_client("kiosk-1").request("ticket.status", {"no": t["no"]})["ticket"]
    assert view["service"] == "B"
    called = rater.request("window.call_next", {"window": 2})["ticket"]
    assert called["no"] == t["no"] and called["service"] == "B"
    rater.request("window.finish", {"window": 2})
    rater.request("rating.submit", {"window": 2, "score": 5})

    desk.goto(web.url + "/manage/figures")
    expect(desk.locator("h2").nth(0)).to_contain_text("办件与评价统计")
    expect(desk.locator("main")).to_contain_text("2号窗口")
    # the 考核 (report/kaohe.py) beside the figures: the clerk who finished ranks
    expect(desk.locator("section[aria-label=人员考核]")).to_contain_text("1002")
    path = tmp_path / "console-figures-1920x1080.png"
    desk.screenshot(path=str(path))
    print(f"screenshot: {path}")
    with desk.expect_download() as dl:
        desk.click("text=下载 xlsx")
    assert dl.value.suggested_filename == "report-2026-11-23.xlsx"
    with desk.expect_download() as dl:
        desk.click("text=下载 CSV（好差评）")
    csv_path = tmp_path / "ratings.csv"
    dl.value.save_as(csv_path)
    assert t["no"] in csv_path.read_text(encoding="utf-8-sig")
    # hall-report's charts, drawn for the page (real PNGs the browser decoded)
    charts = desk.locator("section.charts img")
    assert charts.count() == 3
    for i in range(3):
        expect(charts.nth(i)).to_have_js_property("complete", True, timeout=20000)
        assert charts.nth(i).evaluate("img => img.naturalWidth") > 400
    with desk.expect_download() as dl:
        desk.click("text=下载月通报")
    bulletin = tmp_path / "bulletin.html"
    dl.value.save_as(bulletin)
    page = bulletin.read_text(encoding="utf-8")
    assert "好差评月度通报" in page and "<h2>窗口考核</h2>" in page
    assert page.count("data:image/png;base64,") == 3
    assert desk.goto(web.url + "/manage/figures?kind=year&period=x").status == 400
    assert desk.goto(web.url + "/manage/chart/nope.png").status == 404


def test_the_manager_closes_the_day_from_the_console(web, node_client, hub_service, desk):
    from tests.helpers import rows

    kiosk = node_client("kiosk-1")
    for service in "AF":
        kiosk.request("ticket.take", {"service": service})
    login(desk, web)
    desk.on("dialog", lambda d: d.accept())
    desk.click("#close-day")
    expect(desk.locator("#toast")).to_have_text("已完成", timeout=5000)
    (ev,) = rows(hub_service.db_path, "SELECT data FROM events WHERE kind='day_closed'")
    data = json.loads(ev["data"])
    assert data["by"] == MANAGER and len(data["closed"]) == 2
    assert eventually(lambda: all(s["waiting"] == 0 for s in
                                  web.client.state["queue"]["services"].values()))
    desk.click("#close-day")   # nothing left: refused, said why
    expect(desk.locator("#toast")).to_have_text("今日没有需要日结的排队号", timeout=5000)
