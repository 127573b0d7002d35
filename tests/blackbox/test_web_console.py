"""The console tells the truth about the hall (issue 24.4): the hub away, devices as they
report themselves, every device alert in sight, sessions across a hall-web restart, bad form
input refused at once, and a login limit one guesser cannot turn against the manager.

The hub is the real one, stopped by a signal, or played by a raw paho client with the hub's
broker user; the console is driven by its HTTP forms and read in Debian's Chromium."""

from __future__ import annotations

import json
import re

from .outside import HALL, wait_for
from .web_parts import (
    MANAGER,
    ManagerHttp,
    PlayedHub,
    WebProc,
    browser_login,
    desk_page,
    login_from,
    shot,
)

CJK = re.compile(r"[\u4e00-\u9fff]")



def test_the_hub_away_shows_at_once_and_actions_are_refused_in_chinese(make_hall, browser,
                                                                       tmp_path):
    hall = make_hall()
    hub = hall.start_hub()
    web = WebProc(hall)
    manager = ManagerHttp(web)
    wait_for(lambda: manager.state().get("hub_online") is True, 15, "the hub online")
    page = desk_page(browser)
    browser_login(page, web)
    hub.terminate()  # the hub's unit stops: its retained status says offline
    hub.wait(10)
    wait_for(lambda: manager.state().get("hub_online") is False, 15, "the console to see it")
    page.locator("#hub-offline").wait_for(state="visible", timeout=15000)
    assert "中枢离线" in page.locator("#hub-offline").inner_text()
    assert page.locator("#close-day").is_disabled()
    shot(page, tmp_path, "console-hub-offline-1920")
    status, answer = manager.action("notice", {"text": "今天下午系统维护"})
    assert status == 503 and "中枢离线" in answer["error"]["message"], answer
    page.context.close()
    web.stop()


def test_a_hub_that_does_not_answer_is_told_in_chinese(make_hall):
    hall = make_hall()
    hub = hall.start_hub()
    web = WebProc(hall)
    manager = ManagerHttp(web)
    wait_for(lambda: manager.state().get("hub_online") is True, 15, "the hub online")
    hub.send_signal(19)  # SIGSTOP: a stalled hub; its status still says online
    try:
        status, answer = manager.action("notice", {"text": "今天下午系统维护"})
        assert status == 503 and CJK.search(answer["error"]["message"]), answer
        assert manager.state()["hub_online"] is False  # seen at the first unanswered request
    finally:
        hub.send_signal(18)
    web.stop()


def test_nodes_report_their_own_devices_and_every_device_alert_stays_in_sight(make_hall,
                                                                             browser, tmp_path):
    hall = make_hall()
    hub = PlayedHub(hall)
    kiosk = hall.node("kiosk-1")
    board = hall.node("board-1")
    for node, sim in ((kiosk, False), (board, True)):
        node.client.publish(f"hall/{HALL}/node/{node.user}/status",
                            '{"online": true, "version": "0.1.0"}', qos=1,
                            retain=True).wait_for_publish(10)
        health = {"simulated": sim, "printer": {"backend": "escpos", "paper": "ok",
                                                "simulated": sim}}
        node.client.publish(f"hall/{HALL}/node/{node.user}/health", json.dumps(health), qos=1,
                            retain=True).wait_for_publish(10)
    web = WebProc(hall)
    manager = ManagerHttp(web)
    device = [hub.event("alert", {"kind": "node_offline", "node": "rater-3"}),
              hub.event("alert", {"kind": "printer_paper", "node": "kiosk-1"}),
              hub.event("alert", {"kind": "node_offline", "node": "rater-5"})]
    for n in range(40):
        hub.event("alert", {"kind": "wait_over_limit", "no": f"A{n + 1:03d}", "waited_s": 1900})

    def groups():
        got = {g["kind"]: g for g in manager.state().get("alert_groups", [])}
        return got if sum(len(g["alerts"]) + g["more"] for g in got.values()) == 43 else None
    got = wait_for(groups, 15, "the console to hold all 43 alerts")
    assert sorted(a["seq"] for k in ("node_offline", "printer_paper")
                  for a in got[k]["alerts"]) == device
    assert got["wait_over_limit"]["unacked"] == 40 and got["wait_over_limit"]["more"] > 0
    nodes = {n["node"]: n for n in manager.state()["nodes"]}
    assert nodes["kiosk-1"]["simulated"] is False and nodes["board-1"]["simulated"] is True
    page = desk_page(browser)
    browser_login(page, web)
    page.locator("#alerts").get_by_text("rater-3").wait_for(timeout=15000)
    assert "另有" in page.locator("#alerts").inner_text()
    shot(page, tmp_path, "console-alert-groups-1920")
    page.context.close()
    web.stop()
    hub.close()


def test_a_restart_of_hall_web_keeps_the_manager_logged_in(make_hall, browser, tmp_path):
    hall = make_hall()
    hall.start_hub()
    web = WebProc(hall)
    manager = ManagerHttp(web)
    page = desk_page(browser)
    browser_login(page, web)
    web.stop()
    web.start()
    assert manager.state()["windows"]  # the same cookie, no new login
    status, answer = manager.action("notice", {"text": "欢迎来到政务服务中心"})
    assert status == 200 and answer["ok"], answer
    page.reload()
    assert page.url == web.url + "/manage"
    page.locator("#windows tr").nth(1).wait_for(timeout=15000)
    shot(page, tmp_path, "console-after-restart-1920")
    page.context.close()
    web.stop()


def test_a_tab_or_newline_in_a_form_field_is_refused_at_once(make_hall):
    hall = make_hall()
    hall.start_hub()
    web = WebProc(hall)
    manager = ManagerHttp(web)
    for args in ({"text": "上午\t下午"}, {"no": "A0\n1", "service": "B"}):
        status, answer = manager.action("notice" if "text" in args else "move", args)
        assert status == 400 and "控制字符" in answer["error"]["message"], answer
    assert manager.state()["notice"] != "上午 下午"
    web.stop()


def test_one_guesser_does_not_lock_the_manager_out(make_hall):
    hall = make_hall()
    hall.start_hub()
    web = WebProc(hall)
    for _ in range(5):
        assert login_from(web, "127.0.0.2", MANAGER[0], "guess") == 401
    assert login_from(web, "127.0.0.2", MANAGER[0], "guess") == 429
    assert login_from(web, "127.0.0.1", *MANAGER) == 303  # the manager at the hall's desk
    web.stop()
