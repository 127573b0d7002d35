"""What reaches a window node from other threads, as typed messages in one inbox.

Pads post key presses from their own threads; the hub client posts events, retained state, the
link going up or down, and answers from its threads. :meth:`RaterNode.poll` takes every message
on its own thread, so the node's state is only ever touched there.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from devices.keys import KeyPad, KeyPress
from rater.clerk import Send


@dataclass(frozen=True)
class Pressed:
    """A key press, stamped when it happened: the hall time and whether the link was up (a
    rating pressed offline travels with its own time)."""

    press: KeyPress
    at: datetime
    connected: bool
    source: KeyPad


@dataclass(frozen=True)
class HubEvent:
    """An event this node follows (``finished``, ``rated``, ``held``, ``called``)."""

    kind: str
    event: dict


@dataclass(frozen=True)
class HubState:
    """A retained state payload (``queue``, ``window/N``)."""

    key: str
    state: dict


@dataclass(frozen=True)
class Link:
    """The hub client's link to the broker went up or down."""

    up: bool


@dataclass(frozen=True)
class Answered:
    """The hub's answer to a clerk's request (or the default login: ``default``)."""

    send: Send
    result: Any
    exc: Exception | None
    default: bool = False


@dataclass(frozen=True)
class RatingAnswered:
    """The hub's answer to a ``rating.submit``."""

    args: dict
    result: Any
    exc: Exception | None


Message = Pressed | HubEvent | HubState | Link | Answered | RatingAnswered


class Inbox:
    """Messages in arrival order; any thread may :meth:`put`, the node's thread takes them."""

    def __init__(self) -> None:
        self._items: collections.deque[Message] = collections.deque()
        self._ready = threading.Condition()

    def put(self, message: Message) -> None:
        with self._ready:
            self._items.append(message)
            self._ready.notify_all()

    def take(self) -> Message | None:
        """The oldest message, or None when there is none."""
        with self._ready:
            return self._items.popleft() if self._items else None

    def wait(self, timeout: float) -> None:
        """Return as soon as a message is waiting, or after ``timeout`` seconds."""
        with self._ready:
            if not self._items:
                self._ready.wait(timeout)

    def __len__(self) -> int:
        with self._ready:
            return len(self._items)
