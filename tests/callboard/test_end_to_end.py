"""The issue's checks, end to end: real Mosquitto, the real hub and SQLite, real HubClients."""

from __future__ import annotations

import json

import numpy as np
import paho.mqtt.client as mqtt
import pytest

from callboard.announcer import GAP_AFTER_CHIME_S, GAP_BETWEEN_READINGS_S
from callboard.node import build
from devices.audio.clips import CHIME, LEAD_IN_S
from devices.audio.pcm import SAMPLE_RATE, read_wav
from devices.ledscreen_serial import PlainProtocol
from devices.recorder import Recording
from wire.client import HubClient
from wire.contract import Topics

pytestmark = pytest.mark.timeout(60)


def _board(hall_config, broker, hall_clock, voices, out_dir):
    from devices.audio.sim import WavAudioOut

    node = build(hall_config, "board-1", broker.url, hall_clock, True, headless=True, voices=voices,
                 speaker=WavAudioOut(out_dir))
    node.record = Recording()  # what it said, played and sent (the board itself keeps none)
    node.attach(node.record)
    node.start()
    return node


@pytest.fixture
def window3(node_client, hub_service):
    client = node_client("rater-3")
    client.request("window.login", {"window": 3, "staff": "1003"})
    return client


@pytest.fixture
def kiosk(node_client, hub_service):
    return node_client("kiosk-1")


def _texts(node, window: int) -> list[tuple[str, str]]:
    sent = node.record[f"led.sent/{window}"]
    frames, skipped = PlainProtocol().decode(b"".join(b for _, b in sent))
    assert skipped == 0
    return [(f.text, f.mode) for f in frames if f.command == ord("T")]


def test_call_next_is_heard_shown_and_lit(hall_config, broker, hall_clock, hub_service, window3,
                                          kiosk, voices, tmp_path, wait_for, png_dir):
    node = _board(hall_config, broker, hall_clock, voices, tmp_path / "audio")
    try:
        assert wait_for(lambda: 3 in node.board.windows, node.poll)
        no = kiosk.request("ticket.take", {"service": "B"})["ticket"]["no"]
        called = window3.request("window.call_next", {"window": 3})
        assert called["ticket"]["no"] == no
        assert wait_for(lambda: node.record["said"], node.poll)

        # The announcement: lead-in, chime, two readings; composed only of real clips.
        played = node.record["audio.played"]
        assert len(played) == 1
        wav = read_wav(played[0].path)
        lib, template = voices[0].library, voices[0].template
        reading = sum(len(lib[c]) for c in template.clips(no, 3))
        expected = (len(lib[CHIME]) + 2 * reading + round(LEAD_IN_S * SAMPLE_RATE)
                    + round(GAP_AFTER_CHIME_S * SAMPLE_RATE)
                    + round(GAP_BETWEEN_READINGS_S * SAMPLE_RATE))
        assert len(wav) == expected
        assert np.max(np.abs(wav.astype(np.int32))) > 10000  # not silent
        lead = round(LEAD_IN_S * SAMPLE_RATE)
        assert not wav[:lead].any()  # a sleeping amplifier wakes on silence, not on the chime

        # The LED screen of window 3 got the number, GB2312, flashing first.
        texts = _texts(node, 3)
        assert (f"请{no}号到3号窗口办理", "flash") in texts
        assert texts[-1] == (f"请{no}号到3号窗口办理", "flash")
        # The display shows it as the newest call.
        assert node.board.newest.no == no and node.board.newest.window == 3
        node.redraw()
        node.screen.save_png(f"{png_dir}/e2e-call.png")
    finally:
        node.stop()


def test_restart_recovers_the_same_picture(hall_config, broker, hall_clock, hub_service,
                                           window3, kiosk, voices, tmp_path, wait_for, png_dir):
    node = _board(hall_config, broker, hall_clock, voices, tmp_path / "a1")
    rater4 = HubClient(hall_config, "rater-4", broker.url, hall_clock)
    rater4.start()
    try:
        assert rater4.wait_connected(5)
        rater4.request("window.login", {"window": 4, "staff": "1004"})
        rater4.request("window.pause", {"window": 4, "reason": "午休"})
        nos = [kiosk.request("ticket.take", {"service": s})["ticket"]["no"] for s in "BBC"]
        window3.request("window.call_next", {"window": 3})
        window3.request("window.finish", {"window": 3})
        window3.request("window.call_next", {"window": 3})
        assert wait_for(lambda: node.board.newest and node.board.newest.no == nos[1]
                        and node.leds[4].shown == ("暂停服务", "static"), node.poll)
        # The flash ends; by then every retained state of these ops has arrived.
        assert wait_for(lambda: node.leds[3].shown == (f"请{nos[1]}号到3号窗口办理", "static"),
                        node.poll, timeout=6)
        before_picture = node.board.picture()
        before_leds = {n: led.shown for n, led in node.leds.items()}
    finally:
        node.stop()  # the board goes away mid-day

    again = _board(hall_config, broker, hall_clock, voices, tmp_path / "a2")
    try:
        assert wait_for(lambda: again.board.picture() == before_picture
                        and {n: led.shown for n, led in again.leds.items()} == before_leds,
                        again.poll), (again.board.picture(), before_picture,
                                      {n: led.shown for n, led in again.leds.items()})
        assert again.board.flash_since is None  # retained calls never flash
        assert again.record["audio.played"] == []  # nor are they announced again
        again.redraw()
        again.screen.save_png(f"{png_dir}/e2e-restarted.png")
    finally:
        again.stop()
        rater4.stop()


def test_duplicated_called_event_is_announced_once(hall_config, broker, hall_clock, voices,
                                                   tmp_path, wait_for):
    node = _board(hall_config, broker, hall_clock, voices, tmp_path / "audio")
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    pub.connect(broker.host, broker.port)
    pub.loop_start()
    try:
        assert wait_for(lambda: node.client.connected, node.poll)
        event = {"seq": 41, "at": "2026-11-23T10:00:01+08:00", "no": "C007", "window": 5,
                 "window_name": "5号窗口", "service": "C", "recall": False,
                 "text": "请C007号到5号窗口办理"}
        topic = Topics(hall_config.hall_id).event("called")
        for _ in range(3):
            pub.publish(topic, json.dumps(event, ensure_ascii=False), qos=1).wait_for_publish(2)
        assert wait_for(lambda: node.record["said"], node.poll)
        pub.publish(topic, json.dumps({**event, "seq": 42, "recall": True}, ensure_ascii=False),
                    qos=1).wait_for_publish(2)
        # a marker: another call, published last by the same publisher on the same topic, so
        # every copy above reached the board before it
        marker = {**event, "seq": 43, "no": "C008", "window": 6, "window_name": "6号窗口",
                  "text": "请C008号到6号窗口办理"}
        pub.publish(topic, json.dumps(marker, ensure_ascii=False), qos=1).wait_for_publish(2)

        def said():
            return ([(s.no, s.window) for s in node.record["said"]]
                    + [(p.no, p.window) for p in node.announcer.pending])

        assert wait_for(lambda: ("C008", 6) in said(), node.poll, timeout=10)
        # seq 41 three times: said once; seq 42, the recall, is said again after it.
        assert said() == [("C007", 5), ("C007", 5), ("C008", 6)]
        assert [c.no for c in node.board.calls] == ["C008", "C007"]
        # The LED does not re-flash an identical call within 5 s.
        flashes = [t for t in _texts(node, 5) if t[1] == "flash"]
        assert flashes == [("请C007号到5号窗口办理", "flash")]
    finally:
        pub.loop_stop()
        pub.disconnect()
        node.stop()


