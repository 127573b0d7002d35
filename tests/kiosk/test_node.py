"""The kiosk node end to end: real Mosquitto, the real hub (SQLite), a real HubClient, the
simulated printer and an offscreen screen, driven by touches and poll()."""

from __future__ import annotations

import copy
import json
import threading
import tomllib
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from devices.printer.interface import PrinterError
from devices.printer.simulated import SimulatedPrinter
from kiosk import strings as S
from tests.kiosk.full_day import slow_f_hub
from wire.clock import HallClock
from wire.config import parse_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def out(pictures):
    """Where this module leaves the pictures a person should look at."""
    return pictures("kiosk")


def retained(broker, topic: str, timeout: float = 3.0) -> dict | None:
    """The retained payload on ``topic`` as a fresh subscriber sees it."""
    got: list = []
    done = threading.Event()

    def on_message(_c, _u, msg):
        got.append(json.loads(msg.payload))
        done.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = on_message
    client.on_connect = lambda c, *_: c.subscribe(topic, 1)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        done.wait(timeout)
    finally:
        client.loop_stop()
        client.disconnect()
    return got[-1] if got else None


def hub_ticket(hub, no: str) -> dict:
    return hub.service.request_local("kiosk-1", "ticket.status", {"no": no})


def test_touch_prints_the_number_the_hub_issued(out, kiosk, hub_service):
    k = kiosk.start()
    k.node.save_png(f"{out}/node-home.png")
    k.tap_service("A")
    k.poll_until(lambda: k.node.view == "result", what="the result screen")
    no = k.node.shown["no"]
    assert no == "A001" and k.node.shown["print_failed"] is False

    job = k.printer.jobs[0]
    text = job.data.decode("gbk", errors="replace")
    assert "示范县政务服务中心" in text and "企业开办" in text and no in text
    assert no in k.printer.paper(0).text_lines           # the number on paper = on screen
    reply = hub_ticket(hub_service, no)
    assert reply["ok"] and reply["result"]["ticket"]["no"] == no

    timing = k.record["timing"][0]
    assert timing.touch <= timing.bytes_out <= job.at and timing.no == no
    k.node.save_png(f"{out}/node-result.png")
    k.printer.render_png(f"{out}/node-ticket.png", 0)


def test_live_waiting_counts_follow_the_hub(kiosk):
    k = kiosk.start()
    assert k.node.counts.get("D") == 0
    k.node.choose_service("D")
    k.poll_until(lambda: k.node.view == "result")
    k.poll_until(lambda: k.node.counts.get("D") == 1, what="state/queue to count the ticket")


