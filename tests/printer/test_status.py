"""DLE EOT status bytes → printer status; unknown stays unknown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.printer.interface import (
    COVER_STATES,
    LINE_STATES,
    PAPER_STATES,
    UNKNOWN,
    PrinterStatus,
)
from devices.printer.status import is_status_byte, parse_status, status_bytes

OK = 0x12


def test_all_fine():
    s = parse_status(OK, OK, OK, OK)
    assert s == PrinterStatus("ok", "closed", "online") and s.state == "ok"
    assert not s.blocks_printing


@pytest.mark.parametrize("answers,state,field,value", [
    ((OK, OK, OK, 0x12 | 0x60), "out", "paper", "out"),
    ((OK, OK, OK, 0x12 | 0x0C), "near_end", "paper", "near_end"),
    ((OK, 0x12 | 0x04, OK, OK), "cover_open", "cover", "open"),
    ((0x12 | 0x08, OK, OK, OK), "offline", "line", "offline"),
    ((OK, OK, 0x12 | 0x08, OK), "error", "error", "cutter"),
])
def test_each_condition(answers, state, field, value):
    s = parse_status(*answers)
    assert s.state == state and getattr(s, field) == value


def test_no_answers_is_unknown_never_out():
    s = parse_status(None, None, None, None)
    assert s == UNKNOWN and s.state == "unknown" and s.paper == "unknown"
    assert not s.blocks_printing


@pytest.mark.parametrize("noise", [0x00, 0xFF, 0x41, 0x13, 0x92])
def test_bytes_without_the_fixed_bits_are_not_trusted(noise):
    assert not is_status_byte(noise)
    assert parse_status(noise, noise, noise, noise) == UNKNOWN


def test_paper_end_stop_counts_when_the_sensor_is_silent():
    assert parse_status(OK, 0x12 | 0x20, OK, None).paper == "out"


def test_near_end_still_prints():
    assert not PrinterStatus(paper="near_end", cover="closed", line="online").blocks_printing


@pytest.mark.parametrize("kwargs", [{"paper": "empty"}, {"cover": "ajar"}, {"line": "up"}])
def test_a_status_refuses_unknown_words(kwargs):
    with pytest.raises(ValueError):
        PrinterStatus(**kwargs)


statuses = st.builds(
    PrinterStatus, paper=st.sampled_from([p for p in PAPER_STATES if p != "unknown"]),
    cover=st.sampled_from([c for c in COVER_STATES if c != "unknown"]),
    line=st.sampled_from([v for v in LINE_STATES if v != "unknown"]),
    error=st.sampled_from([None, "cutter", "unrecoverable", "auto_recoverable"]))


@given(statuses)
def test_emulated_bytes_round_trip(status):
    assert parse_status(*status_bytes(status)) == status


@given(st.tuples(*[st.one_of(st.none(), st.integers(0, 255))] * 4))
def test_parse_never_raises(answers):
    s = parse_status(*answers)
    assert s.state in ("ok", "near_end", "out", "cover_open", "offline", "error", "unknown")
