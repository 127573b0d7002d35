"""22.8: a window node runs for months. With no recorder attached (as in the hall), dozens more
call → finish → rating rounds leave it holding what it held before them. Left aside: the
simulated pads' pins (a test double that keeps its last 256 edges: tests/devices),
``timeline``, bounded to its last 2,000 entries by design (hall-bench reads it), and the hub
client's window of seqs seen, bounded to 4,096 per epoch for the last 4 epochs (checked
here)."""

from __future__ import annotations

from rater.app import build
from tests.helpers import grown, held, trims_once_after_closing
from tests.rater.test_node_hub import Hands, call_and_finish, pump, settle
from wire.clock import HallClock
from wire.seen import EPOCHS_KEPT, SEEN_WINDOW


def test_dozens_of_ratings_leave_nothing_behind(hall_config, broker, hall_clock, hub_service,
                                                 node_client):
    kiosk = node_client("kiosk-1")
    node = build(hall_config, "rater-3", broker.url, hall_clock, headless=True, simulate=True,
                 devices={"screen": {"backend": "offscreen"}, "staff": "1003"})
    node.start()
    hands = Hands(node)

    def rounds(n: int) -> None:
        for i in range(n):
            call_and_finish(node, hands, kiosk)
            answered = node.ratings_answered
            hands.tap(f"rate_{4 + i % 2}")
            pump(node, lambda a=answered: node.ratings_answered == a + 1)
            settle(node)

    def kept() -> dict[str, int]:
        return {k: n for k, n in held(node).items()
                if not k.startswith((".timeline", ".keypad.pins", ".pad.pins", ".client._seen"))}
    try:
        pump(node, lambda: node.online and (node.staff or {}).get("number") == "1003")
        rounds(15)
        before = kept()
        rounds(45)
        assert grown(before, kept()) == {}, grown(before, kept())
        assert node.ratings_sent == node.ratings_answered == 60
        assert len(node.timeline) <= node.timeline.maxlen
        seen = node.client._seen._windows
        assert len(seen) <= EPOCHS_KEPT and all(len(w.order) <= SEEN_WINDOW for w in seen.values())
    finally:
        node.stop()


def test_a_window_node_gives_its_free_memory_back_once_after_the_hall_closes(hall_config,
                                                                            broker):
    clock = HallClock(hall_config.tz, "2026-11-23T16:59:00+08:00", 1.0)
    node = build(hall_config, "rater-3", broker.url, clock, headless=True, simulate=True,
                 devices={"screen": {"backend": "offscreen"}, "staff": "1003"})
    node.start()
    try:
        trims_once_after_closing(node, clock)
    finally:
        node.stop()
