"""The scanner's parsers under Hypothesis: however a device splits its bytes into reads, the same
scans come out; the HID decoder types back every character a keyboard-wedge scanner can."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from devices.scanner import ScanLines
from devices.scanner.hid import KEYMAP, key_char

CODES = st.text(alphabet=string.ascii_uppercase + string.digits + ":/.?=&-_", min_size=1,
                max_size=40)


@given(st.lists(CODES, min_size=1, max_size=6, unique=True), st.data())
def test_any_split_gives_the_same_scans(scans, data):
    wire = "".join(s + data.draw(st.sampled_from(["\r", "\n", "\r\n"])) for s in scans)
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(wire) - 1)), max_size=8)))
    lines = ScanLines(lambda: 0.0)
    got = []
    for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True):
        got += lines.feed(wire[a:b])
    assert got == scans


@given(st.text(alphabet="".join(sorted({c for pair in KEYMAP.values() for c in pair})),
               max_size=30))
def test_hid_keys_type_back_every_character(text):
    by_char = {}
    for code, pair in KEYMAP.items():
        by_char.setdefault(pair[0], (code, False))
        by_char.setdefault(pair[1], (code, True))
    typed = []
    for ch in text:
        code, shifted = by_char[ch]
        typed.append(key_char(code, shifted))
    assert "".join(typed) == text
