"""The FF68 bus: acknowledgements, the repeat window, rejects counted, units kept apart.

The first tests feed bytes straight into a bus and read what it wrote; the later ones run the
emulated units on a real pseudo-terminal.
"""

from __future__ import annotations

import random

import pytest

from devices.keys import KeyPad
from firmware_bridge.legacy import ff68_frame as fr
from firmware_bridge.legacy.ff68_bus import FF68Bus
from firmware_bridge.legacy.ff68_keymap import KeyMap


def key(addr, *data, func=0x01):
    return fr.encode(addr, func, bytes(data))


def test_a_key_frame_is_acknowledged_and_delivered_once(fed_bus, clock):
    bus, line, presses = fed_bus
    bus.feed(key(1, 0x0C))
    assert line.written == [key(1, 0x0C)]
    assert [(p.key, p.at, p.source) for p in presses] == [("call_next", clock.t, "ff68:ff68:1")]
    assert isinstance(bus.keypad(1), KeyPad)


def test_a_resent_frame_within_the_window_is_acked_again_but_not_acted_on(fed_bus, clock):
    bus, line, presses = fed_bus
    bus.feed(key(1, 0x0C))
    clock.advance(0.4)
    bus.feed(key(1, 0x0C))      # our ack was lost: the unit resends
    clock.advance(1.2)          # still within 1.5 s of the last resend: the window slides
    bus.feed(key(1, 0x0C))
    assert len(line.written) == 3 and len(presses) == 1
    assert bus.counts["repeats"] == 2


def test_the_same_key_at_a_persons_pace_is_a_new_press(fed_bus, clock):
    bus, _line, presses = fed_bus
    bus.feed(key(1, 0x0C))
    clock.advance(3.0)
    bus.feed(key(1, 0x0C))
    assert [p.key for p in presses] == ["call_next", "call_next"]


def test_another_key_or_another_unit_is_never_taken_for_a_repeat(fed_bus):
    bus, _line, presses = fed_bus
    bus.feed(key(1, 0x0C) + key(2, 0x0C) + key(1, 0x0D) + key(1, 0x0C))
    assert [(p.source[-1], p.key) for p in presses] == [
        ("1", "call_next"), ("2", "call_next"), ("1", "recall"), ("1", "call_next")]


def test_rating_frames_use_the_pads_value_map_and_the_rating_ack(fed_bus):
    bus, line, presses = fed_bus
    bus.feed(fr.encode(101, fr.FUNC_RATING, b"\x03"))
    assert line.written == [fr.encode(101, fr.FUNC_RATING_ACK, b"\x03")]
    assert [p.key for p in presses] == ["rate_5"]


@pytest.mark.parametrize("stream, counter", [
    (bytes.fromhex("01 02 03 04"), "noise"),
    (bytes.fromhex("FF 68 03 03 68 01 01 0C 11 16"), "bad_checksum"),
    (bytes.fromhex("FF 68 03 04 68 01 01 0C 0E 16"), "bad_length"),
    (bytes.fromhex("FF 68 03 03 68 01 01 0C 0E 17"), "bad_end"),
])
def test_bad_bytes_are_counted_never_acked_never_acted_on(fed_bus, stream, counter):
    bus, line, presses = fed_bus
    bus.feed(stream)
    assert bus.counts[counter] >= 1 and line.written == [] and presses == []
    bus.feed(key(2, 0x0D))  # the next unit still works
    assert [p.key for p in presses] == ["recall"]


def test_a_truncated_frame_is_dropped_at_the_silent_gap(fed_bus):
    bus, line, presses = fed_bus
    bus.feed(key(1, 0x0C)[:6])
    bus.feed(b"")  # the line went quiet
    assert bus.counts["truncated"] == 1 and bus.counts["skipped_bytes"] == 6
    bus.feed(key(1, 0x0C))
    assert [p.key for p in presses] == ["call_next"]


