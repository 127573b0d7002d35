"""The invitation state machine: one press per finish, only within the invitation."""

import pytest

from rater import strings
from rater.rating import RatingSession, Submission, score_of


def session(screen=False):
    return RatingSession(invite_s=60, reasons_s=15, has_screen=screen)


def test_no_press_outside_an_invitation_does_anything():
    s = session()
    assert s.press(5, 0.0) is None and s.state == "idle"


def test_one_press_submits_and_further_presses_are_ignored_until_the_next_finish():
    s = session()
    s.open("A001", 10.0)
    assert s.press(4, 12.0) == Submission(4, (), "A001")
    assert s.press(5, 13.0) is None
    assert s.state == "thanks"
    s.tick(20.0)
    assert s.state == "idle" and s.press(5, 21.0) is None
    s.open("A002", 30.0)
    assert s.press(5, 31.0) == Submission(5, (), "A002")


def test_invitation_ends_after_invite_s_with_nothing_sent():
    s = session()
    s.open("A001", 10.0)
    assert s.tick(69.9) is None and s.state == "inviting"
    assert s.tick(70.0) is None and s.state == "idle"
    assert s.press(5, 70.0) is None


def test_bad_rating_without_screen_goes_at_once_without_reasons():
    s = session(screen=False)
    s.open("A001", 0.0)
    assert s.press(2, 1.0) == Submission(2, (), "A001")


def test_bad_rating_with_screen_waits_for_reasons_then_submits_what_was_chosen():
    s = session(screen=True)
    s.open("A001", 0.0)
    assert s.press(1, 1.0) is None and s.state == "reasons"
    s.toggle_reason(1)
    s.toggle_reason(4)
    s.toggle_reason(4)
    s.toggle_reason(9)  # no such button: nothing
    assert s.tick(15.9) is None
    assert s.tick(16.0) == Submission(1, (strings.BAD_REASONS[1],), "A001")
    assert s.press(1, 16.5) is None


def test_submit_button_sends_reasons_at_once():
    s = session(screen=True)
    s.open("A001", 0.0)
    s.press(2, 1.0)
    s.toggle_reason(0)
    assert s.confirm(2.0) == Submission(2, (strings.BAD_REASONS[0],), "A001")
    assert s.confirm(3.0) is None


def test_new_finish_while_choosing_reasons_sends_the_pending_bad_rating_first():
    s = session(screen=True)
    s.open("A001", 0.0)
    s.press(1, 1.0)
    assert s.open("A002", 5.0) == Submission(1, (), "A001")
    assert s.state == "inviting" and s.ticket == "A002"


def test_rated_elsewhere_closes_the_invitation_only_for_that_ticket():
    s = session()
    s.open("A001", 0.0)
    s.rated("A000")
    assert s.state == "inviting"
    s.rated("A001")
    assert s.state == "idle"


def test_leds_blink_while_inviting_then_show_the_chosen_key():
    s = session()
    assert set(s.leds().values()) == {"off"}
    s.open("A001", 0.0)
    assert s.leds()["rate_3"] == "blink" and s.leds()["invite"] == "blink"
    s.press(3, 1.0)
    leds = s.leds()
    assert leds["rate_3"] == "on" and leds["thanks"] == "on"
    assert [k for k, m in leds.items() if m != "off"] == ["rate_3", "thanks"]


@pytest.mark.parametrize("key", ["rate_0", "rate_6", "call_next", ""])
def test_score_of_refuses_other_keys(key):
    with pytest.raises(ValueError):
        score_of(key)


def test_score_of_maps_rate_5_to_very_satisfied():
    assert [score_of(f"rate_{i}") for i in range(1, 6)] == [1, 2, 3, 4, 5]
    assert strings.SCORE_LABELS[score_of("rate_5")] == "非常满意"
