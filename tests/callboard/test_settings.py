"""The callboard's devices table: defaults from nothing, every mistake named by its key."""

from __future__ import annotations

import dataclasses

import pytest

from callboard.settings import DEFAULT_TEMPLATE, CallboardSettings, read_settings
from wire.config import ConfigError, Node


def _cfg(hall_config, devices: dict, role: str = "callboard"):
    nodes = dict(hall_config.nodes)
    nodes["board-1"] = Node("board-1", role, None, devices)
    return dataclasses.replace(hall_config, nodes=nodes)


@pytest.mark.parametrize("devices, simulate", [({}, True), ({"backend": "sim"}, False)])
def test_asked_for_simulation_an_empty_table_gives_simulated_devices(hall_config, devices,
                                                                      simulate):
    s = read_settings(_cfg(hall_config, devices), "board-1", simulate=simulate)
    assert (s.display, s.audio, s.led) == ("offscreen", "wav", "sim") and s.simulate
    assert s.templates[0].text == DEFAULT_TEMPLATE and s.repeats == 2
    assert s.led_rules.flash_s == 3.0 and s.led_rules.repeat_s == 5.0


def test_defaults_are_the_dataclass_defaults(hall_config):
    """Each default is stated once, in CallboardSettings: an empty table gives exactly it."""
    s = read_settings(_cfg(hall_config, {}), "board-1", simulate=True)
    assert dataclasses.replace(s, simulate=False) == CallboardSettings()
    assert s.wav_dir("board-1").name == "hallstack-audio-board-1"


@pytest.mark.parametrize("devices, table", [
    ({}, "audio"),
    ({"audio": {"backend": "pygame"}}, "led"),
    ({"audio": {"out_dir": "/x"}, "led": {"backend": "none"}}, "audio"),
])
def test_naming_no_device_refuses_to_start(hall_config, devices, table):
    with pytest.raises(ConfigError) as err:
        read_settings(_cfg(hall_config, devices), "board-1")
    assert f"nodes.board-1.devices.{table}.backend: missing" in str(err.value)
    assert "--simulate" in str(err.value)


def test_real_devices_need_no_simulation(hall_config):
    s = read_settings(_cfg(hall_config, {"audio": {"backend": "pygame"},
                                         "led": {"backend": "none"}}), "board-1")
    assert (s.display, s.audio, s.led, s.screens, s.simulate) == (
        "window", "pygame", "none", (), False)


def test_a_full_table(hall_config, tmp_path):
    s = read_settings(_cfg(hall_config, {
        "display": {"backend": "fullscreen", "fps": 15},
        "audio": {"backend": "pygame", "device": "USB Audio"},
        "announce": {"voice": "cmn-latn-pinyin", "clips_dir": str(tmp_path),
                     "second_template": "Number {no}, window {window}", "second_voice": "en",
                     "backlog_s": 30},
        "led": {"backend": "serial", "brightness_night": 10, "day_from": "07:30",
                "screens": [{"window": 3, "port": "/dev/ttyUSB0", "address": 3, "ack": True}]},
    }), "board-1")
    assert s.display == "fullscreen" and s.audio_device == "USB Audio"
    assert [t.voice for t in s.templates] == ["cmn-latn-pinyin", "en"]
    assert s.screens[0].port == "/dev/ttyUSB0" and s.screens[0].ack is True
    assert s.led_rules.brightness_night == 10 and s.led_rules.day_from.hour == 7


@pytest.mark.parametrize("devices, where", [
    ({"dispaly": {}}, "devices.dispaly: unknown key (did you mean 'display'?)"),
    ({"display": {"backend": "hdmi"}}, "display.backend: must be one of"),
    ({"audio": {"backend": "wave"}}, "audio.backend: must be one of wav, pygame, got 'wave'"),
    ({"announce": {"template": "请到{window}号窗口"}}, "announce.template: "),
    ({"announce": {"clips_dir": "/nonexistent/clips"}}, "announce.clips_dir: folder"),
    ({"announce": {"repeats": 5}}, "announce.repeats: must be ≤ 3"),
    ({"led": {"backend": "serial"}}, "led.screens: the serial backend needs"),
    ({"led": {"backend": "modbus"}}, "led.screens: the modbus backend needs"),
    ({"led": {"backend": "modbus", "screens": [{"window": 3, "port": "/dev/x", "address": 0}]}},
     "screens[0].address: must be ≥ 1"),
    ({"led": {"backend": "modbus", "screens": [{"window": 3, "port": "p", "ack": True}]}},
     "screens[0].ack: unknown key"),
    ({"led": {"backend": "serial", "screens": [{"window": 3}]}}, "screens[0].port"),
    ({"led": {"screens": [{"window": 30, "port": "x"}]}}, "screens[0].window: unknown window 30"),
    ({"led": {"screens": [{"window": 3}, {"window": 3}]}}, "already has a screen"),
    ({"led": {"call_text": "请{no}号"}}, "led.call_text: the call's sentence is the hall's"),
    ({"announce": {"template": "请 {no} 号"}}, "announce.template: the call's sentence is"),
    ({"led": {"idle_text": "欢迎 ☺"}}, "led.idle_text"),
    ({"led": {"brightness_day": 120}}, "led.brightness_day: must be ≤ 100"),
    ({"led": {"day_from": "8h"}}, "led.day_from: must be a time"),
    ({"led": {"backend": "none", "out_dir": "/x"}}, "led.out_dir: out_dir is for the simulated"),
])
def test_mistakes_name_their_key(hall_config, devices, where):
    with pytest.raises(ConfigError) as err:
        read_settings(_cfg(hall_config, devices), "board-1", simulate=True)
    assert where in str(err.value)
    assert "nodes.board-1.devices" in str(err.value)


def test_a_node_of_another_role_is_refused(hall_config):
    with pytest.raises(ConfigError, match="is a kiosk, not a callboard"):
        read_settings(hall_config, "kiosk-1")


def test_bx_screens_keep_their_own_table(hall_config):
    s = read_settings(_cfg(hall_config, {"led": {"backend": "bx", "screens": [
        {"window": 3, "transport": "serial", "port": "/dev/ttyS1", "width": 64}]}}), "board-1",
        simulate=True)
    assert s.led == "bx" and s.screens[0].window == 3
    assert s.screens[0].bx == {"transport": "serial", "port": "/dev/ttyS1", "width": 64}


def test_the_sentence_is_the_halls_call_template(hall_config):
    """One call sentence: the speaker says [queue] call_template, which the hub's text follows."""
    queue = dataclasses.replace(hall_config.queue, call_template="{no}号请到{window}号窗口")
    s = read_settings(dataclasses.replace(_cfg(hall_config, {}), queue=queue), "board-1",
                      simulate=True)
    assert s.templates[0].text == "{no}号请到{window}号窗口"


@pytest.mark.parametrize("template, why", [
    ("请到{window}号窗口", "cannot say the hall's \\[queue\\] call_template"),
    ("请{no}号 ☺", "an LED screen cannot show"),
])
def test_a_call_template_the_board_cannot_say_or_show_is_refused(hall_config, template, why):
    queue = dataclasses.replace(hall_config.queue, call_template=template)
    with pytest.raises(ConfigError, match=why):
        read_settings(dataclasses.replace(_cfg(hall_config, {}), queue=queue), "board-1",
                      simulate=True)
