"""The window node drives a keypad's own display through the KeyPad hooks: the called ticket
while it is served, else the waiting count of the window's services, on change only and the
count at most once a second (hall-clock seconds, moved by hand here)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.keys import KeyPad
from rater.inbox import HubEvent, HubState
from rater.node import RaterNode


class ShowingPad(KeyPad):
    """A KeyPad that records what the node asks its display to show."""

    def __init__(self):
        self.shown: list[tuple[str, object]] = []

    def on_press(self, callback):
        pass

    def set_led(self, name, mode):
        raise ValueError(name)

    def signal(self, kind):
        pass

    def health(self):
        return {"state": "ok"}

    def show_call(self, no):
        self.shown.append(("call", no))

    def show_waiting(self, count):
        self.shown.append(("waiting", count))


class StillClient:
    """A hub client that never connects: the node's inbox is fed by the test."""

    connected = False

    def __init__(self):
        self.state: dict = {}

    def on_event(self, kind, cb):
        pass

    def on_state(self, cb):
        pass

    def on_connection(self, cb):
        pass

    def publish_health(self, payload):
        pass

    def start(self):
        pass

    def stop(self):
        pass


class HandClock:
    def __init__(self, hall_clock):
        self.t, self._hall = 100.0, hall_clock

    def monotonic(self):
        return self.t

    def now(self):
        return self._hall.now()


def _node(hall_config, hall_clock):
    pad, clock = ShowingPad(), HandClock(hall_clock)
    node = RaterNode(hall_config, "rater-3", StillClient(), clock, pad, ShowingPad())
    return node, pad, clock


def _queue(**waiting):
    return {"at": "x", "services": {s: {"name": s, "waiting": n} for s, n in waiting.items()}}


def test_the_default_hooks_do_nothing():
    class Bare(ShowingPad):
        show_call = KeyPad.show_call
        show_waiting = KeyPad.show_waiting

    bare = Bare()
    assert bare.show_call("A012") is None and bare.show_waiting(3) is None
    assert bare.shown == []


def test_waiting_count_of_own_services_on_change_only_and_throttled(hall_config, hall_clock):
    node, pad, clock = _node(hall_config, hall_clock)  # window 3 serves B
    node.inbox.put(HubState("queue", _queue(A=5, B=2)))
    node.poll()
    assert pad.shown == [("waiting", 2)]
    node.inbox.put(HubState("queue", _queue(A=6, B=2)))  # B unchanged: nothing sent
    node.poll()
    clock.t += 0.5
    node.inbox.put(HubState("queue", _queue(A=6, B=3)))
    node.poll()
    assert pad.shown == [("waiting", 2)]  # under a second: held back …
    clock.t += 0.6
    node.poll()
    assert pad.shown == [("waiting", 2), ("waiting", 3)]  # … then shown once


def test_a_call_shows_at_once_and_stays_while_served(hall_config, hall_clock):
    node, pad, clock = _node(hall_config, hall_clock)
    node.inbox.put(HubState("queue", _queue(B=2)))
    node.inbox.put(HubEvent("called", {"window": 3, "no": "B012"}))
    node.inbox.put(HubEvent("called", {"window": 4, "no": "C001"}))  # another window's
    node.poll()
    assert pad.shown[-1] == ("call", "B012")
    clock.t += 5
    node.inbox.put(HubState("queue", _queue(B=1)))
    node.poll()
    assert pad.shown[-1] == ("call", "B012")  # served: the count does not overwrite it
    node.inbox.put(HubEvent("finished", {"window": 3, "no": "B012"}))
    node.poll()
    assert pad.shown[-1] == ("waiting", 1)
    assert node.pad.shown == []  # the rating pad's display is not the caller's


def test_a_display_that_fails_does_not_stop_the_window(hall_config, hall_clock):
    node, pad, clock = _node(hall_config, hall_clock)

    def broken(no):
        raise ValueError(f"ticket number {no!r} does not end in digits")

    pad.show_call = broken
    node.inbox.put(HubEvent("called", {"window": 3, "no": "B"}))
    node.poll()
    assert node.serving


# the clock fixture is only read for wall-clock stamps; the node is made afresh per example
@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(0, 5000), max_size=8))
def test_the_count_is_the_sum_over_the_windows_services(hall_config, hall_clock, waiting):
    node, pad, clock = _node(hall_config, hall_clock)
    node.inbox.put(HubState("queue", _queue(**waiting)))
    node.poll()
    services = hall_config.windows[3].services
    assert pad.shown == [("waiting", sum(waiting.get(s, 0) for s in services))]
