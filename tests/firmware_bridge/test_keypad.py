"""Keypads on a real pty bus: presses arrive exactly once, in order, whatever the line does."""

from __future__ import annotations

import random
import threading

import pytest

from devices.keys import CLERK_KEYS
from firmware_bridge import registers as reg
from firmware_bridge.bus import BusMaster
from firmware_bridge.link import RtuLink
from firmware_bridge.modbus_devices import ModbusKeyPad
from firmware_bridge.rtu import ModbusException
from tests.helpers import eventually


class Collector:
    """Records every delivered press per pad, and wakes a waiter when a total is reached."""

    def __init__(self):
        self.presses, self.cond = {}, threading.Condition()

    def __call__(self, press):
        with self.cond:
            self.presses.setdefault(press.source, []).append(press)
            self.cond.notify_all()

    def keys(self, source):
        return [p.key for p in self.presses.get(source, [])]

    def wait_total(self, total, timeout):
        with self.cond:
            return self.cond.wait_for(
                lambda: sum(map(len, self.presses.values())) >= total, timeout)


def start_master(emu, **options):
    options.setdefault("poll_interval", 0.002)
    return BusMaster(RtuLink(emu.port, timeout=options.pop("timeout", 0.03)), **options).start()


def test_1000_presses_on_16_pads_under_5_percent_corruption_arrive_once_in_order(emulated_bus):
    emu = emulated_bus({i: "clerk_pad" for i in range(1, 17)}, seed=7)
    for device in emu.devices.values():
        device.faults.corrupt = 0.05
    master = start_master(emu)
    got = Collector()
    pads = {i: ModbusKeyPad(master, i, name=f"pad{i}") for i in emu.devices}
    for pad in pads.values():
        pad.on_press(got)
    rnd = random.Random(2026)
    pressed = {i: [] for i in pads}
    try:
        for _ in range(1000):
            i = rnd.randrange(1, 17)
            key = rnd.choice(CLERK_KEYS)
            # a person cannot outrun the poll; wait while the pad's buffer is full
            assert eventually(lambda i=i: emu[i].pending < reg.KEY_BUFFER)
            assert emu[i].press(key)
            pressed[i].append(key)
        assert got.wait_total(1000, timeout=60)
        # every press acknowledged: a pad holds nothing a later poll could deliver again
        assert eventually(lambda: all(emu[i].pending == 0 for i in pads), timeout=30)
    finally:
        master.stop()
    for i in pads:
        assert got.keys(f"pad{i}") == pressed[i], f"pad {i}"
    corrupted = emu.counters["corrupted"] / emu.counters["replies"]
    assert 0.02 < corrupted < 0.1, "about 5 % of the replies must really have been corrupted"
    assert emu.counters["corrupted_requests"] > 0 and master.link.counters["crc_errors"] > 0
    assert sum(emu[i].lost for i in pads) == 0


def test_lost_replies_and_noise_neither_lose_nor_double_a_press(emulated_bus):
    emu = emulated_bus({1: "clerk_pad", 2: "rating_pad"}, seed=3, first_seq=65530)
    emu[1].faults.drop, emu[1].faults.garbage, emu[1].faults.deaf = 0.2, 0.2, 0.2
    master = start_master(emu)
    got = Collector()
    pad = ModbusKeyPad(master, 1, name="clerk")
    pad.on_press(got)
    keys = [CLERK_KEYS[n % len(CLERK_KEYS)] for n in range(100)]
    try:
        for key in keys:  # the sequence number wraps past 65535 on the way
            assert eventually(lambda: emu[1].pending < reg.KEY_BUFFER)
            emu[1].press(key)
        assert got.wait_total(100, timeout=60)
        assert eventually(lambda: emu[1].pending == 0, timeout=30)  # nothing left to re-read
    finally:
        master.stop()
    assert got.keys("clerk") == keys
    assert emu[1].first_seq == (65530 + 100) % reg.SEQ_MOD
    assert master.link.counters["skipped_bytes"] > 0 and master.link.counters["timeouts"] > 0
    assert pad.health()["duplicates"] > 0, "a lost ack must have led to a re-read press"


def test_presses_wait_in_the_pad_until_a_callback_exists(emulated_bus):
    emu = emulated_bus({4: "clerk_pad"})
    master = start_master(emu)
    pad = ModbusKeyPad(master, 4, name="p")
    try:
        emu[4].press("call_next")
        emu[4].press("digit", 7)
        assert eventually(lambda: pad.health()["state"] == "ok")
        polls = pad.stats["polls"]
        assert eventually(lambda: pad.stats["polls"] >= polls + 3)  # polled on meanwhile
        assert emu[4].pending == 2  # nothing acknowledged for nobody
        got = Collector()
        pad.on_press(got)
        assert got.wait_total(2, timeout=5)
    finally:
        master.stop()
    assert [(p.key, p.digit) for p in got.presses["p"]] == [("call_next", None), ("digit", 7)]
    assert emu[4].pending == 0


def test_a_silent_pad_is_reported_and_the_others_keep_working(emulated_bus):
    emu = emulated_bus({1: "clerk_pad", 2: "clerk_pad"})
    # a reply timeout and a silence a loaded machine cannot fake: only the cable makes p1 silent
    master = start_master(emu, timeout=0.3, silent_after_s=1.0, silent_retry_s=0.2)
    got = Collector()
    pads = [ModbusKeyPad(master, i, name=f"p{i}") for i in (1, 2)]
    for pad in pads:
        pad.on_press(got)
    try:
        assert eventually(lambda: pads[0].health()["state"] == "ok")
        emu[1].faults.silent = True
        assert eventually(lambda: pads[0].health()["state"] == "silent", timeout=10)
        for key in ("call_next", "finish", "recall"):
            emu[2].press(key)
        assert got.wait_total(3, timeout=10)  # device 2 is served while device 1 is silent
        emu[1].faults.silent = False
        emu[1].press("skip")
        assert got.wait_total(4, timeout=10)
        assert eventually(lambda: pads[0].health()["state"] == "ok", timeout=10)
        health = pads[0].health()
    finally:
        master.stop()
    assert health["state"] == "ok" and health["went_silent"] == 1 and health["came_back"] == 1
    assert got.keys("p1") == ["skip"] and got.keys("p2") == ["call_next", "finish", "recall"]