def test_green_channel_touch(kiosk):
    k = kiosk.start()
    k.node.poll()
    [elderly] = [b for b in k.node.views.buttons if b.action == ("priority", "elderly")]
    x, y, w, h = elderly.rect
    k.node.touch(x + w // 2, y + h // 2)
    k.node.poll()
    assert k.node.priority == "elderly"
    k.tap_service("C")
    k.poll_until(lambda: k.node.view == "result")
    assert k.record["issued"][0]["priority"] == "elderly"
    assert k.node.last_issued == k.record["issued"][-1]
    assert "绿色通道：老年人" in k.printer.paper(0).text_lines
    assert k.node.priority is None   # the next citizen starts without it


def test_paper_out_takes_no_ticket(out, kiosk, hub_service, broker):
    k = kiosk.start()
    k.printer.set_status(paper="out")
    k.tap_service("A")
    k.node.poll()
    assert k.node.view == "message" and k.node.message[0] == S.PAPER_OUT_TITLE
    assert k.printer.output == b"" and k.record["issued"] == []
    assert hub_ticket(hub_service, "A001")["error"]["code"] == "no_ticket"
    health = retained(broker, "hall/demo/node/kiosk-1/health")
    assert health["printer"]["paper"] == "out" and health["printer"]["state"] == "out"
    k.node.save_png(f"{out}/node-paper-out.png")

    k.printer.set_status(paper="ok")                    # refilled: the first number is A001
    assert k.node.choose_service("A")
    k.poll_until(lambda: k.node.view == "result")
    assert k.node.shown["no"] == "A001"
    assert retained(broker, "hall/demo/node/kiosk-1/health")["printer"]["paper"] == "ok"


def test_unknown_printer_status_still_prints(hub_service, rig_factory, broker):
    k = rig_factory(printer=SimulatedPrinter(answers_status=False)).start()
    assert k.node.choose_service("G")
    k.poll_until(lambda: k.node.view == "result")
    assert k.node.shown["print_failed"] is False and len(k.printer.jobs) == 1
    health = retained(broker, "hall/demo/node/kiosk-1/health")
    assert health["printer"]["state"] == "unknown" and health["printer"]["paper"] == "unknown"


class JammedPrinter(SimulatedPrinter):
    """Says it is fine, then fails the write (a USB error mid-job)."""

    def write(self, data: bytes) -> None:
        raise PrinterError("USB write timed out")


def test_print_failure_after_issue_shows_the_number_and_reports_it(out, hall_config, broker,
                                                                    hall_clock, hub_service,
                                                                    rig_factory):
    k = rig_factory(printer=JammedPrinter()).start()
    k.tap_service("B")
    k.poll_until(lambda: k.node.view == "result")
    assert k.node.shown == {"no": "B001", "service_name": "工程建设项目",
                            "lines": k.node.shown["lines"], "print_failed": True}
    assert hub_ticket(hub_service, "B001")["ok"]
    health = retained(broker, "hall/demo/node/kiosk-1/health")
    assert health["last_print_failure"]["no"] == "B001"
    k.node.save_png(f"{out}/node-print-failed.png")


def test_hub_unreachable_shows_no_number(out, hall_config, broker, hall_clock, rig_factory):
    k = rig_factory().start(wait_state=False)            # a broker but no hub
    k.node.request_timeout_s = 1.0
    assert k.node.choose_service("A")
    k.poll_until(lambda: k.node.view == "message", timeout=5)
    assert k.node.message[0] == S.UNREACHABLE_TITLE
    assert k.node.shown is None and k.record["issued"] == [] and k.printer.output == b""
    k.node.save_png(f"{out}/node-unreachable.png")


def test_no_broker_refuses_before_asking(hall_config, hall_clock, rig_factory):
    from hallsim.broker import free_port

    k = rig_factory(broker_url=f"mqtt://127.0.0.1:{free_port()}")
    k.client.start()
    k.node.start()
    k.node.poll()
    assert k.node.choose_service("A") is False
    assert k.node.message[0] == S.UNREACHABLE_TITLE and k.printer.output == b""


def test_closed_outside_hours(out, hall_config, broker, hub_service, rig_factory):
    lunch = HallClock(hall_config.tz, "2026-11-23T12:30:00+08:00")
    k = rig_factory(clock=lunch).start()
    k.node.save_png(f"{out}/node-closed.png")
    assert k.node.views.buttons == [] or all(b.action[0] != "service" for b in k.node.views.buttons)
    assert k.node.choose_service("A") is False
    assert k.node.message[0] == S.CLOSED_TITLE and k.printer.output == b""
    assert hub_ticket(hub_service, "A001")["error"]["code"] == "no_ticket"


def test_unknown_booking_code_is_refused_with_the_hubs_words(kiosk):
    k = kiosk.start()
    k.node.poll()
    for action in [("check_in",), ("key", "9"), ("key", "8"), ("key", "7"), ("key", "delete"),
                   ("key", "6"), ("key", "ok"), ("check_in_service", "C")]:
        [b] = [b for b in k.node.views.buttons if b.action == action]
        x, y, w, h = b.rect
        k.node.touch(x + w // 2, y + h // 2)
        k.node.poll()
    k.poll_until(lambda: k.node.view == "message")
    assert k.node.message[0] == S.REFUSED_TITLE and "986" in k.node.message[1][0]
    assert k.printer.output == b"" and k.record["issued"] == []


def test_bad_input_changes_nothing(kiosk):
    k = kiosk.start()
    queries = k.printer.status_queries
    with pytest.raises(ValueError):
        k.node.choose_service("Z")
    with pytest.raises(ValueError):
        k.node.choose_service("A", priority="vip")
    with pytest.raises(ValueError):
        k.node.check_in("  ", "A")
    k.node.poll()
    assert k.node.view == "home" and k.printer.status_queries == queries
    assert k.record["issued"] == [] and k.printer.output == b""


@pytest.fixture
def capped_hall():
    data = tomllib.loads((ROOT / "examples" / "hall.toml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    for svc in data["services"]:
        if svc["id"] == "H":
            svc["daily_cap"] = 1
    return parse_config(data, "capped.toml")


def test_capped_service(out, capped_hall, broker, hall_clock, tmp_path, rig_factory):
    from hub.service import HubService

    hub = HubService(capped_hall, str(tmp_path / "hall.db"), broker.url, hall_clock)
    hub.start()
    try:
        assert hub.wait_ready(5)
        k = rig_factory(cfg=capped_hall).start()
        assert k.node.choose_service("H")
        k.poll_until(lambda: k.node.view == "result")
        k.node.views.home()
        assert k.node.choose_service("H")
        k.poll_until(lambda: k.node.view == "message")
        assert k.node.message[0] == S.CAPPED_TITLE and len(k.printer.jobs) == 1
        k.node.views.home()
        k.node.poll()
        assert "H" in k.node.capped
        k.node.save_png(f"{out}/node-capped-home.png")
    finally:
        hub.stop()


def test_a_simulated_kiosk_says_so_in_its_health(kiosk, broker):
    kiosk.start()
    health = retained(broker, "hall/demo/node/kiosk-1/health")
    assert health["simulated"] is True
    assert health["printer"]["simulated"] is True and health["printer"]["backend"] == "simulated"
    assert health["screen"] == {"state": "ok", "backend": "offscreen", "simulated": True}


def test_full_service_says_so_and_offers_a_later_day(broker, hall_clock, tmp_path,
                                                     rig_factory):
    with slow_f_hub("refuse", "full.toml", broker, hall_clock, tmp_path) as (cfg, _hub):
        k = rig_factory(cfg=cfg).start()
        k.take("F", 2)
        assert k.node.choose_service("F")
        k.poll_until(lambda: k.node.view == "message")
        title, lines, _ = k.node.message
        assert title == S.FULL_TITLE and len(k.printer.jobs) == 2
        assert lines[0].startswith("今日该事项已约满，预计无法在下班前办理")
        assert "可预约11月24日" in lines[0]


def test_a_warned_ticket_says_the_day_may_not_reach_it_and_offers_a_later_day(
        broker, hall_clock, tmp_path, rig_factory, out):
    with slow_f_hub("warn", "warn.toml", broker, hall_clock, tmp_path) as (cfg, _hub):
        k = rig_factory(cfg=cfg).start()
        for n in range(3):
            assert k.node.choose_service("F")
            k.poll_until(lambda: k.node.view == "result")
            lines = k.node.views.shown["lines"]
            if n < 2:
                assert not any("约满" in line for line in lines)
                k.node.views.home()
        assert len(k.printer.jobs) == 3   # warned, not refused: the ticket is printed
        assert lines[-1].startswith("今日该事项已约满，预计无法在下班前办理")
        assert "可预约11月24日 09:00起办理" in lines[-1]
        k.node.poll()
        k.node.save_png(f"{out}/node-warned-ticket.png")
