"""The console's node table says which hub machine serves and how its standby is (web.hallview,
from the hub's retained health); a hall without a standby shows no hub row."""

from __future__ import annotations

from datetime import datetime

from web.hallview import HallView


def rows(hall_config, hub: dict) -> list[dict]:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=hall_config.tz)
    return HallView(hall_config).snapshot({}, {"hub": hub}, now)["nodes"]


def test_the_serving_machine_and_a_standby_in_sync(hall_config):
    first = rows(hall_config, {"status": {"online": True}, "health": {"store": "ok", "standby": {
        "serving": "hub-a", "term": 6, "standby": "hub-b", "state": "in_sync", "ack_ms": 1.4}}})[0]
    assert first["node"] == "hub" and first["online"]
    assert first["health"] == "主用 hub-a（任期 6）；备用 hub-b 已同步（复制确认 1.4 毫秒）"


def test_a_missing_standby_says_since_when_the_hub_serves_alone(hall_config):
    first = rows(hall_config, {"status": {"online": True}, "health": {"standby": {
        "serving": "hub-b", "term": 9, "standby": "hub-a", "state": "missing",
        "since": "2026-11-23T10:02:00+08:00", "why": "no acknowledgement"}}})[0]
    assert "备用 hub-a 失联，自 2026-11-23T10:02:00+08:00 起单机运行" in first["health"]


def test_a_hall_without_a_standby_has_no_hub_row(hall_config):
    assert all(r["node"] != "hub" for r in rows(hall_config, {"health": {"store": "ok"}}))


def test_a_missing_standby_says_how_many_records_its_copy_lacks(hall_config):
    first = rows(hall_config, {"status": {"online": True}, "health": {"standby": {
        "serving": "hub-b", "term": 9, "standby": "hub-a", "state": "missing",
        "since": "2026-11-23T10:02:00+08:00", "why": "no acknowledgement", "behind": 12}}})[0]
    assert first["health"].endswith("：no acknowledgement（备用缺 12 条记录）")
    forged = rows(hall_config, {"health": {"standby": {
        "serving": "hub-b", "state": "missing", "behind": "<b>many</b>"}}})[0]
    assert "备用缺" not in forged["health"]