def test_unknown_key_code_is_acked_counted_and_not_delivered(fed_bus):
    bus, line, presses = fed_bus
    bus.feed(key(1, 0x44) + fr.encode(101, fr.FUNC_RATING, b"\x09"))
    assert presses == [] and len(line.written) == 2
    assert bus.keypad(1).counts["unknown_key"] == 1
    assert bus.keypad(101).counts["unknown_rating"] == 1
    assert bus.counts["unknown_code"] == 2


def test_an_unconfigured_unit_gets_no_ack(fed_bus):
    bus, line, presses = fed_bus
    bus.feed(key(9, 0x0C))
    assert line.written == [] and presses == [] and bus.counts["unknown_unit"] == 1


def test_any_key_resumes_a_paused_unit(fed_bus, clock):
    bus, _line, presses = fed_bus
    for code in (0x12, 0x0C, 0x0C):
        bus.feed(key(1, code))
        clock.advance(5)
    assert [p.key for p in presses] == ["pause", "resume", "call_next"]


def test_the_node_can_mirror_the_windows_pause_state(fed_bus):
    bus, _line, presses = fed_bus
    bus.keypad(1).set_led("pause", "on")   # the window was paused from elsewhere
    bus.feed(key(1, 0x0D))
    assert [p.key for p in presses] == ["resume"]


def test_two_step_key_and_digit(fed_bus):
    bus, _line, presses = fed_bus
    bus.feed(key(1, 0x06, 0x0F) + key(1, 0x04, 0x13))
    assert [(p.key, p.digit) for p in presses] == [("skip", None), ("transfer", 4)]


def test_a_failing_callback_does_not_stop_the_bus(fed_bus):
    bus, _line, presses = fed_bus
    bus.keypad(1).on_press(lambda press: 1 / 0)
    bus.feed(key(1, 0x0C) + key(2, 0x0C))
    assert bus.keypad(1).counts["callback_errors"] == 1 and [p.key for p in presses] == [
        "call_next"]


def test_local_echo_is_not_taken_for_a_frame(recording_line, make_units, clock):
    bus = FF68Bus(recording_line, make_units([1], []), KeyMap.from_table(), clock=clock,
                  local_echo=True)
    presses = []
    bus.keypad(1).on_press(presses.append)
    bus.feed(key(1, 0x0C))
    bus.feed(recording_line.written[-1])  # the adapter hears our ack
    assert len(presses) == 1 and bus.counts["frames"] == 1


def test_keypad_refuses_bad_arguments_and_sends_nothing(fed_bus):
    bus, line, _presses = fed_bus
    unit = bus.keypad(1)
    for call in (lambda: unit.set_led("pause", "dim"), lambda: unit.set_led("lamp", "on"),
                 lambda: unit.signal("maybe"), lambda: unit.show_ticket("A"),
                 lambda: unit.show_waiting(-1), lambda: unit.rater_display(256)):
        with pytest.raises(ValueError):
            call()
    with pytest.raises(KeyError, match="configured"):
        bus.keypad(77)
    assert line.written == []


def test_host_frames_to_a_unit(fed_bus):
    bus, line, _presses = fed_bus
    unit = bus.keypad(1)
    unit.show_ticket("A012")
    unit.signal("refused")
    unit.signal("ok")
    bus.keypad(101).set_led("rate", "blink")
    assert line.written == [bytes.fromhex("FF 68 08 08 68 01 02 0A 0A 0A 00 01 02 24 16"),
                            bytes.fromhex("FF 68 02 02 68 01 03 04 16"),
                            fr.encode(101, fr.FUNC_INVITE, b"\x0b")]


def test_windows_get_their_own_units(fed_bus):
    bus, _line, _presses = fed_bus
    assert [u.addr for u in bus.keypads_for_window(1)] == [1, 101]
    assert [u.addr for u in bus.keypads_for_window(2)] == [2]


