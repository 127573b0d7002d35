"""How the collector knows what the county misses of one site database's log."""

from __future__ import annotations

from county.ledger import EpochLedger


def test_holding_in_any_order_moves_the_gapless_mark():
    led = EpochLedger("a", "e")
    for seq in (1, 2, 5, 3):
        led.hold(seq)
    assert (led.contig, led.last, led.behind) == (3, 5, 1)
    assert led.missing_run(500) == (4, 4)
    led.hold(4)
    assert (led.contig, led.behind, led.missing_run(500)) == (5, 0, None)


def test_a_known_end_beyond_what_arrived_is_missing_in_bounded_runs():
    led = EpochLedger("a", "e")
    led.hold(1)
    led.confirm(1200)  # the hub says its log goes to 1200: a lost tail
    assert led.behind == 1199
    assert led.missing_run(500) == (2, 501)
    led.hold(700)
    assert led.missing_run(1000) == (2, 699)  # up to what is held


def test_a_restored_database_starts_after_its_base():
    led = EpochLedger("a", "new")
    led.hold(42)  # a live event of the restored hub
    assert led.missing_run(500) == (1, 41)
    led.confirm(42, 41)  # its answer: restored from the old epoch at seq 41
    assert (led.contig, led.behind, led.missing_run(500)) == (42, 0, None)


def test_a_seq_far_beyond_what_is_known_waits_for_the_hub_and_the_hub_s_end_is_the_end():
    led = EpochLedger("a", "e")
    for seq in (1, 2, 3):
        led.hold(seq)
    led.hold(2**52)  # forged, or a site far ahead: no lag of 4.5e15 on its word
    assert (led.last, led.behind, led.missing_run(500)) == (3, 0, None)
    led.confirm(10)  # the hub's answer
    assert (led.behind, led.missing_run(500)) == (7, (4, 10))
    led.hold(11)
    led.confirm(11)
    led.confirm(5)  # an answer ending before what another claim said: the hub's word counts
    assert led.last == 5 and led.behind == 2
