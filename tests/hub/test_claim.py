"""hub.claim's decisions, one message at a time (the broker is tested in test_one_hub.py and
tests/blackbox/test_one_hub.py)."""

from __future__ import annotations

import pytest

from hub import claim as claim_module
from hub.claim import HallClaim, HubIdentity

ME = HubIdentity("a" * 16, "e" * 16, "2026-11-23T08:00:00.000+08:00")
EARLY, LATE = "2026-11-23T07:00:00.000+08:00", "2026-11-23T09:00:00.000+08:00"


def other(since: str = EARLY, online: bool = True, instance: str = "b" * 16,
          epoch: str = ME.epoch) -> dict:
    return {"online": online, "role": "hub", "instance": instance, "epoch": epoch,
            "since": since}


def mine() -> dict:
    return {**other(), "instance": ME.instance}


def serving(claim: HallClaim | None = None) -> HallClaim:
    c = claim or HallClaim(ME, "demo")
    c.connected()
    c.on_probe(c.probe_payload())
    assert c.step() == "serve"
    return c


@pytest.fixture
def clock(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(claim_module.time, "monotonic", lambda: now[0])
    return now


def test_no_other_hub_serves_at_once_and_only_once_per_connection():
    c = serving()
    assert c.step() is None
    c.connected()
    assert not c.serving and c.step() is None  # nothing until its own probe comes back
    c.on_probe(c.probe_payload())
    assert c.step() == "serve"
    assert c.took_from is None


def test_a_live_other_hub_that_answers_is_refused():
    c = HallClaim(ME, "demo")
    c.on_status(other(), retained=True)
    c.on_probe(c.probe_payload())
    assert c.step() is None  # waits for an answer
    c.on_status(other(), retained=False)  # the answer
    assert c.step() == "refuse" and "b" * 16 in c.refusal and not c.serving


def test_a_silent_retained_status_of_this_database_is_stale(clock):
    c = HallClaim(ME, "demo")
    c.on_status(other(), retained=True)
    c.on_probe(c.probe_payload())
    assert c.step() is None
    clock[0] += claim_module.PROBE_WAIT_S + 0.1
    assert c.step() == "serve"


def test_its_last_will_clears_the_other_hub():
    c = HallClaim(ME, "demo")
    c.on_status(other(), retained=True)
    c.on_status(other(online=False), retained=False)
    c.on_probe(c.probe_payload())
    assert c.step() == "serve"


@pytest.mark.parametrize("online", [True, False])
@pytest.mark.parametrize("since", [EARLY, LATE])
def test_another_epoch_is_refused_at_once_whatever_its_clock(online, since):
    c = HallClaim(ME, "demo")
    c.on_status(other(since, online, epoch="f" * 16), retained=True)
    c.on_probe(c.probe_payload())
    assert c.step() == "refuse"
    assert "f" * 16 in c.refusal and "--take-over" in c.refusal


def test_the_epoch_it_was_restored_from_is_its_own_and_is_recorded():
    c = HallClaim(ME, "demo", lineage=("f" * 16,))
    c.on_status(other(online=False, epoch="f" * 16), retained=True)
    c.on_probe(c.probe_payload())
    assert c.step() == "serve"
    assert c.took_from == {"epoch": "f" * 16, "instance": "b" * 16, "how": "restore"}


def test_take_over_serves_over_an_offline_or_stale_epoch_but_never_a_live_hub(clock):
    c = HallClaim(ME, "demo", take_over=True)
    c.on_status(other(online=False, epoch="f" * 16), retained=True)
    c.on_probe(c.probe_payload())
    assert c.step() == "serve" and c.took_from["how"] == "take_over"

    live = HallClaim(ME, "demo", take_over=True)
    live.on_status(other(epoch="f" * 16), retained=True)
    live.on_probe(live.probe_payload())
    assert live.step() is None
    live.on_status(other(epoch="f" * 16), retained=False)  # it answers: alive
    assert live.step() == "refuse"


def test_no_retained_status_is_a_new_hall():
    c = serving(HallClaim(ME, "demo"))
    assert c.took_from is None


def test_while_serving_a_live_hub_ordered_first_wins_never_the_older_clock():
    c = serving()
    c.on_status(mine(), retained=False)  # its own status came back: the broker ordered it
    assert c.on_status(other(EARLY), retained=True) is None  # old news
    assert c.on_status(other(EARLY), retained=False) == "answer"  # younger by broker order
    assert c.serving

    d = serving()  # another hub's status came before this one's own: that one was first
    assert d.on_status(other(LATE), retained=False) == "refuse"
    assert not d.serving and "first" in d.refusal


def test_a_tie_after_both_were_told_is_broken_the_same_way_on_both_sides():
    low, high = "1" * 16, "9" * 16
    verdicts = {}
    for me, them in ((low, high), (high, low)):
        c = serving(HallClaim(HubIdentity(me, ME.epoch, EARLY), "demo"))
        c.on_status({**other(), "instance": me}, retained=False)
        assert c.on_status(other(instance=them), retained=False) == "answer"
        verdicts[me] = c.on_status(other(instance=them), retained=False)
    assert verdicts == {low: "answer", high: "refuse"}


def test_a_stall_longer_than_stall_s_starts_the_claim_again(clock):
    c = serving()
    assert not c.stalled(clock[0])
    clock[0] += claim_module.STALL_S / 2
    assert not c.stalled(clock[0]) and c.serving
    clock[0] += claim_module.STALL_S + 0.1
    assert c.stalled(clock[0]) and not c.serving
    assert c.step() is None  # until its probe comes back
    c.on_status(other(), retained=False)  # the hub that served meanwhile
    c.on_probe(c.probe_payload())
    assert c.step() is None
    c.on_status(other(), retained=False)  # and answers
    assert c.step() == "refuse"


def test_a_probe_from_another_hub_is_answered_and_remembered_once():
    c = serving()
    probe = {"instance": "c" * 16, "epoch": "d" * 16}
    assert c.on_probe(probe) == "answer" and c.on_probe(probe) == "answer"
    assert c.intruders == [{"instance": "c" * 16, "epoch": "d" * 16}]
