"""End to end: the window node with simulated GPIO pads, a real Mosquitto, the real hub and its
SQLite file. Key presses are real edges on simulated pins, through the key rule."""

from __future__ import annotations

import itertools
import time

import pytest

from devices.gpio.keypad import SIGNAL_PATTERNS
from devices.recorder import Recording
from rater import strings, view
from rater.app import build
from rater.login import LoginState
from tests.helpers import rows
from wire.clock import HallClock

pytestmark = pytest.mark.timeout(60)


def pump(node, predicate, timeout=5.0):
    """poll() the node until ``predicate()`` holds (or fail after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        node.poll()
        if predicate():
            return True
        time.sleep(0.01)
    raise AssertionError(f"not reached within {timeout} s; the clerk was told "
                         f"{node.clerk_message!r}, session {node.session.state}")


def settle(node, timeout=10.0):
    """poll() until the node has nothing in flight: every press handled, every request it sent
    answered and the answer handled. The hub publishes what an op caused before its answer, so
    events that might (wrongly) come have arrived by then too."""
    def quiet():
        kinds = [e[1] for e in node.timeline]
        return (len(node.inbox) == 0 and kinds.count("sent") == kinds.count("answer")
                and node.ratings_sent == node.ratings_answered)
    pump(node, quiet, timeout)


class Hands:
    """Presses keys on a node's simulated pads at explicit, increasing times."""

    def __init__(self, node):
        self.node = node
        self.t = itertools.count(1000)

    def tap(self, key, digit=None, pad=None):
        pad = pad or (self.node.pad if key.startswith("rate_") else self.node.keypad)
        pad.pins.tap(pad.pin_of(key, digit), at=float(next(self.t)))

    def type_number(self, number):
        for ch in number:
            self.tap("digit", int(ch))


@pytest.fixture
def kiosk(node_client, hub_service):
    return node_client("kiosk-1")


def make_node(hall_config, broker, hall_clock, **devices):
    table = {"screen": {"backend": "offscreen"}} | devices
    node = build(hall_config, "rater-3", broker.url, hall_clock, headless=True, simulate=True,
                 devices=table)
    node.record = Recording()  # the ratings it sent and their answers (it keeps no list)
    node.attach(node.record)
    return node


@pytest.fixture
def node(hall_config, broker, hall_clock, hub_service):
    """Window 3 with 王芳 (1003) logged in by default, simulated pads and an offscreen screen."""
    n = make_node(hall_config, broker, hall_clock, staff="1003")
    n.start()
    pump(n, lambda: n.online and (n.staff or {}).get("number") == "1003")
    yield n
    n.stop()


def call_and_finish(node, hands, kiosk, service="B"):
    no = kiosk.request("ticket.take", {"service": service})["ticket"]["no"]
    hands.tap("call_next")
    pump(node, lambda: node.clerk_message == strings.CLERK["called"].format(no=no))
    hands.tap("finish")
    pump(node, lambda: node.session.state == "inviting")  # from the event, before the answer
    settle(node)  # the finish answered too: the node takes the next clerk key
    return no


def test_call_key_calls_the_next_ticket_at_this_window(node, kiosk):
    hands = Hands(node)
    no = kiosk.request("ticket.take", {"service": "B"})["ticket"]["no"]
    hands.tap("call_next")
    # the window's state reaches the kiosk and the answer reaches the window by two paths:
    # wait for both, then check what the clerk heard and saw
    pump(node, lambda: (kiosk.state.get("window/3", {}).get("serving") or {}).get("no") == no
         and node.clerk_message == f"已呼叫 {no}")
    assert node.keypad.pins.played[-1][2] == SIGNAL_PATTERNS["ok"]


def test_finish_then_one_press_records_exactly_one_rating_with_window_and_staff(
        node, kiosk, hub_service):
    hands = Hands(node)
    no = call_and_finish(node, hands, kiosk)
    assert node.pad.led_modes["rate_4"] == "blink"
    hands.tap("rate_4")
    pump(node, lambda: len(node.record["rating_answer"]) == 1)
    hands.tap("rate_5")  # a second press: ignored until the next finish
    settle(node)
    assert node.record["submitted"] == [{"window": 3, "score": 4}]
    got = rows(hub_service.db_path, "select * from ratings")
    assert [(r["no"], r["window"], r["staff"], r["score"], r["channel"]) for r in got] == \
        [(no, 3, "1003", 4, "PJQ")]
    assert node.pad.led_modes["rate_4"] == "on" and node.pad.led_modes["rate_5"] == "off"


