"""Time and epochs against the real hub: nodes whose clocks disagree with the hub's are served,
a request the node gave up on never acts later, and a hub started on a new database is heard by
nodes that had seen higher seqs. (Needs the hub side of wire decisions 1 and 2: ``ttl_ms``
measured from receipt and ``epoch`` in events and retained state.)"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import MONDAY_10
from tests.helpers import eventually, rows
from wire.client import HubClient, HubUnreachable
from wire.clock import HallClock
from wire.contract import NoTicket

from .cable import Cable

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def clients():
    made = []

    def start(client):
        client.start()
        made.append(client)
        assert client.wait_connected(5)
        return client

    yield start
    for client in made:
        client.stop()


def called_board(cfg, broker, clock, start):
    """A call board's view: each new ``called`` event, by number."""
    board = HubClient(cfg, "board-1", broker.url, clock)
    heard: list[dict] = []
    board.on_event("called", lambda _kind, ev: heard.append(ev))
    start(board)
    assert eventually(lambda: "board" in board.state)  # subscribed: retained state arrived
    return board, heard


@pytest.mark.parametrize("skew_min", [-10, 10])
def test_nodes_whose_clock_is_10_minutes_off_take_tickets_and_call(
        hall_config, broker, hub_service, clients, skew_min):
    """The hub reads Monday 10:00, every node 9:50 (or 10:10): requests carry how long the node
    still waits, not a time both must agree on, so nothing is refused as expired."""
    start = datetime.fromisoformat(MONDAY_10) + timedelta(minutes=skew_min)
    node_clock = HallClock(hall_config.tz, start)
    kiosk = clients(HubClient(hall_config, "kiosk-1", broker.url, node_clock))
    clerk = clients(HubClient(hall_config, "rater-3", broker.url, node_clock))
    _, heard = called_board(hall_config, broker, node_clock, clients)
    no = kiosk.request("ticket.take", {"service": "B"}, timeout=2)["ticket"]["no"]
    clerk.request("window.login", {"window": 3, "staff": "1003"}, timeout=2)
    called = clerk.request("window.call_next", {"window": 3}, timeout=2)
    assert no == "B001" and called["ticket"]["no"] == no
    assert eventually(lambda: [ev["no"] for ev in heard] == [no])
    assert heard[0]["at"].startswith("2026-11-23T10:00")  # stamped with the hub's time


def test_a_request_the_node_gave_up_on_never_acts_later(
        hall_config, broker, hall_clock, hub_service, clients):
    """The link loses every packet (paho notices nothing before its keepalive); the kiosk gives
    up on its ticket and tells the person so. The cable is then pulled and the kiosk reconnects:
    no copy of the abandoned request may reach the hub and issue a ticket. At QoS 1 paho would
    re-send its unacknowledged copy on the new connection, and the hub, measuring ``ttl_ms``
    from receipt, would act on it."""
    cable = Cable(broker.host, broker.port)
    kiosk = HubClient(hall_config, "kiosk-1", cable.url, hall_clock)
    ups: list[bool] = []
    kiosk.on_connection(ups.append)
    try:
        clients(kiosk)
        with pytest.raises(NoTicket):  # the path works: the hub answers
            kiosk.request("ticket.status", {"no": "A001"}, timeout=5)
        cable.lose()
        with pytest.raises(HubUnreachable):
            kiosk.request("ticket.take", {"service": "A"}, timeout=1.5)
        assert eventually(lambda: cable.swallowed > 0)  # sent, and re-sent, into the loss
        cable.pull()
        assert eventually(lambda: ups == [True, False, True], timeout=10)
        # whatever the reconnect re-sent went out before this request, on the same connection
        assert kiosk.request("ticket.take", {"service": "A"}, timeout=5)["ticket"]["no"] == "A001"
        hub_service.service.flush_published()
        assert len(rows(hub_service.db_path, "SELECT seq FROM events WHERE kind = 'issued'")) == 1
    finally:
        kiosk.stop()
        cable.close()


def test_a_hub_on_a_new_database_is_heard_by_nodes_that_saw_higher_seqs(
        hall_config, broker, hall_clock, hub_service, clients, tmp_path):
    """The SD card is replaced (or a backup restored): the hub numbers its events from 1 again.
    A call board that heard seqs up to N must still announce the next call."""
    kiosk = clients(HubClient(hall_config, "kiosk-1", broker.url, hall_clock))
    clerk = clients(HubClient(hall_config, "rater-3", broker.url, hall_clock))
    board, heard = called_board(hall_config, broker, hall_clock, clients)
    everything: list[int] = []
    board.on_event("*", lambda _kind, ev: everything.append(ev["seq"]))

    def a_morning(tickets: int) -> str:
        for _ in range(tickets):
            kiosk.request("ticket.take", {"service": "B"})
        clerk.request("window.login", {"window": 3, "staff": "1003"})
        return clerk.request("window.call_next", {"window": 3})["ticket"]["no"]

    first = a_morning(4)
    assert eventually(lambda: [ev["no"] for ev in heard] == [first])
    old_epoch, high = heard[0]["epoch"], max(everything)

    hub_service.stop()
    hub_service.db_path = str(tmp_path / "new-card.db")
    hub_service.start(take_over=True)  # a new card serves by the operator's act (one-hub.md)
    again = a_morning(1)
    assert eventually(lambda: len(heard) == 2)
    assert heard[1]["no"] == again == "B001"
    assert heard[1]["seq"] <= high  # without epochs the board would have dropped it
    assert heard[1]["epoch"] != old_epoch
    assert eventually(lambda: board.state["board"]["epoch"] == heard[1]["epoch"])
    assert board.epoch == heard[1]["epoch"]
