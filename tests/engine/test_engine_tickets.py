"""ticket.take / status / requeue: numbering, hours, caps, the real-name rule, appointments."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.engine.args import check_id_no, check_phone, id_check_char, id_hash, mask_id
from hub.engine.tokens import is_token
from wire.contract import BadRequest, Capped, Closed, Conflict, NoTicket, UnknownService

from .engine_helpers import KEY, MONDAY_10, TZ, Hall, make_id, snapshot, with_service


def test_take_answers_the_ticket_and_logs_issued(hall):
    result = hall.do("kiosk-1", "ticket.take", service="C")
    assert is_token(result["ticket"].pop("token"))  # the ticket page's (test_engine_web.py)
    assert result == {"ticket": {
        "no": "C001", "ticket_id": "20261123-C001", "service": "C", "service_name": "不动产登记",
        "issued_at": "2026-11-23T10:00:00+08:00", "waiting_ahead": 0, "est_wait_s": 0,
        "priority": None, "appointment": False}}
    assert hall.kinds() == ["issued"]


def test_numbers_run_per_prefix_and_count_who_waits_ahead(hall):
    assert [hall.take("A") for _ in range(3)] == ["A001", "A002", "A003"]
    assert hall.take("B") == "B001"
    t = hall.do("kiosk-1", "ticket.take", service="A")["ticket"]
    assert t["no"] == "A004" and t["waiting_ahead"] == 3
    # no window open: one assumed, so 3 × the seeded 900 s of service A
    assert t["est_wait_s"] == 2700
    hall.open(1)
    hall.open(2)
    t = hall.do("kiosk-1", "ticket.take", service="A")["ticket"]
    # window 1 gives A all its time, window 2 half (B001 waits there too): 1.5 windows
    assert t["waiting_ahead"] == 4 and t["est_wait_s"] == 4 * 900 / 1.5


def test_green_channel_ticket_counts_only_green_ahead(hall):
    hall.take("A")
    hall.take("A", priority="elderly")
    t = hall.do("kiosk-1", "ticket.take", service="A", priority="pregnant")["ticket"]
    assert t["waiting_ahead"] == 1 and t["priority"] == "pregnant"


def test_numbers_restart_at_the_halls_midnight_not_utcs(hall):
    hall.take("A")
    hall.take("A")
    # 2026-11-24 00:30 in Beijing is still 2026-11-23 in UTC; the hall opens at 9:00
    hall.at = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
    r = hall.do("kiosk-1", "ticket.take", service="A")["ticket"]
    assert (r["no"], r["ticket_id"]) == ("A001", "20261124-A001")


@pytest.mark.parametrize("when", [
    datetime(2026, 11, 23, 8, 59, 59, tzinfo=TZ),   # before opening
    datetime(2026, 11, 23, 12, 30, tzinfo=TZ),      # lunch
    datetime(2026, 11, 23, 17, 0, tzinfo=TZ),       # closing time
    datetime(2026, 11, 28, 10, 0, tzinfo=TZ),       # Saturday
    datetime(2026, 10, 1, 10, 0, tzinfo=TZ),        # National Day holiday (a Thursday)
    datetime(2026, 11, 23, 9, 30, tzinfo=UTC),  # 9:30 UTC is 17:30 in the hall
])
def test_closed_outside_hours_changes_nothing(cfg, when):
    hall = Hall(cfg, when)
    before = snapshot(hall.engine)
    with pytest.raises(Closed) as err:
        hall.take("A")
    assert err.value.code == "closed"
    assert snapshot(hall.engine) == before and hall.log == []


def test_open_on_an_extra_working_saturday_and_a_utc_request_time(cfg):
    assert Hall(cfg, datetime(2026, 10, 10, 9, 0, tzinfo=TZ)).take("A") == "A001"
    utc = Hall(cfg, MONDAY_10.astimezone(UTC))
    t = utc.do("kiosk-1", "ticket.take", service="A")["ticket"]
    assert t["issued_at"] == "2026-11-23T10:00:00+08:00"


def test_daily_cap(cfg):
    hall = Hall(with_service(cfg, "B", daily_cap=2))
    hall.take("B")
    hall.take("B")
    before = snapshot(hall.engine)
    with pytest.raises(Capped):
        hall.take("B")
    assert snapshot(hall.engine) == before
    assert hall.take("A") == "A001"  # other services unaffected


def test_slot_cap_resets_with_the_next_slot(cfg):
    services = dict(cfg.services)
    caps = tuple(dataclasses.replace(c, cap=1) for c in cfg.services["C"].slot_caps)
    services["C"] = dataclasses.replace(services["C"], slot_caps=caps)
    hall = Hall(dataclasses.replace(cfg, services=services))
    hall.take("C")
    with pytest.raises(Capped):
        hall.take("C")
    hall.at = datetime(2026, 11, 23, 13, 0, tzinfo=TZ)
    assert hall.take("C") == "C002"
    with pytest.raises(Capped):
        hall.take("C")


def test_three_digits_a_day_then_capped(hall):
    hall.engine.state.seq_day = MONDAY_10.date()
    hall.engine.state.seq["H"] = 998  # as if 998 were issued (the daily cap of H is 400)
    hall.cfg = cfg = with_service(hall.cfg, "H", daily_cap=999)
    hall.engine.cfg = hall.engine.state.cfg = cfg
    assert hall.take("H") == "H999"
    with pytest.raises(Capped):
        hall.take("H")


def test_real_name_one_active_ticket_per_service(hall):
    id_no = make_id()
    no = hall.take("A", id_no=id_no)
    with pytest.raises(Conflict) as err:
        hall.take("A", id_no=id_no.lower())  # a lower-case x is the same number
    assert no in err.value.message
    assert hall.take("B", id_no=id_no) == "B001"  # another service is fine
    hall.open(1)
    hall.next(1)
    hall.win(1, "finish")
    assert hall.take("A", id_no=id_no) == "A002"  # the first one has ended


def test_id_number_kept_only_hashed_and_masked(hall):
    id_no = make_id("11010519491231002")
    hall.take("A", id_no=id_no, phone="13800138000")
    ev = hall.log[0][0]
    assert ev.data["_id_hash"] == id_hash(KEY, id_no)
    assert ev.data["_id_masked"] == "1101**********" + id_no[-4:]
    assert ev.data["_phone"] == "13800138000"
    public = repr(ev.public())
    assert id_no not in public and "13800138000" not in public
    assert not [k for k in ev.public() if k.startswith("_")]


@pytest.mark.parametrize("args", [
    {"service": 1}, {"service": ""}, {"service": "A", "priority": "vip"},
    {"service": "A", "priority": True}, {"service": "A", "id_no": "123"},
    {"service": "A", "id_no": make_id()[:-1] + ("0" if make_id()[-1] != "0" else "1")},
    {"service": "A", "id_no": "610102199002307128"},  # 30 February
    {"service": "A", "phone": "12345"}, {"service": "A", "colour": "red"}, {},
])
def test_bad_take_args(hall, args):
    before = snapshot(hall.engine)
    with pytest.raises(BadRequest) as err:
        hall.do("kiosk-1", "ticket.take", **args)
    assert err.value.code == "bad_request"
    assert snapshot(hall.engine) == before
    assert "610102" not in err.value.message  # the number is never echoed


def test_unknown_service(hall):
    with pytest.raises(UnknownService) as err:
        hall.take("Z")
    assert err.value.code == "unknown_service"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_check_digit_round_trip(body):
    # dates inside the body may be impossible; only the check digit is under test here
    full = body + id_check_char(body)
    try:
        assert check_id_no(full) == full
    except BadRequest as exc:
        assert "birth date" in exc.message
        return
    for wrong in "0123456789X":
        if wrong != full[-1]:
            with pytest.raises(BadRequest):
                check_id_no(body + wrong)
    assert mask_id(full) == full[:4] + "*" * 10 + full[-4:]


def test_known_id_number_check_digit():
    # the national standard's worked example (GB 11643-1999): 11010519491231002X
    assert id_check_char("11010519491231002") == "X"
    assert check_id_no("11010519491231002x") == "11010519491231002X"


def test_status_and_requeue(hall):
    hall.take("A")
    hall.take("A")
    s = hall.do("board-1", "ticket.status", no="A002")["ticket"]
    assert s["status"] == "waiting" and s["waiting_ahead"] == 1
    hall.open(1)
    hall.next(1)
    hall.win(1, "skip")
    assert hall.do("admin", "ticket.status", no="A001")["ticket"]["status"] == "skipped"
    hall.wait(60)
    hall.take("A")
    hall.wait(60)
    hall.do("kiosk-1", "ticket.requeue", no="A001")
    # back in the queue behind those already waiting (A002, A003)
    assert hall.next(1) == "A002"
    hall.win(1, "finish")
    assert hall.next(1) == "A003"
    hall.win(1, "finish")
    assert hall.next(1) == "A001"


def test_status_and_requeue_errors(hall):
    with pytest.raises(NoTicket):
        hall.do("kiosk-1", "ticket.status", no="A001")
    with pytest.raises(BadRequest):
        hall.do("kiosk-1", "ticket.status", no="a1")
    hall.take("A")
    with pytest.raises(Conflict):
        hall.do("kiosk-1", "ticket.requeue", no="A001")  # not skipped


def test_appointment_checks_in_and_goes_before_ordinary_tickets(hall):
    slot = MONDAY_10 + timedelta(minutes=20)
    hall.do("admin", "appointment.book", code="YY001", service="A", slot=slot.isoformat())
    hall.take("A")
    t = hall.do("kiosk-1", "ticket.take", service="A", appointment="YY001")["ticket"]
    assert t["appointment"] is True and t["no"] == "A002"
    with pytest.raises(Conflict):
        hall.take("A", appointment="YY001")  # checked in once only
    hall.open(1)
    assert hall.next(1) == "A001"  # the slot has not come yet
    hall.win(1, "finish")
    hall.take("A")
    hall.wait(minutes=20)
    assert hall.next(1) == "A002"  # its slot has come: ahead of A003


def test_appointment_by_id_too_early_and_late(hall):
    id_no = make_id()
    slot = MONDAY_10 + timedelta(hours=2)  # 12:00, checks in from 11:30
    hall.do("admin", "appointment.book", code="YY9", service="B", slot=slot.isoformat(),
            id_no=id_no)
    with pytest.raises(Conflict) as err:
        hall.take("B", appointment="YY9")
    assert "11:30" in err.value.message
    with pytest.raises(BadRequest):
        hall.take("B", appointment="NOPE")
    with pytest.raises(BadRequest):
        hall.take("A", appointment="YY9")
    hall.at = slot - timedelta(minutes=10)
    r = hall.do("kiosk-1", "ticket.take", service="B", id_no=id_no)["ticket"]
    assert r["appointment"] is True
    late = Hall(hall.cfg)
    late.do("admin", "appointment.book", code="L1", service="A",
            slot=(MONDAY_10 - timedelta(minutes=16)).isoformat())
    r = late.do("kiosk-1", "ticket.take", service="A", appointment="L1")["ticket"]
    assert r["appointment"] is False and late.log[-1][0].data["late"] is True
    with pytest.raises(Conflict):
        late.do("admin", "appointment.book", code="L1", service="A",
                slot=MONDAY_10.isoformat())
    with pytest.raises(BadRequest):
        late.do("admin", "appointment.book", code="L2", service="A", slot="2026-11-23T10:00")


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mobile_numbers_accepted(phone):
    assert check_phone(phone) == phone


@given(st.text(max_size=15).filter(lambda s: not s.strip().isdigit()))
def test_phone_refuses_non_numbers_without_echoing_them(text):
    try:
        check_phone(text)
    except BadRequest as exc:
        assert exc.message == "args.phone must be a mobile or landline number"
    else:
        assert "-" in text  # only a landline like 029-88886666 passes



def test_an_appointment_checks_in_by_code_alone(cfg):
    hall = Hall(cfg)
    slot = MONDAY_10 + timedelta(minutes=15)
    hall.do("admin", "appointment.book", code="YY002", service="C", slot=slot.isoformat())
    ticket = hall.do("kiosk-1", "ticket.take", appointment="YY002")["ticket"]
    assert ticket["service"] == "C" and ticket["no"] == "C001" and ticket["appointment"] is True
    before = snapshot(hall.engine)
    with pytest.raises(BadRequest):
        hall.do("kiosk-1", "ticket.take", appointment="NO-SUCH-CODE")
    with pytest.raises(BadRequest):
        hall.do("kiosk-1", "ticket.take")  # neither a service nor a booking
    assert snapshot(hall.engine) == before
