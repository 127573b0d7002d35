"""Two hub machines in one process (hub.standby.run.Machine) over a real etcd and a real broker:
the standby keeps an equal copy, takes over when the serving one stops renewing its lease,
numbering continues, the term grows and rides on events; a hub whose lease lapses stops
acting; a standby whose copy is behind never takes over."""

from __future__ import annotations

import dataclasses
import queue
import threading

import pytest

from hub.standby.lease import EtcdError
from hub.standby.run import Machine
from tests.helpers import eventually, rows
from tests.standby.etcd_parts import ETCD, OneEtcd, free_port
from wire.standby import StandbySettings

pytestmark = [pytest.mark.skipif(not __import__("os").path.exists(ETCD),
                                 reason="etcd-server is not installed (setup.sh installs it)"),
              pytest.mark.timeout(60)]


@pytest.fixture
def etcd(tmp_path):
    server = OneEtcd(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def hall(hall_config, etcd):
    """The example hall with a [standby] of two loopback machines (127.0.0.1 and 127.0.0.2
    share one port: Linux routes all of 127/8 to lo)."""
    st = StandbySettings({"hub-a": "127.0.0.1", "hub-b": "127.0.0.2"}, (etcd.url,) * 3,
                         copy_port=free_port(), lease_ttl_s=2, ack_timeout_s=1.0)
    return dataclasses.replace(hall_config, hall_id=f"sb{free_port()}", standby=st)


class Box:
    """One machine: its Machine, what deposed it, its stand-by thread."""

    def __init__(self, cfg, name, tmp_path, broker, clock):
        self.deposed = threading.Event()
        self.machine = Machine(cfg, name, str(tmp_path / f"{name}.db"), broker.url, clock,
                               run_dir=str(tmp_path / name), deposed=self.deposed.set)
        self.stop = threading.Event()
        self.won = threading.Event()
        self.thread = threading.Thread(target=self._stand_by, daemon=True)
        self.thread.start()

    def _stand_by(self):
        if self.machine.stand_by(self.stop):
            self.won.set()

    def serve(self):
        assert self.won.wait(15), f"{self.machine.machine} never took the lease"
        service = self.machine.serve()
        assert service.wait_ready(10)
        return service

    def power_off(self):
        """As if its power were pulled: nothing more renewed, stored or published."""
        m = self.machine
        m.lease._stop.set()
        m.service._loop.stop()
        m.sender.stop()
        m.service.store.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        if self.machine.service is not None:
            try:
                self.machine.stop()
            except Exception:  # noqa: BLE001 - a machine a test already took apart
                pass


@pytest.fixture
def boxes(hall, tmp_path, broker, hall_clock):
    made = []

    def make(name):
        made.append(Box(hall, name, tmp_path, broker, hall_clock))
        return made[-1]

    yield make
    for box in made:
        box.close()


def take(service, n=1):
    return [service.request_local("kiosk-1", "ticket.take", {"service": "A"})["result"]["ticket"]["no"]
            for _ in range(n)]


def failover_heard(broker) -> list[dict]:
    """What a subscriber to the hall's failover events receives (filled as they come)."""
    import json

    import paho.mqtt.client as mqtt

    heard: list[dict] = []
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="failover-listener")
    sub.on_message = lambda c, u, m: heard.append(json.loads(m.payload))
    subscribed = threading.Event()
    sub.on_subscribe = lambda *a: subscribed.set()
    sub.connect(broker.host, broker.port)
    sub.subscribe("hall/+/event/failover", qos=1)
    sub.loop_start()
    assert subscribed.wait(10)
    return heard


