"""Issue 10, FF68 at window 3: the window node opens an emulated FF68 line (a real pty) from its
own ``devices`` table; the real hub and Mosquitto do the rest."""

from __future__ import annotations

import pytest

from devices.lines import Lines
from devices.recorder import Recording
from firmware_bridge.legacy.ff68_emulator import FF68Emulator
from rater.app import build
from tests.legacy_e2e.conftest import keys_handled, settle

pytestmark = pytest.mark.timeout(60)

CALL_NEXT, FINISH = 0x0C, 0x0B
CALLER, RATER = 3, 103


@pytest.fixture
def line():
    emulator = FF68Emulator([CALLER, RATER])
    yield emulator
    emulator.close()


@pytest.fixture
def window3(hall_config, broker, hall_clock, hub_service, line, pump):
    lines = Lines()
    devices = {"staff": "1003", "screen": {"backend": "none"},
               "keypad": {"backend": "ff68", "port": line.path, "address": CALLER},
               "pad": {"backend": "ff68", "port": line.path, "address": RATER, "pad": "4key"}}
    node = build(hall_config, "rater-3", broker.url, hall_clock, simulate=True, devices=devices, lines=lines)
    node.record = Recording()  # the ratings it sent (it keeps no list)
    node.attach(node.record)
    node.start()
    pump(node, lambda: node.online and (node.staff or {}).get("number") == "1003")
    yield node
    node.stop()
    assert lines.ports() == {}  # the node's stop gave the line back, and it closed


def _call(node, line, kiosk, pump):
    no = kiosk.request("ticket.take", {"service": "B"})["ticket"]["no"]
    assert line.press(CALLER, CALL_NEXT)
    pump(node, lambda: line.displays[CALLER] == "   " + no[-3:])
    settle(node)  # answered too: the node takes the next key instead of refusing it as busy
    return no


def test_call_key_calls_the_next_ticket_and_the_caller_shows_its_digits(window3, line, kiosk,
                                                                        pump, pictures):
    no = _call(window3, line, kiosk, pump)
    assert window3.keypad.source == f"ff68:{line.path}:{CALLER}"
    # retained state is the latest value and may trail the reply by up to 20 ms under load
    pump(window3, lambda: ((kiosk.state.get("window/3") or {}).get("serving") or {}).get("no") == no)
    assert (kiosk.state["window/3"]["serving"] or {}).get("no") == no
    assert window3.clerk_message == f"已呼叫 {no}"
    assert line.beeps[CALLER] == 0  # nothing was refused
    line.render_png(str(pictures("rs485") / "ff68-window3-called.png"))  # what the clerk sees


def test_finish_and_one_rating_press_record_exactly_one_rating(window3, line, kiosk, pump,
                                                              settle, rows, hub_service):
    no = _call(window3, line, kiosk, pump)
    assert line.press(CALLER, FINISH)
    pump(window3, lambda: window3.session.state == "inviting")
    # the node opened the rater's own invitation: host → unit FUNC 01 DATA 0B
    pump(window3, lambda: line.invitations[RATER] == 1)
    assert line.rate(RATER, 2)  # 4-key pad: value 2 = 满意 (score 4)
    pump(window3, lambda: window3.ratings_answered == 1)
    keys = keys_handled(window3)
    assert line.rate(RATER, 3)  # a second press: the invitation is over
    settle(window3, keys=keys + 1)
    got = rows(hub_service.db_path, "select * from ratings")
    assert [(r["no"], r["window"], r["staff"], r["score"]) for r in got] == \
        [(no, 3, "1003", 4)]
    assert window3.record["submitted"] == [{"window": 3, "score": 4}]


def test_no_waiting_ticket_beeps_the_caller(window3, line, pump):
    assert line.press(CALLER, CALL_NEXT)
    pump(window3, lambda: line.beeps[CALLER] == 1)
    assert window3.clerk_message == "当前无人等候"


def test_idle_caller_shows_the_waiting_count_of_its_services(window3, line, kiosk, pump):
    kiosk.request("ticket.take", {"service": "B"})  # window 3 serves B
    kiosk.request("ticket.take", {"service": "A"})  # not window 3's: not counted
    pump(window3, lambda: line.displays[CALLER] == "001   ")
    no = kiosk.request("ticket.take", {"service": "B"})["ticket"]["no"]
    pump(window3, lambda: line.displays[CALLER] == "002   ")
    assert line.press(CALLER, CALL_NEXT)
    pump(window3, lambda: line.displays[CALLER][3:] == "001")  # B's first ticket, not `no`
    settle(window3)
    assert no.endswith("002")
    assert line.press(CALLER, FINISH)
    pump(window3, lambda: line.displays[CALLER] == "001   ")  # idle again: one still waits


def test_digit_then_transfer_key_transfers_to_that_choice(window3, line, kiosk, pump, rows,
                                                          hub_service):
    no = _call(window3, line, kiosk, pump)
    choice = [sid for sid, _ in window3.desk.transfer].index("C") + 1
    assert line.press(CALLER, 0x13, choice)  # "2 转移": the digit travels with the key
    pump(window3, lambda: any(e[1] == "answer" and e[2] == "window.transfer"
                              for e in window3.timeline))
    events = rows(hub_service.db_path, "select data from events where kind = 'transferred'")
    assert len(events) == 1 and '"C"' in events[0]["data"] and no in events[0]["data"]
