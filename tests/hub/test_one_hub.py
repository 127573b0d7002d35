"""One hall has one hub: a second hub on the same broker refuses to serve, loudly, and the first
one keeps the hall; a stale retained status (a hub that died with the broker) does not block."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hub.claim import PROBE_WAIT_S
from hub.service import HubService
from hub.store import Store
from tests.conftest import EXAMPLE, MONDAY_10
from tests.helpers import eventually, rows

from .mqtt_peer import RawPeer

pytestmark = pytest.mark.timeout(90)


def test_a_second_hub_with_its_own_database_refuses_and_the_first_keeps_the_hall(
        hall_config, hall_clock, broker, hub_service, node_client, tmp_path):
    kiosk = node_client("kiosk-1")
    assert kiosk.request("ticket.take", {"service": "A"})["ticket"]["no"] == "A001"
    second = HubService(hall_config, str(tmp_path / "other.db"), broker.url, hall_clock)
    second.start()
    try:
        assert second.refused.wait(PROBE_WAIT_S + 10), "the second hub did not refuse"
        assert not second.wait_ready(0)
        assert "another hub" in second.claim.refusal and "one hall has one hub" in \
            second.claim.refusal
        # the hall goes on with the first hub's numbers; the second stored nothing
        assert kiosk.request("ticket.take", {"service": "A"})["ticket"]["no"] == "A002"
        assert rows(str(tmp_path / "other.db"), "SELECT * FROM events") == []
        assert eventually(lambda: any(
            json.loads(r["data"]).get("kind") == "second_hub"
            for r in rows(hub_service.db_path, "SELECT data FROM events WHERE kind='alert'")))
    finally:
        second.stop()


def test_a_stale_retained_hub_status_does_not_block_a_new_hub(hall_config, hall_clock, broker,
                                                              tmp_path):
    hub = HubService(hall_config, str(tmp_path / "hall.db"), broker.url, hall_clock)
    # the ghost is this database's own earlier process: another epoch would be refused at once
    ghost = {"online": True, "role": "hub", "version": "0.1.0", "instance": "deadbeefdeadbeef",
             "epoch": hub.epoch, "since": "2026-11-22T09:00:00.000+08:00"}
    peer = RawPeer(broker.url, [], "ghost-writer")
    peer.client.publish("hall/demo/node/hub/status", json.dumps(ghost).encode(), qos=1,
                        retain=True).wait_for_publish(5)
    peer.close()
    hub.start()
    try:
        assert hub.wait_ready(PROBE_WAIT_S + 10), "a stale status kept the hub from serving"
        assert not hub.refused.is_set()
    finally:
        hub.stop()


def test_hall_hub_exits_2_naming_the_other_hub(hub_service, broker, tmp_path):
    done = subprocess.run([sys.executable, "-m", "hub.cli", "--config", str(EXAMPLE),
                           "--broker", broker.url, "--clock", MONDAY_10,
                           "--db", str(tmp_path / "laptop.db")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert hub_service.service.me.instance in done.stderr
    assert "Traceback" not in done.stderr


def _with_meta(path, **values) -> None:
    store = Store(str(path))
    try:
        with store.transaction():
            for key, value in values.items():
                store.set_meta(key, value)
    finally:
        store.close()


def test_a_restored_database_continues_the_old_epoch_and_a_new_one_needs_take_over(
        hall_config, hall_clock, broker, tmp_path):
    old = HubService(hall_config, str(tmp_path / "old.db"), broker.url, hall_clock)
    old.start()
    assert old.wait_ready(10)
    old_epoch = old.epoch
    old.stop()  # its SD card dies; the retained status names its epoch, offline

    blank = HubService(hall_config, str(tmp_path / "blank.db"), broker.url, hall_clock)
    blank.start()
    try:
        assert blank.refused.wait(10) and "--take-over" in blank.claim.refusal
    finally:
        blank.stop()

    # what hall-county restore writes (hub.restore): the epoch this database continues
    _with_meta(tmp_path / "restored.db", restored_from=json.dumps({"epoch": old_epoch, "seq": 0}))
    restored = HubService(hall_config, str(tmp_path / "restored.db"), broker.url, hall_clock)
    restored.start()
    try:
        assert restored.wait_ready(10)
        assert eventually(lambda: [json.loads(r["data"]) for r in rows(
            str(tmp_path / "restored.db"), "SELECT data FROM events WHERE kind='alert'")] == [
            {"kind": "hub_takeover", "epoch": old_epoch, "instance": old.me.instance,
             "how": "restore"}])
    finally:
        restored.stop()
