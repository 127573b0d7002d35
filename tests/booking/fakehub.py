"""The booking ops of docs/booking.md's contract played in memory, for hall-web's page tests
while (or where) the hub's own booking ops are not the subject: ``BookingLink`` answers
``booking.*`` itself and hands every other op (ticket.lookup, ticket.take …) to the real hub."""

from __future__ import annotations

import datetime as dt
import secrets
import threading

from wire.contract import HubError

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O/1/I
SLOTS = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def refusal(code: str, message: str) -> HubError:
    exc = HubError(message)
    exc.code = code   # a code booking-hub adds to the wire's list
    return exc


def id_ok(number: str) -> bool:
    """GB 11643: the 18th character is the checksum of the first 17."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return "10X98765432"[sum(int(c) * w for c, w in zip(number, WEIGHTS)) % 11] == number[17]


def with_checksum(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


class FakeBookings:
    def __init__(self, cfg, clock, capacity: int = 2):
        self.cfg, self.clock, self.capacity = cfg, clock, capacity
        self.by_code: dict[str, dict] = {}
        self.closed: set[tuple[str, str]] = set()   # (service, day)
        self.lock = threading.Lock()
        self.calls: list[str] = []

    def booked(self, service: str, day: str, start: str) -> int:
        return sum(1 for b in self.by_code.values() if b["service"] == service and
                   b["day"] == day and b["start"] == start and b["state"] != "cancelled")

    def _day(self, service: str, day: dt.date) -> dict:
        if day.weekday() >= 5:
            return {"day": day.isoformat(), "open": False, "reason": "周末不办公", "slots": []}
        if (service, day.isoformat()) in self.closed:
            return {"day": day.isoformat(), "open": False, "reason": "临时关闭", "slots": []}
        slots = []
        for start in SLOTS:
            end = (dt.datetime.strptime(start, "%H:%M") + dt.timedelta(minutes=30)).strftime(
                "%H:%M")
            n = self.booked(service, day.isoformat(), start)
            slots.append({"start": start, "end": end, "capacity": self.capacity, "booked": n,
                          "free": self.capacity - n})
        return {"day": day.isoformat(), "open": True, "slots": slots}

    def handle(self, op: str, args: dict) -> dict:
        self.calls.append(op)
        with self.lock:
            return getattr(self, op.split(".", 1)[1])(args)

    def slots(self, a: dict) -> dict:
        first = dt.date.fromisoformat(a.get("from") or self.clock.now().date().isoformat())
        return {"service": a["service"], "days": [self._day(a["service"], first + dt.timedelta(d))
                                                  for d in range(a.get("days", 7))]}

    def _slot(self, service: str, day: str, start: str) -> dict:
        entry = self._day(service, dt.date.fromisoformat(day))
        for s in entry["slots"]:
            if s["start"] == start:
                if s["free"] <= 0:
                    raise refusal("slot_full", "该时段已约满")
                return s
        raise refusal("closed", "该日期或时段不开放预约")

    def _answer(self, b: dict) -> dict:
        svc = self.cfg.services[b["service"]]
        at = dt.datetime.fromisoformat(f"{b['day']}T{b['start']}").replace(
            tzinfo=self.clock.now().tzinfo) - dt.timedelta(minutes=120)
        return {k: b[k] for k in ("code", "token", "service", "day", "start", "end")} | {
            "service_name": svc.name, "materials": ["身份证原件", "营业执照复印件"],
            "cancel_until": at.isoformat()}

    def make(self, a: dict) -> dict:
        if not id_ok(a["id_number"]):
            raise refusal("bad_id", "身份证号校验不通过，请核对")
        for b in self.by_code.values():
            if (b["id"], b["service"], b["day"]) == (a["id_number"], a["service"], a["day"]) \
                    and b["state"] == "booked":
                raise refusal("already_booked", "您已预约过该事项当天的时段")
        s = self._slot(a["service"], a["day"], a["start"])
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        b = {"code": code, "token": secrets.token_urlsafe(16), "service": a["service"],
             "day": a["day"], "start": a["start"], "end": s["end"], "state": "booked",
             "id": a["id_number"], "name": a["name"], "phone": a["phone"], "ticket": None}
        self.by_code[code] = b
        return self._answer(b)

    def _find(self, a: dict) -> dict:
        b = self.by_code.get(a.get("code", ""))
        if b is None or not secrets.compare_digest(b["token"], a.get("token", "")):
            raise refusal("not_found", "没有找到预约")
        return b

    def show(self, a: dict) -> dict:
        b = self._find(a)
        out = self._answer(b) | {"state": b["state"], "name_mask": b["name"][0] + "*",
                                 "phone_mask": b["phone"][:3] + "****" + b["phone"][-4:]}
        out.pop("token")
        if b["ticket"]:
            out["ticket"] = b["ticket"]
        return out

    def cancel(self, a: dict) -> dict:
        b = self._find(a)
        if self.clock.now() >= dt.datetime.fromisoformat(self._answer(b)["cancel_until"]):
            raise refusal("too_late", "已过取消期限")
        b["state"] = "cancelled"
        return {"state": "cancelled"}

    def move(self, a: dict) -> dict:
        b = self._find(a)
        s = self._slot(b["service"], a["day"], a["start"])
        b |= {"day": a["day"], "start": a["start"], "end": s["end"]}
        return self._answer(b)


class BookingLink:
    """hall-web's HubLink with the booking ops answered by ``fake``."""

    def __init__(self, link, fake: FakeBookings):
        self._link, self.fake = link, fake

    def __getattr__(self, name):
        return getattr(self._link, name)

    async def request(self, op: str, args: dict, timeout: float = 5.0) -> dict:
        if op.startswith("booking."):
            return self.fake.handle(op, args)
        return await self._link.request(op, args, timeout)
