"""The window node's small parts: the default login's state machine and the typed inbox."""

from __future__ import annotations

import threading

import pytest

from rater.clerk import Send
from rater.inbox import Answered, HubState, Inbox, Link
from rater.login import DefaultLogin, LoginState


def test_no_default_staff_is_done_from_the_start():
    login = DefaultLogin(None)
    assert login.state is LoginState.DONE and not login.due(0.0)


def test_an_unanswered_login_is_due_again_after_the_retry_time():
    login = DefaultLogin("1003")
    assert login.due(0.0)
    login.sent()
    assert login.state is LoginState.SENT and not login.due(0.0)
    login.answered(unanswered=True, retry_at=10.0)
    assert login.state is LoginState.DUE and not login.due(9.9) and login.due(10.0)
    login.sent()
    login.answered(unanswered=False, retry_at=20.0)   # accepted or refused: never again
    assert login.state is LoginState.DONE and not login.due(99.0)


def test_a_login_not_due_cannot_be_sent():
    login = DefaultLogin("1003")
    login.sent()
    with pytest.raises(RuntimeError, match="sent, not due"):
        login.sent()


def test_the_inbox_keeps_order_and_wakes_a_waiting_loop():
    inbox = Inbox()
    assert inbox.take() is None
    woke = threading.Event()

    def loop():
        inbox.wait(30)
        woke.set()

    t = threading.Thread(target=loop)
    t.start()
    answer = Answered(Send("window.pause", {"window": 3}), {}, None)
    inbox.put(Link(True))
    inbox.put(answer)
    assert woke.wait(10)
    t.join(10)
    assert [inbox.take(), inbox.take(), inbox.take()] == [Link(True), answer, None]


def test_a_message_the_node_does_not_know_is_logged_not_fatal(hall_config, hall_clock, caplog):
    from rater.app import build

    node = build(hall_config, "rater-3", "mqtt://127.0.0.1:9", hall_clock, headless=True,
                 simulate=True, devices={"screen": {"backend": "none"}})
    try:
        node.inbox.put(("state", "queue", {}))     # the old tuple form
        node.inbox.put(HubState("window/3", {"status": "paused"}))
        node.poll()
        assert node.paused and "failed to handle tuple" in caplog.text
    finally:
        node.stop()
