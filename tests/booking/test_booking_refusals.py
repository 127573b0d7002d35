"""What a citizen is told when the hub refuses a booking step: the hub's own reason (with the
date of a 爽约 block), what to do next, and an HTTP status by the refusal's code."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from web.booking import BookingPages
from wire.client import HubUnreachable
from wire.contract import error_from_wire


def request() -> Request:
    r = Request({"type": "http", "method": "GET", "path": "/book", "headers": [],
                 "query_string": b""})
    r.state.csrf = "c" * 32
    return r


@pytest.mark.parametrize("code, message, status, todo", [
    ("blocked", "您近30天内爽约3次，2026-12-23前不能网上预约", 403, "可到大厅现场取号办理"),
    ("slot_full", "该时段已约满，请选择其他时段", 409, "请选择其他时段"),
    ("already_booked", "您已预约2026-11-24的企业开办（一人一事项一天限约一次）", 409, "查看或改约"),
    ("too_late", "已过取消/改约截止时间（11-24 07:30）", 409, "记为爽约"),
    ("rate_limited", "too many requests from web", 429, "稍后再试"),
])
def test_a_refusal_says_why_and_what_to_do(hall_config, code, message, status, todo):
    pages = BookingPages(hall_config, link=None, clock=None)
    exc = error_from_wire({"code": code, "message": message})
    resp = pages.refusal(request(), "预约没有成功", exc, "/book/s/A", "重新选择时段")
    body = resp.body.decode()
    assert resp.status_code == status and todo in body and 'href="/book/s/A"' in body
    # the hub's Chinese reason as it is; an English one for developers becomes the code's
    assert (message if "requests" not in message else "操作过于频繁，请稍后再试") in body


def test_no_answer_from_the_hub_is_a_503_in_chinese(hall_config):
    pages = BookingPages(hall_config, link=None, clock=None)
    resp = pages.refusal(request(), "预约没有成功", HubUnreachable("timeout"), "/book", "返回")
    assert resp.status_code == 503 and "排队系统暂时连接不上" in resp.body.decode()
