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
    led.known(1200, None)  # the hub says its log goes to 1200: a lost tail
    assert led.behind == 1199
    assert led.missing_run(500) == (2, 501)
    led.hold(700)
    assert led.missing_run(1000) == (2, 699)  # up to what is held


def test_a_restored_database_starts_after_its_base():
    led = EpochLedger("a", "new")
    led.hold(42)  # a live event of the restored hub
    assert led.missing_run(500) == (1, 41)
    led.known(42, 41)  # its answer: restored from the old epoch at seq 41
    assert (led.contig, led.behind, led.missing_run(500)) == (42, 0, None)
