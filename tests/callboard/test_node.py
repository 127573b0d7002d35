"""The callboard node on the real broker and hub: broker loss, health, bad payloads."""

from __future__ import annotations

import json

import paho.mqtt.client as mqtt
import pytest

from callboard.node import build
from devices.audio.sim import WavAudioOut
from devices.recorder import Recording
from wire.client import HubClient
from wire.contract import Topics

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def board(hall_config, broker, hall_clock, voices, tmp_path):
    node = build(hall_config, "board-1", broker.url, hall_clock, True, headless=True, voices=voices,
                 speaker=WavAudioOut(tmp_path / "audio"))
    node.record = Recording()  # what it received, drew, said and played (it keeps none itself)
    node.attach(node.record)
    node.start()
    yield node
    node.stop()


def test_broker_loss_shows_offline_then_recovers_the_same_picture(
        hall_config, broker, hall_clock, hub_service, board, wait_for, png_dir):
    rater = HubClient(hall_config, "rater-6", broker.url, hall_clock)
    kiosk = HubClient(hall_config, "kiosk-1", broker.url, hall_clock)
    rater.start()
    kiosk.start()
    try:
        assert rater.wait_connected(5) and kiosk.wait_connected(5)
        kiosk.request("ticket.take", {"service": "D"})
        rater.request("window.login", {"window": 6, "staff": "1006"})
        no = rater.request("window.call_next", {"window": 6})["ticket"]["no"]
        # the ops' last retained states landed: the call, window 6 open, nobody waiting for D
        assert wait_for(lambda: board.board.newest and board.board.newest.no == no
                        and board.leds[6].serving == no
                        and 6 not in [w[0] for w in board.board.paused()]
                        and ("D", 0) in [(w[0], w[2]) for w in board.board.waiting()],
                        board.poll)
        before = board.board.picture()

        broker.kill()
        assert wait_for(lambda: not board.online, board.poll)
        board.redraw()
        board.screen.save_png(f"{png_dir}/node-offline.png")
        assert board.board.picture() == before  # the last picture stays up while offline

        broker.restart()
        assert wait_for(lambda: board.online, board.poll, timeout=15)
        assert wait_for(lambda: board.board.picture() == before, board.poll)
        assert board.leds[6].shown[0] == f"请{no}号到6号窗口办理"
        assert board.speaker.plays == 1  # recovery says nothing again
    finally:
        rater.stop()
        kiosk.stop()


def _publisher(broker):
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    pub.connect(broker.host, broker.port)
    pub.loop_start()
    return pub


def test_malformed_payloads_change_nothing(hall_config, broker, board, wait_for):
    topics = Topics(hall_config.hall_id)
    pub = _publisher(broker)
    try:
        assert wait_for(lambda: board.client.connected, board.poll)
        before = board.board.picture()
        for topic, payload in [
            (topics.event("called"), b"not json"),
            (topics.event("called"), json.dumps({"seq": 5, "no": None, "window": 3})),
            (topics.event("called"), json.dumps({"seq": 6, "no": "a-1", "window": 3})),
            (topics.event("called"), json.dumps({"seq": 7, "no": "A001", "window": "3"})),
            (topics.state("board"), json.dumps({"calls": "nope"})),
            (topics.state("window/3"), b"[1, 2]"),
        ]:
            pub.publish(topic, payload, qos=1).wait_for_publish(2)
        wait_for(lambda: False, board.poll, timeout=0.5)
        assert board.speaker.plays == 0
        # seq 6 is a well-formed call with an unspeakable number: shown, not said
        assert [c.no for c in board.board.calls] == ["a-1"] + [c[0] for c in before["calls"]]
        assert any("cannot announce a-1" in e for e in board.errors)
        board.poll()  # still alive
    finally:
        pub.loop_stop()
        pub.disconnect()


def test_health_is_published_per_device(hall_config, broker, board, wait_for):
    got = {}
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    sub.on_message = lambda c, u, m: got.setdefault("health", json.loads(m.payload))
    sub.connect(broker.host, broker.port)
    sub.subscribe(Topics(hall_config.hall_id).node_health("board-1"), qos=1)
    sub.loop_start()
    try:
        assert wait_for(lambda: "health" in got, board.poll)
        health = got["health"]
        assert health["audio"]["state"] == "ok" and health["display"]["state"] == "ok"
        assert {f"led/{n}" for n in hall_config.windows} <= set(health)
        # asked for simulation: the node and each simulated device say so
        assert health["simulated"] is True and health["display"]["simulated"] is True
        assert health["audio"]["simulated"] is True and health["led/3"]["simulated"] is True
    finally:
        sub.loop_stop()
        sub.disconnect()
    # health is asked of the devices: a failing LED line and a closed display show
    board.leds[3].screen.fail("cable pulled")
    assert board.health()["led/3"] == {"state": "error", "detail": "cable pulled",
                                       "simulated": True}
    board.screen.close()
    assert board.health()["display"] == {"state": "error", "detail": "closed",
                                         "simulated": True}


def test_run_forever_says_and_shows_a_call_from_its_threads(hall_config, broker, hall_clock,
                                                            hub_service, board):
    import threading
    import time

    stop = threading.Event()
    loop = threading.Thread(target=board.run_forever, args=(stop.is_set,))
    loop.start()
    rater = HubClient(hall_config, "rater-9", broker.url, hall_clock)
    kiosk = HubClient(hall_config, "kiosk-1", broker.url, hall_clock)
    rater.start()
    kiosk.start()
    try:
        assert rater.wait_connected(5) and kiosk.wait_connected(5)
        kiosk.request("ticket.take", {"service": "F"})
        rater.request("window.login", {"window": 9, "staff": "1009"})
        no = rater.request("window.call_next", {"window": 9})["ticket"]["no"]
        deadline = time.monotonic() + 5
        record = board.record
        while not (record["audio.played"] and record["drawn"]) and time.monotonic() < deadline:
            time.sleep(0.01)
        seq, received = record["received"][-1]
        assert record["said"][-1].no == no
        assert record["audio.start"][-1] >= received  # started after the event, by the fast path
        assert board.leds[9].screen.text == f"请{no}号到9号窗口办理"
        assert board.board.newest.no == no
    finally:
        stop.set()
        loop.join(5)
        rater.stop()
        kiosk.stop()
    assert not loop.is_alive()
