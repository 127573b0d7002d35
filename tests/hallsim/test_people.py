"""The demo's clerk presses 办结 again when the window still shows the ticket long after (a press
the node dropped while busy with the last request), as a person would — and never otherwise."""

from datetime import datetime, timedelta

from hallsim.people import PRESS_AGAIN_S, Citizens, Clerk

T0 = datetime.fromisoformat("2026-12-01T10:00:00+08:00")


def test_a_dropped_finish_is_pressed_again_once_the_window_still_shows_the_ticket():
    pressed = []
    clerk = Clerk(3, node=None, desk_hands=lambda key, digit=None: pressed.append(key),
                  pad_hands=None, handled={"A007"}, last_key="finish")
    state = {"status": "open", "serving": {"no": "A007"}}
    for s in (0, 60, PRESS_AGAIN_S - 1):
        clerk.step(state, Citizens([]), T0 + timedelta(seconds=s))
    assert pressed == []
    clerk.step(state, Citizens([]), T0 + timedelta(seconds=PRESS_AGAIN_S))
    assert pressed == ["finish"]
    clerk.step({"status": "open", "serving": None}, Citizens([]),
               T0 + timedelta(seconds=3 * PRESS_AGAIN_S))
    assert pressed == ["finish", "call_next"]  # done at last: the next citizen
