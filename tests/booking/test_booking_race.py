"""The hub is the one writer of bookings: many clients racing through the real broker for a
slot's last places get exactly its capacity; bookings survive the hub's restart."""

from __future__ import annotations

import threading

from wire.contract import HubError

from .conftest import engine_helpers as eh

TUE = "2026-11-24"


def _people(n: int):
    return [(eh.make_id(f"320102198001{10 + i % 18:02d}{i:03d}"), f"137{i:08d}")
            for i in range(n)]


def test_concurrent_bookings_for_the_last_places(hub_service, node_client):
    web, kiosk = node_client("web"), node_client("kiosk-1")
    web.request("booking.open_slots", {"service": "A", "day": TUE, "start": "16:30",
                                       "end": "17:00", "capacity": 3, "by": "值班主任"})
    results: list = []
    lock = threading.Lock()
    done = threading.Semaphore(0)
    racers = _people(40)

    def answered(result, exc):
        with lock:
            results.append(exc.code if isinstance(exc, HubError) else
                           ("ok" if result else repr(exc)))
        done.release()

    for i, (id_no, phone) in enumerate(racers):
        (web, kiosk)[i % 2].request_async("booking.make", {
            "service": "A", "day": TUE, "start": "16:30", "name": "李四", "id_number": id_no,
            "phone": phone}, answered)
    for _ in racers:
        assert done.acquire(timeout=30)
    assert sorted(set(results)) == ["ok", "slot_full"], results
    assert results.count("ok") == 3
    day = web.request("booking.day", {"day": TUE})
    a = next(s for s in day["services"] if s["service"] == "A")
    last = next(s for s in a["slots"] if s["start"] == "16:30")
    assert last["booked"] == 3 and len(last["bookings"]) == 3


def test_a_booking_survives_the_hubs_restart(hub_service, node_client):
    web = node_client("web")
    id_no, phone = _people(1)[0]
    made = web.request("booking.make", {"service": "C", "day": TUE, "start": "09:00",
                                        "name": "王五", "id_number": id_no, "phone": phone})
    hub_service.restart()
    shown = web.request("booking.show", {"code": made["code"], "token": made["token"]})
    assert shown["state"] == "booked" and shown["start"] == "09:00"
    slots = web.request("booking.slots", {"service": "C", "from": TUE, "days": 1})
    assert slots["days"][0]["slots"][0]["booked"] == 1


def test_a_booking_survives_a_restore_from_the_countys_copy(hub_service, node_client, tmp_path):
    """hall-county restore rebuilds hall.db from the county's public copy (hub.restore): the
    booking keeps its place and is still checked in by its code and opened by its token."""
    from hub.restore import restore
    from tests.conftest import RunningHub
    from wire.vocab import public

    web, kiosk = node_client("web"), node_client("kiosk-1")
    id_no, phone = _people(1)[0]
    made = web.request("booking.make", {"service": "A", "day": "2026-11-23", "start": "10:30",
                                        "name": "王五", "id_number": id_no, "phone": phone})
    store = hub_service.service.store
    copy = [(e.seq, e.at, e.kind, public(e.data)) for e in store.events_after(0)]
    epoch = store.epoch
    hub_service.stop()
    restored = str(tmp_path / "restored.db")
    restore(hub_service.config, restored, epoch, copy)
    hub = RunningHub(hub_service.config, restored, hub_service.broker, hub_service.clock)
    try:
        shown = web.request("booking.show", {"code": made["code"], "token": made["token"]})
        assert shown["state"] == "booked"
        out = kiosk.request("booking.checkin", {"code": made["code"]})
        assert out["booking"]["state"] == "early" and out["ticket"]["no"] == "A001"
    finally:
        hub.stop()