def test_bad_rating_with_reasons_opens_a_follow_up_case(node, kiosk, hub_service,
                                                        pictures):
    hands = Hands(node)
    no = call_and_finish(node, hands, kiosk)
    hands.tap("rate_2")
    pump(node, lambda: node.session.state == "reasons")
    node.screen.save_png(f"{pictures('rater')}/node_reasons.png")
    buttons = view.reason_buttons(node.screen.size)
    for i in (1, 5):  # 效率低, then 提交
        x, y, w, h = buttons[i]
        node.screen.inject_touch(x + w // 2, y + h // 2)
        node.poll()
    pump(node, lambda: len(node.record["rating_answer"]) == 1)
    follow = rows(hub_service.db_path, "select * from follow_ups")
    assert [(f["no"], f["window"], f["staff"], f["score"]) for f in follow] == \
        [(no, 3, "1003", 2)]
    assert "效率低" in follow[0]["reasons"]
    assert node.record["submitted"] == [{"window": 3, "score": 2, "reasons": ["效率低"]}]


def test_bad_rating_without_screen_is_sent_at_once(hall_config, broker, hall_clock, hub_service,
                                                  kiosk):
    n = make_node(hall_config, broker, hall_clock, staff="1003", screen={"backend": "none"})
    n.start()
    try:
        pump(n, lambda: n.online and n.staff is not None)
        hands = Hands(n)
        call_and_finish(n, hands, kiosk)
        hands.tap("rate_1")
        pump(n, lambda: len(n.record["rating_answer"]) == 1)
        assert n.record["submitted"] == [{"window": 3, "score": 1}]
        assert len(rows(hub_service.db_path, "select * from follow_ups")) == 1
    finally:
        n.stop()


def test_press_outside_an_invitation_changes_nothing(node, kiosk, hub_service):
    hands = Hands(node)
    hands.tap("rate_5")
    kiosk.request("ticket.take", {"service": "B"})
    hands.tap("call_next")
    hands.tap("rate_5")  # called, not finished: still no invitation
    settle(node)
    assert node.record["submitted"] == [] and rows(hub_service.db_path, "select * from ratings") == []


def test_rating_keys_on_the_clerk_keypad_do_not_rate(hall_config, broker, hall_clock,
                                                     hub_service, kiosk):
    """The clerk cannot rate: only the citizen's pad submits."""
    n = make_node(hall_config, broker, hall_clock, staff="1003",
                  keypad={"keys": {"call_next": 1, "finish": 2, "rate_5": 3}})
    n.start()
    try:
        pump(n, lambda: n.online and n.staff is not None)
        hands = Hands(n)
        call_and_finish(n, hands, kiosk)
        hands.tap("rate_5", pad=n.keypad)
        settle(n)
        assert n.record["submitted"] == [] and n.session.state == "inviting"
    finally:
        n.stop()


def test_a_press_with_20ms_of_bounce_calls_once(node, kiosk):
    first = kiosk.request("ticket.take", {"service": "B"})["ticket"]["no"]
    second = kiosk.request("ticket.take", {"service": "B"})["ticket"]["no"]
    pin = node.keypad.pin_of("call_next")
    t = 5000.0
    node.keypad.pins.drive_sequence(pin, [
        (t, 0), (t + 0.002, 1), (t + 0.004, 0), (t + 0.009, 1), (t + 0.013, 0), (t + 0.017, 1),
        (t + 0.020, 0), (t + 0.400, 1), (t + 0.403, 0), (t + 0.408, 1), (t + 0.420, 0),
        (t + 0.421, 1)])
    pump(node, lambda: node.clerk_message == f"已呼叫 {first}")
    settle(node)
    assert [e[2] for e in node.timeline if e[1] == "key"] == ["call_next"]
    assert [e[2] for e in node.timeline if e[1] == "sent"].count("window.call_next") == 1
    assert kiosk.request("ticket.status", {"no": second})["ticket"]["status"] == "waiting"


def test_clerk_logs_in_by_typing_the_staff_number(hall_config, broker, hall_clock, hub_service,
                                                  kiosk):
    n = make_node(hall_config, broker, hall_clock)  # no default staff
    n.start()
    try:
        pump(n, lambda: n.online)
        hands = Hands(n)
        hands.tap("login")
        hands.type_number("2001")  # 郑华, the B post of windows 1–3
        hands.tap("login")
        pump(n, lambda: (n.staff or {}).get("number") == "2001")
        settle(n)
        assert n.keypad.pins.played[-1][2] == SIGNAL_PATTERNS["ok"]
        hands.tap("login")
        hands.type_number("1003")
        hands.tap("login")  # the window is taken: refused with the hub's reason
        pump(n, lambda: n.keypad.pins.played[-1][2] == SIGNAL_PATTERNS["refused"])
        assert n.clerk_message.startswith("操作被拒绝")
    finally:
        n.stop()


def test_a_default_login_the_hub_never_answered_is_sent_again(
        hall_config, broker, hall_clock, tmp_path, monkeypatch):
    """The node boots before the hub: its first login goes unanswered; the window must still
    open once the hub is up, not stay closed until a clerk logs in by hand."""
    from hub.service import HubService
    from rater import node as rater_node

    monkeypatch.setattr(rater_node, "CLERK_TIMEOUT_S", 0.6)
    monkeypatch.setattr(rater_node, "LOGIN_RETRY_S", 0.2)
    n = make_node(hall_config, broker, hall_clock, staff="1003")
    n.start()
    hub = None
    try:
        pump(n, lambda: n.online)
        # the first login times out: no hub
        pump(n, lambda: ("answer", "window.login", False) in [e[1:] for e in n.timeline])
        assert n.staff is None and n.login.state is not LoginState.DONE
        hub = HubService(hall_config, str(tmp_path / "hall.db"), broker.url, hall_clock)
        hub.start()
        assert hub.wait_ready(10)
        pump(n, lambda: (n.staff or {}).get("number") == "1003")
        assert rows(tmp_path / "hall.db", "select count(*) n from events where kind = 'window' "
                    "and json_extract(data, '$.action') = 'login'"
                    ) == [{"n": 1}]
    finally:
        n.stop()
        if hub is not None:
            hub.stop()


def test_nobody_waiting_is_a_refusal_beep(node):
    hands = Hands(node)
    hands.tap("call_next")
    pump(node, lambda: node.clerk_message == strings.CLERK["nobody"])
    assert node.keypad.pins.played[-1][2] == SIGNAL_PATTERNS["refused"]


def test_broker_loss_refuses_clerk_keys_and_delivers_a_rating_once(node, kiosk, broker,
                                                                   hub_service, pictures):
    hands = Hands(node)
    no = call_and_finish(node, hands, kiosk)
    broker.kill()
    pump(node, lambda: not node.online)
    kiosk_sent = len(node.timeline)
    hands.tap("call_next")
    node.poll()
    assert node.clerk_message == strings.CLERK["offline"]
    assert node.keypad.pins.played[-1][2] == SIGNAL_PATTERNS["refused"]
    assert not [e for e in list(node.timeline)[kiosk_sent:] if e[1] == "sent"]
    hands.tap("rate_5")
    node.poll()
    assert node.record["submitted"][0]["score"] == 5 and "pressed_at" in node.record["submitted"][0]
    node.screen.save_png(f"{pictures('rater')}/node_offline.png")
    broker.restart()
    pump(node, lambda: len(node.record["rating_answer"]) == 1, timeout=15)
    args, result, exc = node.record["rating_answer"][0]
    assert exc is None, exc
    got = rows(hub_service.db_path, "select * from ratings")
    assert [(r["no"], r["score"]) for r in got] == [(no, 5)]


def test_transfer_pause_hold_and_call_back_from_the_keypad(node, kiosk, pictures):
    hands = Hands(node)
    first = kiosk.request("ticket.take", {"service": "B"})["ticket"]["no"]
    hands.tap("call_next")
    pump(node, lambda: node.clerk_message == f"已呼叫 {first}")
    hands.tap("transfer")
    node.poll()
    assert "1.企业开办" in node.clerk_message
    hands.tap("digit", 1)
    pump(node, lambda: node.clerk_message == "已转移至 企业开办")
    status = kiosk.request("ticket.status", {"no": first})["ticket"]
    assert (status["service"], status["status"]) == ("A", "waiting")

    second = kiosk.request("ticket.take", {"service": "B"})["ticket"]["no"]
    hands.tap("call_next")
    pump(node, lambda: node.clerk_message == f"已呼叫 {second}")
    hands.tap("hold")
    pump(node, lambda: node.desk.held == [second])  # from the `held` event, before the answer
    settle(node)  # a key while the hold is unanswered would be refused as busy
    hands.tap("call_back")
    pump(node, lambda: node.clerk_message == f"已呼叫 {second}" and node.desk.held == [])
    hands.tap("finish")
    pump(node, lambda: node.session.state == "inviting")
    settle(node)

    hands.tap("pause")
    pump(node, lambda: node.paused and node.keypad.led_modes["paused"] == "on")
    settle(node)  # the pause answered: the next key is taken, not refused as busy
    node.screen.save_png(f"{pictures('rater')}/node_paused.png")
    assert node.current_view().paused
    hands.tap("resume")
    pump(node, lambda: not node.paused and node.keypad.led_modes["paused"] == "off")


def test_health_is_published_retained(node, broker):
    import json

    import paho.mqtt.client as mqtt

    got = []
    peer = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="health-peer")
    peer.on_message = lambda _c, _u, m: got.append((m.retain, json.loads(m.payload)))
    peer.connect(broker.host, broker.port)
    peer.subscribe("hall/demo/node/rater-3/health", qos=1)
    peer.loop_start()
    try:
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            node.poll()
            time.sleep(0.01)
    finally:
        peer.loop_stop()
        peer.disconnect()
    retained, health = got[0]
    assert retained is True
    assert health["window"] == 3 and health["keypad"]["state"] == "ok"
    assert health["pad"]["backend"] == "simulated" and health["screen"]["state"] == "ok"
    assert health["simulated"] is True and health["pad"]["simulated"] is True
    assert health["screen"] == {"state": "ok", "backend": "offscreen", "simulated": True}
    node.screen.close()   # health is asked of the screen, not assumed
    assert node.health()["screen"] == {"state": "error", "backend": "offscreen",
                                       "detail": "closed", "simulated": True}