def test_the_standby_takes_over_with_every_ticket_and_the_numbering_goes_on(boxes, tmp_path,
                                                                            broker):
    a = boxes("hub-a")
    a_hub = a.serve()
    b = boxes("hub-b")
    assert eventually(lambda: a.machine.sender.attached, timeout=10)
    assert a.machine.lease.copy_is_current() is False  # it names hub-b, not hub-a
    first = take(a_hub, 3)
    # every acknowledged ticket is on b's disk already (the copy is synchronous)
    copied = rows(tmp_path / "hub-b.db", "SELECT no FROM tickets ORDER BY no")
    assert [r["no"] for r in copied] == first
    term_a = a.machine.lease.term
    heard = failover_heard(broker)
    a.power_off()
    b_hub = b.serve()
    assert b.machine.lease.term > term_a
    # the failover event goes out under its own seq (its data's copy_seq is not the wire seq)
    assert eventually(lambda: heard, timeout=10)
    (row,) = rows(tmp_path / "hub-b.db", "SELECT seq, data FROM events WHERE kind = 'failover'")
    assert heard[0]["seq"] == row["seq"] and heard[0]["copy_seq"] == row["seq"] - 1
    assert heard[0]["term"] == b.machine.lease.term
    after = take(b_hub, 2)
    assert after == [f"A{int(first[-1][1:]) + i:03d}" for i in (1, 2)]
    kinds = [r["kind"] for r in rows(tmp_path / "hub-b.db", "SELECT kind FROM events")]
    assert "failover" in kinds
    issued = rows(tmp_path / "hub-b.db", "SELECT data FROM events WHERE kind = 'issued'")
    assert len(issued) == 5


def test_a_hub_whose_lease_lapses_stops_acting(boxes, tmp_path):
    a = boxes("hub-a")
    hub = a.serve()
    a.machine.lease._stop.set()  # keep-alives stop (cut from etcd): the lease lapses
    a.machine.lease._valid_until = 0  # as the monotonic clock will say after ttl - margin
    with pytest.raises(queue.Empty):  # never answered
        hub.request_local("kiosk-1", "ticket.take", {"service": "A"}, timeout=1)
    assert a.deposed.is_set()
    assert rows(tmp_path / "hub-a.db", "SELECT seq FROM events WHERE kind = 'issued'") == []


def test_a_standby_that_is_behind_never_takes_over(boxes, tmp_path):
    a = boxes("hub-a")
    a_hub = a.serve()
    take(a_hub, 1)  # hub-b does not run: a serves alone and has said so
    b = boxes("hub-b")
    a.machine.sender.stop()  # and b is never attached
    a.power_off()
    assert not b.won.wait(5)  # the lease has long expired; b's copy is not current
    assert a.machine.lease.holder() is None


def test_the_standby_is_said_in_sync_though_etcd_missed_it_the_first_time(boxes):
    a = boxes("hub-a")
    a.serve()
    lease, missed = a.machine.lease, []
    say = lease.say_copy

    def say_copy(standby, in_sync):
        if in_sync and not missed:
            missed.append(standby)
            raise EtcdError("no etcd member answered kv/put: timed out")
        say(standby, in_sync)

    lease.say_copy = say_copy
    b = boxes("hub-b")
    assert eventually(lambda: a.machine.sender.attached, timeout=10)
    assert eventually(b.machine.lease.copy_is_current, timeout=10)
    assert missed == ["hub-b"]


def test_a_missing_standby_is_counted_behind_by_the_records_its_copy_lacks(boxes, tmp_path):
    a = boxes("hub-a")
    a_hub = a.serve()
    b = boxes("hub-b")
    assert eventually(lambda: a.machine.sender.attached, timeout=10)
    take(a_hub, 2)
    held = rows(tmp_path / "hub-b.db", "SELECT max(seq) AS seq FROM events")[0]["seq"]
    b.stop.set()  # b's machine stops: its copy keeps what it held
    b.thread.join(5)
    take(a_hub, 3)

    def lacks() -> int | None:  # the hub may still record its standby_missing alert meanwhile
        now = rows(tmp_path / "hub-a.db", "SELECT max(seq) AS seq FROM events")[0]["seq"]
        health = a.machine.standby_health()
        return now - held if health.get("behind") == now - held else None

    counted = []
    assert eventually(lambda: counted.append(lacks()) or counted[-1], timeout=10)
    assert counted[-1] >= 3  # the three tickets' issued events at least


def test_a_clean_stop_of_the_serving_machine_hands_the_hall_to_its_standby(boxes, tmp_path):
    """``systemctl stop`` (or restart) of the serving machine: its last commit is copied, the
    lease released, and the standby serves at once with every ticket."""
    a = boxes("hub-a")
    a_hub = a.serve()
    b = boxes("hub-b")
    assert eventually(lambda: a.machine.sender.attached, timeout=10)
    first = take(a_hub, 3)
    a.machine.stop()
    assert not a.deposed.is_set()
    b_hub = b.serve()  # b.won within its wait: a standby whose copy etcd says is current
    assert take(b_hub, 1) == [f"A{int(first[-1][1:]) + 1:03d}"]
