"""The clerk keypad's key → op logic: login by digits, transfer choice, held tickets."""

import pytest

from rater import strings
from rater.clerk import ClerkDesk, Send, Tell


def desk():
    return ClerkDesk(3, [("A", "企业开办"), ("C", "不动产登记")])


def test_simple_keys_send_their_op_for_this_window():
    d = desk()
    assert d.key("call_next", None, 0) == Send("window.call_next", {"window": 3})
    assert d.key("finish", None, 0) == Send("window.finish", {"window": 3, "outcome": "done"})
    assert d.key("pause", None, 0) == Send("window.pause", {"window": 3})


def test_login_by_typed_staff_number():
    d = desk()
    assert d.key("login", None, 0).signal is None
    for digit in (1, 0, 0, 3):
        assert isinstance(d.key("digit", digit, 1), Tell)
    assert d.key("login", None, 2) == Send("window.login", {"window": 3, "staff": "1003"})
    tell = d.answer(Send("window.login", {"window": 3, "staff": "1003"}),
                    {"window": {"staff": {"number": "1003", "name": "王芳"}}})
    assert tell == Tell("ok", strings.CLERK["logged_in"].format(name="王芳"))
    assert d.key("logout", None, 3) == Send("window.logout", {"window": 3, "staff": "1003"})


def test_login_with_nothing_typed_or_after_timeout_is_refused():
    d = desk()
    d.key("login", None, 0)
    assert d.key("login", None, 1) == Tell("refused", strings.CLERK["staff_empty"])
    d.key("login", None, 2)
    d.key("digit", 1, 3)
    # 20 s later the half-typed number is gone: 登录 starts a new entry
    assert d.key("login", None, 30).signal is None and d.entry == ""


def test_digit_outside_an_entry_and_logout_when_not_logged_in_are_refused():
    d = desk()
    assert d.key("digit", 5, 0).signal == "refused"
    assert d.key("logout", None, 0) == Tell("refused", strings.CLERK["not_logged_in"])


def test_transfer_lists_choices_then_digit_or_second_press_picks():
    d = desk()
    tell = d.key("transfer", None, 0)
    assert "1.企业开办" in tell.message and "2.不动产登记" in tell.message
    assert d.key("digit", 3, 1).signal == "refused"  # no choice 3
    assert d.key("digit", 2, 1) == Send("window.transfer", {"window": 3, "service": "C"})
    d.key("transfer", None, 2)
    assert d.key("transfer", None, 3) == Send("window.transfer", {"window": 3, "service": "A"})


def test_transfer_without_choices_is_refused():
    assert ClerkDesk(3, []).key("transfer", None, 0).signal == "refused"


def test_call_back_calls_the_oldest_held_ticket():
    d = desk()
    assert d.key("call_back", None, 0).signal == "refused"
    d.ticket_held("B001")
    d.ticket_held("B002")
    send = d.key("call_back", None, 0)
    assert send == Send("window.call_back", {"window": 3, "no": "B001"})
    d.answer(send, {"ticket": {"no": "B001"}})
    assert d.held == ["B002"]


def test_call_next_with_nobody_waiting_is_a_refusal():
    d = desk()
    send = Send("window.call_next", {"window": 3})
    assert d.answer(send, {"ticket": None}) == Tell("refused", strings.CLERK["nobody"])
    assert d.answer(send, None).signal == "refused"
    assert d.answer(send, {"ticket": {"no": "B004"}}) == Tell("ok", "已呼叫 B004")


def test_unknown_key_is_an_error():
    with pytest.raises(ValueError):
        desk().key("rate_5", None, 0)


def test_answers_name_what_was_done():
    d = desk()
    finish = Send("window.finish", {"window": 3, "outcome": "done"})
    assert d.answer(finish, {"ticket": {"no": "B004"}}) == Tell("ok", "已办结 B004")
    assert d.answer(Send("window.pause", {"window": 3}), {"window": {}}) == Tell("ok", "已暂停服务")
