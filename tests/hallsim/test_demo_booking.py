"""hall-demo books part of its citizens ahead through the booking ops (some never come, some
come late) and its verdict sets booked citizens' waits beside walk-ins' (issue 26 item 7)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from hallsim import booking
from hallsim.day import plan_day
from hallsim.demo import main
from wire.config import load_config

EXAMPLE = "examples/hall.toml"


def test_the_plan_books_a_share_of_the_bookable_visits_with_no_shows_and_late_ones():
    cfg = load_config(EXAMPLE)
    day = datetime.fromisoformat("2026-11-23T00:00:00+08:00")
    now = day.replace(hour=8, minute=50)
    visits = plan_day(cfg, day, now, day.replace(hour=17), 420, seed=7)
    walk_ins, booked = booking.plan(cfg, visits, now, seed=7)
    assert len(walk_ins) + len(booked) == len(visits)
    assert all(cfg.booking.bookable(b.visit.service) and b.start > now for b in booked)
    ways = {h: sum(b.how == h for b in booked) for h in ("on_time", "late", "no_show")}
    assert ways["on_time"] > ways["late"] > 0 and ways["no_show"] > 0
    late = next(b for b in booked if b.how == "late")
    assert (late.visit.arrives - late.start).total_seconds() > 15 * 60   # past the grace
    for b in booked:   # one coming in time never stands at a closed kiosk (a false 爽约)
        if b.how == "on_time":
            assert cfg.hours.is_open(b.start.date(), b.visit.arrives.time()), b
    assert booking.plan(cfg, visits, now, seed=7)[1] == booked           # seeded
    assert booking.plan(cfg, visits, now, seed=7, share=0)[1] == []


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_the_demo_books_ahead_and_the_verdict_compares_waits(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["--clock", "2026-11-23T09:25:00+08:00", "--until", "10:40", "--speed", "240",
                 "--out", str(out), "--web", "off", "--book-share", "0.8"]) == 0
    printed = capsys.readouterr().out
    v = json.loads((out / "verdict.json").read_text(encoding="utf-8"))["booking"]
    assert v["made"] > 5 and v["checked_in"] > 0, v
    assert v["booked"]["n"] > 0 and v["walk_in"]["n"] > 0, v
    assert "网上预约:" in printed and "booked (from the slot)" in printed
