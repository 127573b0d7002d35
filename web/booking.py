"""The citizens' booking pages ``/book`` (issue 26 item 2): service → day → slot → 一次性告知
and the real-name form → the booking's own page (code, QR, cancel, rebook) at
``/book/{code}/{token}``, which opens the ticket page once the kiosk checked the booking in.

The hall's hub owns bookings (docs/booking.md): every step is a ``booking.*`` op; hall-web
keeps nothing but the per-address limits (web/ratelimit.py) and a CSRF cookie."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from web import bookfind, bookform, bookpages, errors, pages
from web import strings as S
from web.ratelimit import Limiter, client_address
from wire.client import HubUnreachable
from wire.contract import HubError

B = S.BOOK
CODE_RE = re.compile(r"^[A-HJ-NP-Z2-9]{8}$")     # no 0/O/1/I (the contract)
SID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: per citizen address: pages seen, bookings/cancels/moves sent, look-ups that found nothing
#: and 查询我的预约 forms sent (right or wrong: web/bookfind.py)
LIMITS = {"page": (120, 60.0), "write": (10, 600.0), "miss": (10, 600.0),
          "find": (5, 600.0)}
#: an open booking page watches for its check-in from this long before its slot to this long
#: after its end (wider than the hub's early_minutes and grace_minutes, which halls may set)
LIVE_BEFORE, LIVE_AFTER = timedelta(hours=2), timedelta(hours=1)
SLOTS_FRESH_S = 2.0   # a booking.slots answer serves every page view this long
#: a hub refusal's HTTP status
STATUS = {"slot_full": 409, "already_booked": 409, "closed": 409, "too_late": 409,
          "blocked": 403, "bad_id": 400, "rate_limited": 429, "not_found": 404}


def why(exc: Exception) -> str:
    """The hub's reason in Chinese (web/errors.py)."""
    return errors.message(exc, S.HUB_AWAY)


