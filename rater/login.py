"""The default staff's login (``devices.staff``) as a small state machine.

::

    due ──sent──► sent ──answered (accepted or refused)──► done
     ▲                 └──unanswered (hub away)──► due, again after the retry time
     └── (no default staff: done from the start)

A window must not stay closed because its node booted before the hub: a login the hub never
answered is sent again; one it answered (even with a refusal) is not.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class LoginState(enum.Enum):
    DUE = "due"
    SENT = "sent"
    DONE = "done"


@dataclass
class DefaultLogin:
    """``staff`` is the default staff number, or None (nothing to do)."""

    staff: str | None
    state: LoginState = field(init=False)
    retry_at: float = 0.0

    def __post_init__(self) -> None:
        self.state = LoginState.DUE if self.staff else LoginState.DONE

    def due(self, now: float) -> bool:
        """The login should be sent now (when the hub is reachable and nothing is in flight)."""
        return self.state is LoginState.DUE and now >= self.retry_at

    def sent(self) -> None:
        if self.state is not LoginState.DUE:
            raise RuntimeError(f"the default login is {self.state.value}, not due")
        self.state = LoginState.SENT

    def answered(self, unanswered: bool, retry_at: float) -> None:
        """The request ended: the hub answered it (done), or never did (due at ``retry_at``)."""
        self.state = LoginState.DUE if unanswered else LoginState.DONE
        self.retry_at = retry_at
