"""hub.claim's decisions, one message at a time (the broker is tested in test_one_hub.py)."""

from __future__ import annotations

from hub import claim as claim_module
from hub.claim import HallClaim, HubIdentity

ME = HubIdentity("a" * 16, "e" * 16, "2026-11-23T08:00:00.000+08:00")


def other(since: str, online: bool = True, instance: str = "b" * 16) -> dict:
    return {"online": online, "role": "hub", "instance": instance, "epoch": "f" * 16,
            "since": since}


def serving() -> HallClaim:
    c = HallClaim(ME, "demo")
    c.connected()
    c.on_probe(c.probe_payload())
    assert c.step() == "serve"
    return c


def test_no_other_hub_serves_at_once_and_only_once_per_connection():
    c = serving()
    assert c.step() is None
    c.connected()
    assert not c.serving and c.step() is None  # nothing until its own probe comes back
    c.on_probe(c.probe_payload())
    assert c.step() == "serve"


def test_a_live_other_hub_that_answers_is_refused():
    c = HallClaim(ME, "demo")
    c.connected()
    c.on_status(other("2026-11-23T07:00:00.000+08:00"), retained=True)
    c.on_probe(c.probe_payload())
    assert c.step() is None  # waits for an answer
    c.on_status(other("2026-11-23T07:00:00.000+08:00"), retained=False)  # the answer
    assert c.step() == "refuse" and "b" * 16 in c.refusal and not c.serving


def test_a_silent_retained_status_is_stale(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(claim_module.time, "monotonic", lambda: now[0])
    c = HallClaim(ME, "demo")
    c.connected()
    c.on_status(other("2026-11-23T07:00:00.000+08:00"), retained=True)
    c.on_probe(c.probe_payload())
    assert c.step() is None
    now[0] += claim_module.PROBE_WAIT_S + 0.1
    assert c.step() == "serve"


def test_its_last_will_clears_the_other_hub():
    c = HallClaim(ME, "demo")
    c.connected()
    c.on_status(other("2026-11-23T07:00:00.000+08:00"), retained=True)
    c.on_status(other("2026-11-23T07:00:00.000+08:00", online=False), retained=False)
    c.on_probe(c.probe_payload())
    assert c.step() == "serve"


def test_while_serving_the_older_hub_stays_and_retained_copies_are_old_news():
    c = serving()
    assert c.on_status(other("2026-11-23T07:00:00.000+08:00"), retained=True) is None
    assert c.serving
    assert c.on_status(other("2026-11-23T09:00:00.000+08:00"), retained=False) == "answer"
    assert c.serving  # the younger one must yield
    assert c.on_status(other("2026-11-23T07:00:00.000+08:00"), retained=False) == "refuse"
    assert not c.serving


def test_a_probe_from_another_hub_is_answered_and_remembered_once():
    c = serving()
    probe = {"instance": "c" * 16, "epoch": "d" * 16}
    assert c.on_probe(probe) == "answer" and c.on_probe(probe) == "answer"
    assert c.intruders == [{"instance": "c" * 16, "epoch": "d" * 16}]
