"""The Modbus path of issue 10: window 3's node opens hallstack's own clerk pad and rating pad
(emulated on a real pty, one bus) from its ``devices`` table; the real hub records the call and
exactly one rating."""

from __future__ import annotations

import pytest

from devices.lines import Lines
from devices.recorder import Recording
from firmware_bridge.emulated import EmulatedPeripheral
from firmware_bridge.emulator import BusEmulator
from rater.app import build

pytestmark = pytest.mark.timeout(60)

CLERK, RATING = 103, 153


@pytest.fixture
def row():
    emulator = BusEmulator([EmulatedPeripheral(CLERK, "clerk_pad"),
                            EmulatedPeripheral(RATING, "rating_pad")]).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def window3(hall_config, broker, hall_clock, hub_service, row, pump):
    lines = Lines()
    devices = {"staff": "1003", "screen": {"backend": "none"},
               "keypad": {"backend": "modbus", "port": row.port, "device_id": CLERK},
               "pad": {"backend": "modbus", "port": row.port, "device_id": RATING}}
    node = build(hall_config, "rater-3", broker.url, hall_clock, simulate=True, devices=devices, lines=lines)
    node.record = Recording()  # the ratings it sent (it keeps no list)
    node.attach(node.record)
    node.start()
    pump(node, lambda: node.online and (node.staff or {}).get("number") == "1003")
    assert lines.ports() == {row.port: "modbus"}  # both pads on one bus master
    yield node
    node.stop()
    assert lines.ports() == {}


def test_modbus_call_key_and_one_rating(window3, row, kiosk, pump, settle, rows, hub_service):
    no = kiosk.request("ticket.take", {"service": "B"})["ticket"]["no"]
    row[CLERK].press("call_next")
    pump(window3, lambda: (kiosk.state.get("window/3", {}).get("serving") or {}).get("no") == no)
    settle(window3)  # the node handled the answer: FINISH is not refused as busy
    row[CLERK].press("finish")
    pump(window3, lambda: window3.session.state == "inviting")
    # the node opened the pad's own invitation (its firmware refuses uninvited presses)
    pump(window3, lambda: row[RATING].invite_until > 0)
    row[RATING].press("rate_5")
    pump(window3, lambda: window3.ratings_answered == 1)
    # a second press: the invitation is over, the pad's firmware does not even take it
    assert not row[RATING].press("rate_1")
    settle(window3)
    got = rows(hub_service.db_path, "select * from ratings")
    assert [(r["no"], r["window"], r["staff"], r["score"]) for r in got] == [(no, 3, "1003", 5)]
    assert window3.record["submitted"] == [{"window": 3, "score": 5}]