class ManualClock(HallClock):
    """Hall time that moves only when the test says (the node's deadlines, not the network's)."""

    def __init__(self, tz, start):
        super().__init__(tz, start)
        self.offset = 0.0

    def monotonic(self):
        return self.offset

    def advance(self, seconds):
        self.offset += seconds


@pytest.fixture
def manual_node(hall_config, broker, hub_service):
    clock = ManualClock(hall_config.tz, "2026-11-23T10:00:00+08:00")
    n = make_node(hall_config, broker, clock, staff="1003")
    n.start()
    pump(n, lambda: n.online and n.staff is not None)
    yield n, clock
    n.stop()


def test_no_press_within_the_invitation_sends_nothing(manual_node, kiosk, hub_service):
    node, clock = manual_node
    hands = Hands(node)
    call_and_finish(node, hands, kiosk)
    clock.advance(node.cfg.rating.invite_s - 1)
    node.poll()
    assert node.session.state == "inviting"
    clock.advance(1)
    node.poll()
    assert node.session.state == "idle"
    assert node.pad.led_modes["rate_5"] == "off"
    hands.tap("rate_5")
    settle(node)
    assert node.record["submitted"] == [] and rows(hub_service.db_path, "select * from ratings") == []


def test_bad_rating_reasons_time_out_into_a_rating_without_reasons(manual_node, kiosk,
                                                                  hub_service):
    node, clock = manual_node
    hands = Hands(node)
    call_and_finish(node, hands, kiosk)
    hands.tap("rate_1")
    pump(node, lambda: node.session.state == "reasons")
    clock.advance(node.cfg.rating.reasons_s - 1)
    node.poll()
    assert node.record["submitted"] == []
    clock.advance(1)
    pump(node, lambda: len(node.record["rating_answer"]) == 1)
    assert node.record["submitted"] == [{"window": 3, "score": 1}]
    assert [f["score"] for f in rows(hub_service.db_path, "select * from follow_ups")] == [1]
