"""The citizen's side of one window: the rating invitation, as a state machine with explicit
times (seconds of the node's monotonic clock), so a test drives it without waiting.

::

    idle ──finished──► inviting ──score ≥ 3──────────────────────────► thanks ──thanks_s──► idle
                          │  └──score ≤ 2, no screen─────────(submit)──►  ▲
                          │  └──score ≤ 2, screen──► reasons ─submit/reasons_s─(submit)─┘
                          └──invite_s, or rated elsewhere──► idle  (nothing is sent)

A press outside ``inviting`` changes nothing; only one submission per invitation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.keys import RATING_KEYS
from rater import strings

THANKS_S = 5.0


@dataclass(frozen=True)
class Submission:
    """The ``rating.submit`` to send: score 1–5, chosen reasons, for the ticket invited."""

    score: int
    reasons: tuple[str, ...]
    ticket: str | None


def score_of(key: str) -> int:
    """``rate_1`` … ``rate_5`` → 1 … 5; ValueError for any other key."""
    if key not in RATING_KEYS:
        raise ValueError(f"not a rating key: {key!r}")
    return RATING_KEYS.index(key) + 1


@dataclass
class RatingSession:
    """One window's invitation. ``has_screen``: a 差评 waits ``reasons_s`` for reasons chosen on
    the screen; without a screen it is submitted at once with no reasons."""

    invite_s: float
    reasons_s: float
    has_screen: bool
    thanks_s: float = THANKS_S
    state: str = "idle"
    ticket: str | None = None
    score: int | None = None
    chosen: list[str] = field(default_factory=list)
    deadline: float = 0.0

    def open(self, ticket: str | None, now: float) -> Submission | None:
        """A finish at this window: invite a rating. A 差评 still waiting for its reasons is
        submitted first (returned) so the earlier citizen's press is not lost."""
        pending = self._submission() if self.state == "reasons" else None
        self.state, self.ticket, self.score, self.chosen = "inviting", ticket, None, []
        self.deadline = now + self.invite_s
        return pending

    def press(self, score: int, now: float) -> Submission | None:
        """A rating key: the submission to send now, or None (ignored, or waiting for reasons)."""
        if self.state != "inviting" or now >= self.deadline:
            return None
        self.score = score
        if score <= 2 and self.has_screen:
            self.state, self.deadline = "reasons", now + self.reasons_s
            return None
        return self._thank(now)

    def toggle_reason(self, index: int) -> None:
        """Choose or un-choose reason ``index`` of :data:`strings.BAD_REASONS` (reasons only)."""
        if self.state != "reasons" or not 0 <= index < len(strings.BAD_REASONS):
            return
        reason = strings.BAD_REASONS[index]
        if reason in self.chosen:
            self.chosen.remove(reason)
        else:
            self.chosen.append(reason)

    def confirm(self, now: float) -> Submission | None:
        """The 提交 button while choosing reasons."""
        return self._thank(now) if self.state == "reasons" else None

    def tick(self, now: float) -> Submission | None:
        """Apply deadlines: an unanswered invitation ends with nothing sent; reasons time out
        into the submission (with what was chosen); the thanks go away."""
        if self.state == "inviting" and now >= self.deadline:
            self._idle()
        elif self.state == "reasons" and now >= self.deadline:
            return self._thank(now)
        elif self.state == "thanks" and now >= self.deadline:
            self._idle()
        return None

    def rated(self, ticket: str | None) -> None:
        """The hub recorded a rating for ``ticket`` (from any path): stop inviting for it."""
        if self.state == "inviting" and ticket in (None, self.ticket):
            self._idle()

    def seconds_left(self, now: float) -> int:
        return max(0, int(self.deadline - now + 0.999))

    def leds(self) -> dict[str, str]:
        """What the pad's LEDs should show: every key blinks while inviting; then the chosen
        key stays lit (with ``thanks``); all off when idle."""
        modes = {key: "off" for key in RATING_KEYS} | {"invite": "off", "thanks": "off"}
        if self.state == "inviting":
            modes.update({key: "blink" for key in RATING_KEYS}, invite="blink")
        elif self.state in ("reasons", "thanks") and self.score is not None:
            modes[RATING_KEYS[self.score - 1]] = "on"
            modes["thanks"] = "on" if self.state == "thanks" else "off"
        return modes

    def _submission(self) -> Submission:
        return Submission(self.score, tuple(self.chosen), self.ticket)

    def _thank(self, now: float) -> Submission:
        sub = self._submission()
        self.state, self.deadline = "thanks", now + self.thanks_s
        return sub

    def _idle(self) -> None:
        self.state, self.ticket, self.score, self.chosen = "idle", None, None, []
