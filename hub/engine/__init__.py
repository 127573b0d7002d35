"""The hub's queue engine: pure rules, no I/O. See hub.engine.engine.QueueEngine."""

from hub.engine import projection
from hub.engine.engine import QueueEngine
from hub.engine.types import Context, Decision, Event

__all__ = ["Context", "Decision", "Event", "QueueEngine", "projection"]