def test_health_is_unknown_until_a_unit_speaks(fed_bus):
    bus, _line, _presses = fed_bus
    assert bus.keypad(1).health()["state"] == "unknown"
    bus.feed(key(1, 0x0C) + b"\x00")
    health = bus.keypad(1).health()
    assert health["state"] == "ok" and health["bus"]["counts"]["noise"] == 1


# on a pseudo-terminal ---------------------------------------------------------------------

def test_emulated_units_on_a_pty_show_digits_and_beep(ff68_line, wait_for, pictures):
    emulator, bus, presses = ff68_line([1, 2], [101])
    assert emulator.press(1, 0x0C) and emulator.rate(101, 2)
    assert [p.key for p in presses] == ["call_next", "rate_4"]
    bus.keypad(1).show_ticket("A012")
    bus.keypad(2).show_waiting(37)
    bus.keypad(2).signal("refused")
    assert wait_for(lambda: emulator.displays[1] == "   012" and emulator.beeps[2] == 1)
    assert emulator.displays[2] == "037   "
    emulator.render_png(str(pictures("legacy") / "ff68_displays.png"))
    assert emulator.received[1][-1] == bytes.fromhex(
        "FF 68 08 08 68 01 02 0A 0A 0A 00 01 02 24 16")


def test_noise_on_the_line_does_not_stop_the_other_units(ff68_line, wait_for):
    emulator, bus, presses = ff68_line([1, 2], [])
    emulator.inject(bytes.fromhex("FF 68 03 03 68 01 01 0C 99 16 00 13 FF"))
    assert emulator.press(2, 0x0D)
    assert [p.key for p in presses] == ["recall"]
    assert bus.counts["bad_checksum"] == 1
    assert bus.counts["noise"] + bus.counts["truncated"] >= 1  # the stray FF before the frame


KEYS = [((0x0C,), "call_next"), ((0x0D,), "recall"), ((0x0B,), "finish"),
        ((0x06, 0x0F), "skip"), ((0x00, 0x0F), "hold"), ((0x03, 0x0F), "call_back"),
        ((0x13,), "transfer")]


def test_thousand_presses_under_faults_are_delivered_exactly_once(ff68_line, wait_for):
    """1,000 presses on 16 units: 5 % damaged frames, 5 % noise, 5 % lost acks, 5 % resent
    frames crossing the ack. Each press must reach its window's node exactly once."""
    callers, raters = list(range(1, 13)), [113, 114, 115, 116]
    emulator, bus, presses = ff68_line(
        callers, raters, corrupt_rate=0.05, noise_rate=0.05, drop_ack_rate=0.05,
        repeat_rate=0.05, seed=7,
        ack_timeout_s=2.0, damaged_wait_s=0.01)
    rng = random.Random(11)
    expected: dict[str, list[str]] = {}
    for _ in range(1000):
        addr = rng.choice(callers + raters)
        if addr in raters:
            value = rng.randrange(4)
            assert emulator.rate(addr, value)
            name = ("rate_2", "rate_3", "rate_4", "rate_5")[value]
        else:
            data, name = rng.choice(KEYS)
            assert emulator.press(addr, data[-1], data[0] if len(data) == 2 else None)
        expected.setdefault(f"ff68:ff68:{addr}", []).append(name)
    assert wait_for(lambda: len(presses) >= 1000)
    got: dict[str, list[str]] = {}
    for press in presses:
        got.setdefault(press.source, []).append(press.key)
    assert got == expected and len(presses) == 1000
    # The faults really happened, and each was handled by the path meant for it.
    assert emulator.counts["acks_dropped"] > 20 and emulator.counts["bit_flips"] > 10
    assert emulator.counts["truncations"] > 10 and emulator.counts["noise_bursts"] > 20
    assert emulator.counts["repeated"] > 20
    assert bus.counts["repeats"] >= emulator.counts["acks_dropped"] + emulator.counts["repeated"]
    assert bus.counts["bad_checksum"] + bus.counts["bad_length"] + bus.counts["bad_end"] > 0
