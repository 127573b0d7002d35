"""The key rule above the pin backend: bounce never fires twice, a held key fires once."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.gpio.debounce import KeyDebouncer


def bouncy(start, bounce_s, gaps, hold_s):
    """Edges of one press: pressed at ``start``, chattering with ``gaps`` inside ``bounce_s``,
    pressed steadily for ``hold_s``, then released with the same chatter."""
    edges, t, level = [], start, True
    for gap in gaps:
        edges.append((t, level))
        t, level = t + gap, not level
    edges.append((t, True))
    t += hold_s
    for gap in gaps:
        edges.append((t, False))
        t += gap
        edges.append((t, True))
        t += gap
    edges.append((t, False))
    return edges, t


def fires(deb, edges):
    return [t for t, pressed in edges if deb.feed(pressed, t)]


def test_press_with_20ms_of_contact_bounce_fires_once_at_the_first_edge():
    deb = KeyDebouncer(0.05)
    # contact chatter for 20 ms on press and on release, held 300 ms
    edges = [(10.000, True), (10.002, False), (10.005, True), (10.009, False), (10.013, True),
             (10.018, False), (10.020, True),
             (10.320, False), (10.323, True), (10.327, False), (10.331, True), (10.340, False)]
    assert fires(deb, edges) == [10.000]


def test_held_key_fires_once_and_clean_second_press_fires_again():
    deb = KeyDebouncer(0.05)
    assert fires(deb, [(1.0, True), (31.0, False), (31.2, True), (31.3, False)]) == [1.0, 31.2]


def test_release_shorter_than_bounce_time_does_not_rearm():
    deb = KeyDebouncer(0.05)
    assert fires(deb, [(1.0, True), (1.5, False), (1.549, True)]) == [1.0]
    assert fires(deb, [(1.6, False), (1.66, True)]) == [1.66]  # released ≥ bounce_s


def test_key_pressed_at_start_fires_only_after_a_clean_release():
    deb = KeyDebouncer(0.05, pressed=True)
    assert fires(deb, [(0.0, True), (0.5, False), (0.6, True)]) == [0.6]


def test_repeated_level_is_not_an_edge():
    deb = KeyDebouncer(0.05)
    assert fires(deb, [(1.0, True), (1.1, True), (2.0, False), (2.0, False)]) == [1.0]


@pytest.mark.parametrize("bad", [-0.01, 1.5, "50", True, math.nan])
def test_bad_bounce_time_is_refused(bad):
    with pytest.raises(ValueError):
        KeyDebouncer(bad)


def test_time_going_backwards_is_refused_and_changes_nothing():
    deb = KeyDebouncer(0.05)
    deb.feed(True, 5.0)
    with pytest.raises(ValueError, match="earlier"):
        deb.feed(False, 4.0)
    assert deb.pressed is True


@given(
    bounce_ms=st.integers(min_value=5, max_value=200),
    presses=st.lists(
        st.tuples(st.lists(st.integers(min_value=1, max_value=1000), max_size=12),
                  st.integers(min_value=0, max_value=5000)),
        min_size=1, max_size=6),
)
def test_each_press_fires_exactly_once_whatever_its_bounce(bounce_ms, presses):
    """Presses whose chatter gaps are shorter than the bounce time, separated by clean releases,
    fire once each, at their first edge."""
    bounce_s = bounce_ms / 1000
    deb = KeyDebouncer(bounce_s)
    t, expected, got = 0.0, [], []
    for gaps_us, hold_ms in presses:
        gaps = [g / 1000 * bounce_s for g in gaps_us]  # each gap < bounce_s
        t += bounce_s + 0.001  # a clean release before each press
        edges, t = bouncy(t, bounce_s, [g * 0.999 for g in gaps], hold_ms / 1000)
        expected.append(edges[0][0])
        got += fires(deb, edges)
    assert got == expected