class BookingPages:
    def __init__(self, cfg, link, clock, proxies: tuple = (), limiter: Limiter | None = None):
        self.cfg, self.link, self.clock, self.proxies = cfg, link, clock, proxies
        self.limits = limiter or Limiter(LIMITS)
        self._fresh: dict[tuple, tuple[float, dict]] = {}   # (service, day) -> (when, answer)

    # -- plumbing ---------------------------------------------------------------------------
    def address(self, request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"), self.proxies)

    def limited(self, request: Request, kind: str, count: bool = True) -> Response | None:
        """The refusal page when this address used up ``kind`` (else None, and this request
        counted unless ``count`` is False)."""
        address = self.address(request)
        ok = self.limits.allow(kind, address) if count else \
            not self.limits.exhausted(kind, address)
        if ok:
            return None
        minutes = max(1, -(-self.limits.retry_after(kind, address) // 60))
        body, status = bookpages.refused(self.cfg, B["limited_title"],
                                         B["limited"].format(m=minutes), "", "/book",
                                         B["to_list"], 429)
        return HTMLResponse(body, status, headers=pages.NO_STORE)

    def html(self, request: Request, body: str, status: int = 200) -> Response:
        """The page, with the CSRF cookie its forms carry set when the browser has none."""
        resp = HTMLResponse(body, status, headers=pages.NO_STORE)
        if request.cookies.get(bookform.CSRF_COOKIE) != request.state.csrf:
            resp.set_cookie(bookform.CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict",
                            path="/book", secure=self.cfg.web.public_url.startswith("https://"))
        return resp

    def refusal(self, request, title: str, exc: Exception, back: str, back_text: str):
        code = errors.code(exc)
        body, status = bookpages.refused(self.cfg, title, why(exc), S.BOOK_TODO.get(code, ""),
                                         back, back_text, errors.status(exc) if code not in
                                         STATUS else STATUS[code])
        return self.html(request, body, status)

    def expired(self, request, back: str) -> Response:
        body, status = bookpages.refused(self.cfg, B["refused_title"], B["expired"], "",
                                         back, B["back"], 403)
        return self.html(request, body, status)

    # -- choosing a time --------------------------------------------------------------------
    def offered(self) -> list[tuple[str, str, int]]:
        """(id, name, materials count) of each service ``[booking.services]`` makes bookable."""
        rules = self.cfg.booking
        if rules is None:
            return []
        return [(sid, s.name, len(rules.materials(sid)))
                for sid, s in self.cfg.services.items() if rules.bookable(sid)]

    async def window(self, service: str, day: str | None = None) -> dict:
        """``booking.slots``: the hub's whole bookable window, or one day of it. An answer
        serves every citizen for ``SLOTS_FRESH_S``: when a day's places open, a crowd's page
        views cost the hub one read a page, not one per phone; the free counts shown are at
        most that old and ``booking.make`` judges the place itself."""
        key, now = (service, day), time.monotonic()
        seen = self._fresh.get(key)
        if seen is not None and now - seen[0] < SLOTS_FRESH_S:
            return seen[1]
        args = {"service": service} | ({"from": day, "days": 1} if day else {})
        answer = await self.link.request("booking.slots", args)
        if len(self._fresh) > 256:
            self._fresh.clear()
        self._fresh[key] = (time.monotonic(), answer)
        return answer

    def changed(self, service: str) -> None:
        """A booking of ``service`` was made, moved or cancelled here: show it at once."""
        self._fresh = {k: v for k, v in self._fresh.items() if k[0] != service}

    async def slot_of(self, service: str, day: str, start: str) -> dict | None:
        answer = await self.window(service, day)
        for d in answer.get("days", []):
            if d.get("day") == day and d.get("open", False):
                for s in d.get("slots", []):
                    if s.get("start") == start and not s.get("closed"):
                        return s
        return None

    async def open_slot(self, request: Request, where: tuple[str, str, str], title: str,
                        back: str) -> tuple[dict | None, Response | None]:
        """(the slot, None) while it takes bookings, else (None, the refusal page: the hub's
        error, or 409 for a slot closed or gone)."""
        try:
            slot = await self.slot_of(*where)
        except (HubError, HubUnreachable) as exc:
            return None, self.refusal(request, title, exc, back, B["again"])
        if slot is None:
            body, status = bookpages.refused(self.cfg, title, B["slot_closed"],
                                             S.BOOK_TODO["closed"], back, B["again"], 409)
            return None, self.html(request, body, status)
        return slot, None

    async def service_list(self, request: Request) -> Response:
        bookform.csrf(request)
        return (self.limited(request, "page")
                or self.html(request, bookpages.services(self.cfg, self.offered())))

    def _service(self, request: Request):
        sid = request.path_params["sid"]
        if not SID_RE.fullmatch(sid) or sid not in dict((o[0], o) for o in self.offered()):
            return None
        return sid

    async def service_days(self, request: Request) -> Response:
        return await self._service_page(request, self._days, "/book")

    async def service_slots(self, request: Request) -> Response:
        return await self._service_page(request, self._slots)

    async def _service_page(self, request: Request, draw, *back: str) -> Response:
        """A /book/s/{sid} page (days or slots): limited, then 404 for a service not offered,
        else ``draw`` with the service's name and base path."""
        bookform.csrf(request)
        if (limited := self.limited(request, "page")) is not None:
            return limited
        sid = self._service(request)
        if sid is None:
            return self.html(request, bookpages.not_found(self.cfg), 404)
        return await draw(request, sid, self.cfg.services[sid].name, f"/book/s/{sid}", *back)

    async def _days(self, request, sid: str, heading: str, base: str, back: str) -> Response:
        try:
            answer = await self.window(sid)
        except (HubError, HubUnreachable) as exc:
            return self.refusal(request, B["refused_title"], exc, back, B["back"])
        return self.html(request, bookpages.days(self.cfg, heading, base, answer, back))

    async def _slots(self, request, sid: str, heading: str, base: str) -> Response:
        day = request.path_params["day"]
        if not DAY_RE.fullmatch(day):
            return self.html(request, bookpages.not_found(self.cfg), 404)
        try:
            answer = await self.window(sid, day)
        except (HubError, HubUnreachable) as exc:
            return self.refusal(request, B["refused_title"], exc, base, B["back"])
        found = [d for d in answer.get("days", []) if d.get("day") == day]
        entry = found[0] if found and found[0].get("open") else {"day": day, "slots": []}
        return self.html(request, bookpages.slots(self.cfg, heading, base, entry, base))

    # -- a new booking ----------------------------------------------------------------------
    async def new(self, request: Request) -> Response:
        """GET: 一次性告知 and the form; POST: ``booking.make`` and on to the booking's page
        (one hub request: the hub judges the slot, the page is drawn again only to say why)."""
        bookform.csrf(request)
        post = request.method == "POST"
        if (limited := self.limited(request, "write" if post else "page")) is not None:
            return limited
        sid, day = self._service(request), request.path_params["day"]
        start = bookpages.slot_start(request.path_params["hhmm"])
        if sid is None or start is None or not DAY_RE.fullmatch(day):
            return self.html(request, bookpages.not_found(self.cfg), 404)
        where = (sid, day, start)
        if not post:
            return await self.form_page(request, where)
        fields = await bookform.read(request)
        if fields is None:
            return self.expired(request, request.url.path)
        values = {k: fields.get(k, "").strip() for k in ("name", "id_number", "phone")}
        values["id_number"] = values["id_number"].upper()
        problem = bookform.form_problem(values, fields.get("ack") == "1")
        if problem:
            return await self.form_page(request, where, problem, values)
        try:
            made = await self.link.request("booking.make", {
                "service": sid, "day": day, "start": start} | values)
        except (HubError, HubUnreachable) as exc:
            if errors.code(exc) == "bad_id":
                return await self.form_page(request, where, why(exc), values)
            self.changed(sid)   # e.g. slot_full: the next page shows what the hub knows
            if errors.code(exc) in ("blocked", "already_booked"):   # another slot won't do
                return self.refusal(request, B["refused_title"], exc, "/book", B["to_list"])
            return self.refusal(request, B["refused_title"], exc, f"/book/s/{sid}/{day}",
                                B["again"])
        self.changed(sid)
        return RedirectResponse(f"/book/{made['code']}/{made['token']}?n=made", 303)

    async def form_page(self, request: Request, where: tuple[str, str, str], error: str = "",
                        values: dict | None = None) -> Response:
        """The slot's 一次性告知 and form (with ``error`` and the citizen's ``values``)."""
        sid, day, start = where
        back = f"/book/s/{sid}/{day}"
        slot, refused = await self.open_slot(request, where, B["refused_title"], back)
        if refused is not None:
            return refused
        return self.html(request, bookpages.form(
            self.cfg, self.cfg.services[sid].name, day, slot, self.cfg.booking.materials(sid),
            request.state.csrf, back, error, values), 400 if error else 200)

    # -- a booking's own page ---------------------------------------------------------------
    async def shown(self, request: Request) -> tuple[str, dict | None, Response | None]:
        """(base path, the booking, None), or (…, None, the response to give instead). Wrong
        code and wrong token look alike; each costs the address one of its few misses."""
        code, token = request.path_params["code"], request.path_params["token"]
        base = f"/book/{code}/{token}"
        if (limited := self.limited(request, "page")) is not None:
            return base, None, limited
        if (limited := self.limited(request, "miss", count=False)) is not None:
            return base, None, limited  # a guesser learns nothing more, right or wrong
        if CODE_RE.fullmatch(code) and bookform.TOKEN_RE.fullmatch(token):
            try:
                return base, await self.link.request("booking.show",
                                                     {"code": code, "token": token}), None
            except (HubError, HubUnreachable) as exc:
                if errors.code(exc) not in ("not_found", "no_ticket"):
                    return base, None, self.refusal(request, B["not_found_title"], exc,
                                                    "/book", B["to_list"])
        self.limits.allow("miss", self.address(request))
        return base, None, self.html(request, bookpages.not_found(self.cfg), 404)

    def can_change(self, b: dict) -> bool:
        until = b.get("cancel_until")
        try:
            return b.get("state") == "booked" and (
                until is None or self.clock.now() < _aware(until, self.clock.now()))
        except ValueError:
            return False

    def live(self, b: dict) -> bool:
        """Whether the open page should watch for its check-in: only around the slot (from
        ``LIVE_BEFORE`` ahead to ``LIVE_AFTER`` past its end), so pages left open for days
        do not each ask the hub every few seconds (the hub limits hall-web's reads)."""
        if b.get("state") != "booked":
            return False
        now = self.clock.now()
        try:
            start = _aware(f"{b['day']}T{b['start']}", now)
            end = _aware(f"{b['day']}T{b['end']}", now)
        except (KeyError, ValueError):
            return False
        return start - LIVE_BEFORE <= now <= end + LIVE_AFTER

    async def view(self, request: Request) -> Response:
        bookform.csrf(request)
        base, b, error = await self.shown(request)
        if error is not None:
            return error
        ticket = b.get("ticket")
        if ticket and ticket.get("token"):
            return RedirectResponse(f"/t/{ticket['token']}", 303)
        notice = {"made": B["booked_title"], "moved": B["moved"],
                  "cancelled": B["cancelled"]}.get(request.query_params.get("n", ""), "")
        return self.html(request, bookpages.booking(
            self.cfg, b, base, request.state.csrf, self.can_change(b),
            bookpages.qr_svg(b["code"]), notice, self.live(b)))

    async def state(self, request: Request) -> Response:
        """``{"state", "ticket_url"?}`` for the page's script."""
        bookform.csrf(request)
        _, b, error = await self.shown(request)
        if error is not None:
            return JSONResponse({"ok": False}, status_code=error.status_code)
        ticket = b.get("ticket") or {}
        out = {"ok": True, "state": b.get("state")}
        if ticket.get("token"):
            out["ticket_url"] = f"/t/{ticket['token']}"
        return JSONResponse(out, headers=pages.NO_STORE)

    async def cancel(self, request: Request) -> Response:
        bookform.csrf(request)
        if (limited := self.limited(request, "write")) is not None:
            return limited
        base, b, error = await self.shown(request)
        if error is not None:
            return error
        if await bookform.read(request) is None:
            return self.expired(request, base)
        try:
            await self.link.request("booking.cancel", {"code": b["code"],
                                                       "token": request.path_params["token"]})
        except (HubError, HubUnreachable) as exc:
            return self.refusal(request, B["refused_cancel"], exc, base, B["view"])
        self.changed(b["service"])
        return RedirectResponse(f"{base}?n=cancelled", 303)

    # -- rebooking --------------------------------------------------------------------------
    async def move_days(self, request: Request) -> Response:
        bookform.csrf(request)
        base, b, error = await self.shown(request)
        if error is not None:
            return error
        return await self._days(request, b["service"], B["move_title"], f"{base}/move", base)

    async def move_slots(self, request: Request) -> Response:
        bookform.csrf(request)
        base, b, error = await self.shown(request)
        if error is not None:
            return error
        return await self._slots(request, b["service"], B["move_title"], f"{base}/move")

    async def move(self, request: Request) -> Response:
        bookform.csrf(request)
        post = request.method == "POST"
        if post and (limited := self.limited(request, "write")) is not None:
            return limited
        base, b, error = await self.shown(request)
        if error is not None:
            return error
        day = request.path_params["day"]
        start = bookpages.slot_start(request.path_params["hhmm"])
        back = f"{base}/move"
        if start is None or not DAY_RE.fullmatch(day):
            return self.html(request, bookpages.not_found(self.cfg), 404)
        slot, refused = await self.open_slot(request, (b["service"], day, start),
                                             B["refused_move"], back)
        if refused is not None:
            return refused
        if not post:
            return self.html(request, bookpages.move_form(self.cfg, b, day, slot,
                                                          request.state.csrf, back))
        if await bookform.read(request) is None:
            return self.expired(request, request.url.path)
        try:
            await self.link.request("booking.move", {"code": b["code"], "day": day,
                                                     "start": start,
                                                     "token": request.path_params["token"]})
        except (HubError, HubUnreachable) as exc:
            return self.refusal(request, B["refused_move"], exc, back, B["again"])
        self.changed(b["service"])
        return RedirectResponse(f"{base}?n=moved", 303)

    def routes(self) -> list[Route]:
        return [
            Route("/book", self.service_list),
            Route("/book/find", bookfind.FindPage(self).page, methods=["GET", "POST"]),
            Route("/book/s/{sid}", self.service_days),
            Route("/book/s/{sid}/{day}", self.service_slots),
            Route("/book/s/{sid}/{day}/{hhmm}", self.new, methods=["GET", "POST"]),
            Route("/book/{code}/{token}", self.view),
            Route("/book/{code}/{token}/state", self.state),
            Route("/book/{code}/{token}/cancel", self.cancel, methods=["POST"]),
            Route("/book/{code}/{token}/move", self.move_days),
            Route("/book/{code}/{token}/move/{day}", self.move_slots),
            Route("/book/{code}/{token}/move/{day}/{hhmm}", self.move, methods=["GET", "POST"]),
        ]


def _aware(iso: str, now):
    import datetime as dt

    t = dt.datetime.fromisoformat(iso)
    return t if t.tzinfo else t.replace(tzinfo=now.tzinfo)
