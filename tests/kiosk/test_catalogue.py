"""Catalogue helpers: areas, live counts from retained state, hours, where to wait."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from kiosk import catalogue


def test_areas_keep_config_order(hall_config):
    groups = catalogue.areas(hall_config)
    assert [a for a, _ in groups] == ["企业服务", "不动产", "民生服务", "公安服务", "税务服务",
                                      "综合服务"]
    assert [s.id for s in groups[0][1]] == ["A", "B"]
    assert sum(len(s) for _, s in groups) == len(hall_config.services)


def test_waiting_counts_take_only_valid_numbers():
    state = {"services": {"A": {"waiting": 3}, "B": {"waiting": -1}, "C": {"waiting": "2"},
                          "D": {"waiting": True}, "E": {}, "F": 7, "G": {"waiting": 0}}}
    assert catalogue.waiting_counts(state) == {"A": 3, "G": 0}


@given(st.recursive(st.none() | st.integers() | st.text(max_size=3),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=2), c,
                                                                         max_size=3)))
def test_waiting_counts_never_raise_on_odd_state(payload):
    counts = catalogue.waiting_counts(payload if isinstance(payload, dict) else None)
    assert all(isinstance(v, int) and v >= 0 for v in counts.values())


def test_hours_text(hall_config):
    assert catalogue.hours_text(hall_config.hours) == "办理时间：周一至周五 09:00-12:00 13:00-17:00"


def test_open_and_closed(hall_config):
    tz = hall_config.tz
    assert catalogue.is_open(hall_config.hours, datetime(2026, 11, 23, 10, 0, tzinfo=tz))
    assert not catalogue.is_open(hall_config.hours, datetime(2026, 11, 23, 12, 30, tzinfo=tz))
    assert not catalogue.is_open(hall_config.hours, datetime(2026, 11, 22, 10, 0, tzinfo=tz))


def test_wait_at_lists_the_windows(hall_config):
    assert catalogue.wait_at(hall_config, "B") == "请到 2号窗口、3号窗口、12号综合窗口 附近等候叫号"


def test_period_changes_with_session_and_day(hall_config):
    tz, hours = hall_config.tz, hall_config.hours
    morning = catalogue.period(hours, datetime(2026, 11, 23, 10, 0, tzinfo=tz))
    assert morning == catalogue.period(hours, datetime(2026, 11, 23, 11, 59, tzinfo=tz))
    assert morning != catalogue.period(hours, datetime(2026, 11, 23, 13, 0, tzinfo=tz))
    assert morning != catalogue.period(hours, datetime(2026, 11, 24, 10, 0, tzinfo=tz))
