"""Call-order policies (docs/call-order.md): strict, ratio and ageing."""

from __future__ import annotations

from .engine_helpers import Hall, with_queue


def drain(hall, window: int) -> list[str]:
    out = []
    while (no := hall.next(window)) is not None:
        out.append(no)
        hall.win(window, "finish")
        hall.wait(1)
    return out


def queue_mixed(hall) -> None:
    """Five ordinary A tickets, then three green-channel ones."""
    for _ in range(5):
        hall.take("A")
        hall.wait(1)
    for p in ("elderly", "disabled", "pregnant"):
        hall.take("A", priority=p)
        hall.wait(1)


def test_strict_serves_every_green_ticket_first(cfg):
    hall = Hall(with_queue(cfg, policy="strict"))
    queue_mixed(hall)
    hall.open(1)
    assert drain(hall, 1) == ["A006", "A007", "A008", "A001", "A002", "A003", "A004", "A005"]


def test_ratio_one_green_then_n_others(cfg):
    hall = Hall(with_queue(cfg, policy="ratio", ratio_n=2))
    queue_mixed(hall)
    hall.open(1)
    assert drain(hall, 1) == ["A006", "A001", "A002", "A007", "A003", "A004", "A008", "A005"]


def test_ratio_green_goes_when_no_other_waits(cfg):
    hall = Hall(with_queue(cfg, policy="ratio", ratio_n=3))
    hall.take("A", priority="elderly")
    hall.take("A", priority="military")
    hall.open(1)
    assert drain(hall, 1) == ["A001", "A002"]


def test_ageing_lets_a_long_wait_pass_the_windows_preference(cfg):
    # window 2 prefers A over B; B001 has waited past ageing_s, A002 has not
    hall = Hall(with_queue(cfg, policy="ageing", ageing_s=600))
    hall.take("B")
    hall.wait(601)
    hall.take("A")
    hall.take("A", priority="elderly")
    hall.open(2)
    assert drain(hall, 2) == ["A002", "B001", "A001"]


def test_strict_keeps_the_preference_however_long_the_wait(cfg):
    hall = Hall(with_queue(cfg, policy="strict"))
    hall.take("B")
    hall.wait(3600)
    hall.take("A")
    hall.open(2)
    assert drain(hall, 2) == ["A001", "B001"]


def test_ageing_orders_aged_tickets_by_time_not_preference(cfg):
    hall = Hall(with_queue(cfg, policy="ageing", ageing_s=600))
    hall.take("B")
    hall.wait(5)
    hall.take("A")
    hall.wait(700)
    hall.take("A")
    hall.open(2)
    assert drain(hall, 2) == ["B001", "A001", "A002"]
