"""网上预约 in the demo (issue 26 item 7): part of the day's citizens book ahead, through the
ops hall-web uses (``booking.make`` as node ``web``), and on arrival check in on the kiosk's
screen with their code (``booking.checkin``, hallsim.people); some never come (爽约), some
come past the grace (an ordinary ticket). The verdict sets booked citizens' waits beside
walk-ins'.

Pure planning (``plan``) is seeded like hallsim.day; ``Booked`` acts on the hub."""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from hallsim.day import Visit
from hallsim.stats import percentile

SHARE = 0.3          # of the visits to a bookable service that were booked ahead
NO_SHOW = 0.08       # booked, never came
LATE = 0.10          # came after the slot's start + grace: an ordinary ticket
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"


@dataclass
class Booking:
    visit: Visit           # the citizen; ``arrives`` is when they reach the kiosk
    start: datetime        # the slot booked
    how: str               # on_time | late | no_show
    n: int                 # the citizen's number (name, ID, phone are made from it)
    code: str | None = None


def person(n: int) -> dict:
    """A made-up citizen whose ID number passes GB 11643."""
    first = f"3701021978{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 900 + 100:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(first, WEIGHTS)) % 11]
    return {"name": SURNAMES[n % 24] + SURNAMES[n // 24 % 24] + "明",
            "id_number": first + check, "phone": f"15{n:09d}"}


def plan(cfg, visits: list[Visit], now: datetime, seed: int, share: float = SHARE,
         grace_min: int = 15) -> tuple[list[Visit], list[Booking]]:
    """(walk-ins, bookings): ``share`` of the visits to a bookable service whose slot (the
    half hour they would have come in) starts after ``now`` become bookings."""
    rules = cfg.booking
    if rules is None or share <= 0:
        return visits, []
    rng = random.Random(seed + 26)
    step = timedelta(minutes=rules.slot_minutes)
    walk_ins, booked = [], []
    for v in visits:
        midnight = v.arrives.replace(hour=0, minute=0, second=0, microsecond=0)
        start = midnight + step * ((v.arrives - midnight) // step)
        if not rules.bookable(v.service) or start <= now or rng.random() >= share:
            walk_ins.append(v)
            continue
        roll = rng.random()
        how = "no_show" if roll < NO_SHOW else "late" if roll < NO_SHOW + LATE else "on_time"
        arrives = (start + timedelta(minutes=grace_min + rng.uniform(3, 20)) if how == "late"
                   else max(start - timedelta(minutes=rng.uniform(0, 20)),
                            _doors_open(cfg.hours, start)))
        booked.append(Booking(replace(v, arrives=arrives, no_show=False), start, how,
                              len(booked)))
    return walk_ins, booked


def _doors_open(hours, start: datetime) -> datetime:
    """When the session holding the slot ``start`` opens: a citizen coming early for the
    first slot of a session waits at the door and checks in then (the kiosk is closed before)."""
    opens = [a for a, b in hours.sessions if a <= start.time() < b]
    return start.replace(hour=opens[0].hour, minute=opens[0].minute) if opens else start


class Booked:
    """The booked citizens: booked at the start of the day through ``booking.make`` (node
    ``web``); on arrival they check in at the kiosk's screen with their code (hallsim.people)."""

    def __init__(self, bookings: list[Booking], web_client):
        self.bookings, self.web = bookings, web_client
        self.made = self.full = 0

    def book_ahead(self) -> list[Visit]:
        """Books every planned slot; the visits of the day that follow from it: each booked
        citizen who comes, with the code (a 爽约 never comes), and each one whose slot was
        already full (or refused) as a walk-in."""
        visits = []
        for b in self.bookings:
            try:
                made = self.web.request("booking.make", {
                    "service": b.visit.service, "day": b.start.date().isoformat(),
                    "start": f"{b.start:%H:%M}"} | person(b.n), timeout=30)
            except Exception:  # noqa: BLE001 - slot_full or a limit: the citizen walks in
                self.full += 1
                visits.append(b.visit)
                continue
            b.code = made["code"]
            self.made += 1
            if b.how != "no_show":
                visits.append(replace(b.visit, booking=b.code))
        self.bookings = [b for b in self.bookings if b.code]
        return visits

    def stop(self) -> None:
        self.web.stop()

    def summary(self) -> str:
        ways = {h: sum(b.how == h for b in self.bookings) for h in ("on_time", "late", "no_show")}
        return (f"网上预约: {self.made} booked ahead ({self.full} found their slot full and "
                f"walked in); {ways['on_time']} came in time, {ways['late']} past the grace "
                f"(爽约 by the rule, an ordinary ticket), {ways['no_show']} never came")


def waits(db: Path) -> dict:
    """From the hub's log: the wait of booked citizens (from their slot's start, or from the
    check-in when later) beside walk-ins' (from the ticket), and the booking counts."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT kind, at, data FROM events WHERE kind IN ('issued', 'called', "
            "'booking_made', 'booking_checked_in', 'booking_no_show') ORDER BY seq").fetchall()
    since: dict[str, tuple[str, datetime]] = {}
    got: dict[str, list[float]] = {"booked": [], "late": [], "walk_in": []}
    counts = {"booking_made": 0, "booking_checked_in": 0, "booking_no_show": 0}
    for kind, at, data in rows:
        d = json.loads(data)
        if kind in counts:
            counts[kind] += 1
        elif kind == "issued" and not d.get("walk_in"):
            t = datetime.fromisoformat(at)
            group = "walk_in" if not d.get("appointment") else "late" if d.get("late") \
                else "booked"
            if group == "booked" and d.get("slot"):
                t = max(t, datetime.fromisoformat(d["slot"]))
            since[d["ticket_id"]] = (group, t)
        elif kind == "called" and d["ticket_id"] in since:
            group, t = since.pop(d["ticket_id"])
            got[group].append(max(0.0, (datetime.fromisoformat(at) - t).total_seconds()))
    return {"made": counts["booking_made"], "checked_in": counts["booking_checked_in"],
            "no_show": counts["booking_no_show"]} | {g: _figure(w) for g, w in got.items()}


def _figure(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0}
    return {"n": len(samples), "median_min": round(statistics.median(samples) / 60, 1),
            "p90_min": round(percentile(samples, 90) / 60, 1)}


def verdict_line(v: dict) -> str:
    def f(x):
        return (f"{x['n']} citizens, median {x['median_min']} min, p90 {x['p90_min']} min"
                if x.get("n") else "none")
    return (f"  网上预约: {v['made']} booked, {v['checked_in']} checked in, {v['no_show']} 爽约\n"
            f"    waits — booked (from the slot): {f(v['booked'])}; walk-in: {f(v['walk_in'])};"
            f" late booked (as walk-ins): {f(v['late'])}")


def start(cfg, broker_url: str, clock, visits: list[Visit], seed: int,
          share: float = SHARE) -> tuple[list[Visit], Booked | None]:
    """Books the day's share ahead (at the demo's start, for slots still to come): the
    walk-in visits left for the kiosk, and the booked citizens (None: nothing booked)."""
    from wire.client import HubClient

    walk_ins, bookings = plan(cfg, visits, clock.now(), seed, share,
                              cfg.booking.grace_minutes if cfg.booking else 15)
    if not bookings:
        return visits, None
    web = HubClient(cfg, "web", broker_url, clock)   # as hall-web asks for the citizens
    web.start()
    web.wait_connected(5)
    booked = Booked(bookings, web)
    return sorted(walk_ins + booked.book_ahead(), key=lambda v: v.arrives), booked
