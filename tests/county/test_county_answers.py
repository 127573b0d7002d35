"""What a site sends the county, checked before it is believed (county.answers), and its hall
hours (county.hours, county.status)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from county import answers, hours
from county.status import state
from wire.config import load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hall.toml"
EPOCH = "0123456789abcdef"


def ans(**result) -> bytes:
    body = {"epoch": EPOCH, "last_seq": 3, "restored_from": None, "events": []} | result
    return json.dumps({"id": "r1", "ok": True, "result": body}).encode()


def test_a_well_formed_answer_is_read():
    a = answers.parse(ans(restored_from={"epoch": "f" * 16, "seq": 2}))
    assert (a.req_id, a.epoch, a.last_seq, a.base) == ("r1", EPOCH, 3, ("f" * 16, 2))
    refused = answers.parse(b'{"id": "r1", "ok": false, "error": {"code": "forbidden"}}')
    assert refused.ok is False and "forbidden" in refused.error


@pytest.mark.parametrize("raw", [
    ans(last_seq=10**20), ans(last_seq=2**60), ans(last_seq=2**53), ans(last_seq=-1),
    ans(last_seq=True), ans(last_seq="3"), ans(epoch="nope"),
    ans(restored_from={"epoch": EPOCH, "seq": 1}),  # restored from itself
    ans(restored_from={"epoch": "f" * 16, "seq": 4}),  # beyond its own end
    ans(events=[{}] * 501), ans(events={}), b"[]", b"\xff", b"x" * (256 * 1024 + 1),
    json.dumps({"id": "x" * 65, "ok": True}).encode(),
])
def test_an_answer_out_of_bounds_is_malformed(raw):
    with pytest.raises(answers.Malformed):
        answers.parse(raw)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["id", "ok", "result", "epoch",
                                                      "last_seq", "events", "seq"]), inner,
                                      max_size=5), max_leaves=20))
def test_any_json_is_an_answer_or_malformed_nothing_else(value):
    try:
        a = answers.parse(json.dumps(value).encode())
    except answers.Malformed:
        return
    assert a.last_seq is None or 0 <= a.last_seq < 2**53


def test_a_site_is_expected_within_its_hall_hours_and_closed_outside():
    cfg = load_config(EXAMPLE)  # 09:00-17:00 Mon-Fri, Asia/Shanghai
    monday_noon = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # 12:30 there: lunch, still on
    assert hours.opened_at(cfg, monday_noon) == datetime(2026, 11, 23, 9, 0, tzinfo=cfg.tz)
    night = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 there
    saturday = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert hours.opened_at(cfg, night) is None and hours.opened_at(cfg, saturday) is None
    heard = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)  # 17:05 there, after closing
    tuesday_0905 = datetime(2026, 11, 24, 1, 5, tzinfo=UTC)
    assert hours.silent_for(cfg, heard, tuesday_0905) == 300  # counted from opening
    assert state(cfg, 0, heard, night, 600) == "closed"
    assert state(cfg, 0, heard, tuesday_0905, 600) == "ok"
    assert state(cfg, 0, heard, datetime(2026, 11, 24, 2, 0, tzinfo=UTC), 600) == "silent"
    assert state(cfg, 5, heard, night, 600) == "behind"
    assert state(None, 0, heard, night, 600) == "silent"  # no config: expected at any hour