def test_a_rebooted_pad_is_followed_from_its_new_count(emulated_bus):
    emu = emulated_bus({1: "clerk_pad"}, first_seq=500)
    master = start_master(emu)
    got = Collector()
    pad = ModbusKeyPad(master, 1, name="p")
    pad.on_press(got)
    try:
        emu[1].press("call_next")
        assert got.wait_total(1, timeout=5)
        pad.set_led("serving", "on")
        assert pad.sync()
        with emu[1].lock:
            emu[1]._reboot()  # power blip: buffer, LEDs and sequence start again at 0
        assert emu[1].led("serving") == "off"
        assert eventually(lambda: emu[1].online)
        emu[1].press("finish")
        assert got.wait_total(2, timeout=5)
        assert eventually(lambda: emu[1].led("serving") == "on")  # desired state written again
    finally:
        master.stop()
    assert got.keys("p") == ["call_next", "finish"]
    assert pad.health()["reboots"] == 1 and pad.health()["resyncs"] == 0


def test_leds_signals_and_invitation_reach_the_pad(emulated_bus):
    emu = emulated_bus({1: "clerk_pad", 2: "rating_pad"})
    master = start_master(emu)
    clerk, rater = ModbusKeyPad(master, 1), ModbusKeyPad(master, 2, kind="rating_pad")
    got = Collector()
    rater.on_press(got)
    try:
        clerk.set_led("paused", "blink")
        clerk.signal("refused")
        clerk.signal("ok")
        assert clerk.sync()
        assert emu[2].press("rate_5") is False  # no invitation: a pad never invents a rating
        rater.invite_rating(60)
        assert rater.sync()
        assert emu[2].press("rate_4") and not emu[2].press("rate_5")  # one rating per invite
        assert got.wait_total(1, timeout=5)
    finally:
        master.stop()
    assert emu[1].led("paused") == "blink" and emu[1].signals == ["refused", "ok"]
    assert [p.key for p in got.presses[rater.name]] == ["rate_4"]


@pytest.mark.parametrize("call", [
    lambda pad: pad.set_led("nope", "on"), lambda pad: pad.set_led("serving", "dim"),
    lambda pad: pad.signal("beep"), lambda pad: pad.invite_rating(30),
])
def test_bad_keypad_input_is_refused_before_the_line(emulated_bus, call):
    emu = emulated_bus({1: "clerk_pad"})
    master = BusMaster(RtuLink(emu.port, timeout=0.03))
    pad = ModbusKeyPad(master, 1)
    with pytest.raises(ValueError):
        call(pad)
    assert not pad._dirty and not pad._oneshots


def test_the_pad_refuses_an_ack_beyond_its_buffer(emulated_bus):
    emu = emulated_bus({1: "clerk_pad"})
    emu[1].press("call_next")
    with RtuLink(emu.port, timeout=0.5) as link:
        with pytest.raises(ModbusException) as refused:
            link.write(1, reg.KEY_ACK, 2)
        assert refused.value.code == 3
        assert emu[1].pending == 1  # nothing changed
        link.write(1, reg.KEY_ACK, 1)
    assert emu[1].pending == 0


def test_a_callback_that_raises_does_not_stop_the_bus(emulated_bus):
    emu = emulated_bus({1: "clerk_pad"})
    master = start_master(emu)
    got = Collector()
    pad = ModbusKeyPad(master, 1, name="p")

    def flaky(press):
        got(press)
        if press.key == "call_next":
            raise RuntimeError("node bug")

    pad.on_press(flaky)
    try:
        emu[1].press("call_next")
        emu[1].press("finish")
        assert got.wait_total(2, timeout=5)
    finally:
        master.stop()
    assert got.keys("p") == ["call_next", "finish"] and pad.health()["callback_errors"] == 1


def test_a_wrong_device_type_is_an_error_in_health(emulated_bus):
    emu = emulated_bus({1: "screen"})
    master = start_master(emu)
    pad = ModbusKeyPad(master, 1)
    pad.on_press(lambda p: None)
    try:
        assert eventually(lambda: pad.health()["state"] == "error")
    finally:
        master.stop()
    assert "is a screen, configured as a clerk_pad" in pad.health()["last_error"]


def test_a_signal_the_pad_could_not_take_in_time_is_not_played_late(emulated_bus):
    emu = emulated_bus({1: "clerk_pad"})
    master = start_master(emu, timeout=0.3, silent_after_s=1.0, silent_retry_s=0.1)
    pad = ModbusKeyPad(master, 1)
    try:
        assert eventually(lambda: pad.health()["state"] == "ok")
        emu[1].faults.silent = True
        pad.signal("refused")  # the clerk presses while the pad's cable is loose
        pad.set_led("paused", "on")
        assert eventually(lambda: pad.health()["expired"] == 1, timeout=10)
        emu[1].faults.silent = False
        assert pad.sync(timeout=10)
    finally:
        master.stop()
    assert emu[1].signals == [] and emu[1].led("paused") == "on"  # state yes, stale beep no
