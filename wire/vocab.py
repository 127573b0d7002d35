"""The words every room shares on the wire: rating levels and 差评 reasons, the events that move
the queue, the replay's bounds, and which part of an event's data is public. Each is stated
here once; the hub, the nodes, hall-web and the county import it."""

from __future__ import annotations

#: rating levels, 5 = 非常满意 (DESIGN §1); the rating pad, hall-web and the reports show these
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
#: reasons offered after a 差评 (score ≤ 2), on the pad and on the ticket page alike
BAD_REASONS = ("态度不好", "效率低", "材料要求不清", "让我多跑了路", "其他")

#: events that change the retained ``state/queue``
QUEUE_EVENTS = ("issued", "called", "transferred", "skipped", "requeued", "held", "finished",
                "day_closed", "window", "cancelled", "moved")

REPLAY_MAX = 500  # events per events.replay reply (~150 KB of ordinary events)
MAX_SEQ = 2**53   # the largest seq a reader accepts (JSON numbers stay exact below it)


def public(data: dict) -> dict:
    """An event's ``data`` without its private keys (``_``…: id hash, masked id, phone), as
    published on ``event/{kind}`` and sent to the county."""
    return {k: v for k, v in data.items() if not k.startswith("_")}
