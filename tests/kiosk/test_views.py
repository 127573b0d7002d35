"""The kiosk's view state, without a screen: what a citizen typed or chose, and when the
screen goes home."""

from __future__ import annotations

import time

from kiosk.screens import RED
from kiosk.views import MAX_CODE, View, ViewState


def test_check_in_typing_and_the_pick_view():
    v = ViewState(result_s=15.0)
    v.start_check_in()
    assert v.view == View.CHECK_IN and v.until is not None
    v.key("ok")                                   # nothing typed: stays
    assert v.view == View.CHECK_IN
    for ch in "98A" + "7" * 20:
        v.key(ch)
    assert len(v.code) == MAX_CODE and v.code.startswith("98A")
    v.key("delete")
    assert len(v.code) == MAX_CODE - 1
    v.key("ok")
    assert v.view == View.CHECK_IN_PICK


def test_a_priority_toggles_and_never_passes_to_the_next_citizen():
    v = ViewState(result_s=15.0)
    v.toggle_priority("elderly")
    assert v.priority == "elderly" and v.until is not None
    v.toggle_priority("elderly")
    assert v.priority is None and v.until is None
    v.toggle_priority("disabled")
    v.home()
    assert v.priority is None and v.code == "" and v.message is None and v.view == View.HOME


def test_messages_and_results_go_home_when_their_time_is_up():
    v = ViewState(result_s=15.0)
    v.say("无法取号", ["原因"], RED)
    assert v.view == "message" and v.message.title == "无法取号" and v.message[0] == "无法取号"
    assert not v.expired()
    v.until = time.monotonic() - 1   # as if result_s had passed
    assert v.expired()
    v.result({"no": "A001", "service_name": "x", "lines": [], "print_failed": False})
    assert v.view == View.RESULT and v.shown["no"] == "A001" and not v.expired()
