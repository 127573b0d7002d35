"""The citizen's ticket page ``/t/{token}``: the ticket's view from the hub (``ticket.lookup``),
live by Server-Sent Events with ``/t/{token}/state`` for browsers without them, and the page's
two actions, cancel and rate, as hub ops."""

from __future__ import annotations

import asyncio
import json
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from hub.client import HubUnreachable
from hub.contract import HubError, NoTicket
from web import errors, pages, pastticket
from web import strings as S
from web.live import sse_stream

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{22}")  # the hub's token shape (hub/engine/tokens.py)
#: events that move other tickets' place in the queue or the windows that serve them
QUEUE_KINDS = ("issued", "called", "transferred", "skipped", "requeued", "held", "finished",
               "cancelled", "moved", "window", "day_closed")
REFRESH_S = 0.3   # pages whose place may have moved are asked again at most this often
MAX_BODY = 2048


def browser_view(view: dict) -> dict:
    """What the browser gets: the hub's public view without the ticket id."""
    return {k: v for k, v in view.items() if k != "ticket_id"}


def gone_view(base: dict) -> dict:
    """A page whose ticket the hub no longer knows and its database never held (the hub
    started on a fresh database: a new epoch): the number is void, never a stale place."""
    return base | {"status": "gone", "waiting_ahead": None, "est_wait_s": None,
                   "can_cancel": False, "can_rate": False, "windows": []}


class TicketWatch:
    """The ticket pages open now: one hub lookup per ticket shared by all its streams, asked
    again when an event names the ticket, and for queue moves at most every REFRESH_S."""

    def __init__(self, link, cfg=None, db_path: str | None = None, clock=None):
        self.link, self.cfg, self.db_path, self.clock = link, cfg, db_path, clock
        self.epoch: str | None = None   # the hub database's epoch of the last event or state
        self.streams: dict[str, set[asyncio.Queue]] = {}   # token -> open streams
        self.ticket_of: dict[str, str] = {}                # token -> ticket id
        self.views: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self._task: asyncio.Task | None = None
        link.listen(self._on_hub)

    async def past(self, token: str) -> dict | None:
        """A closed day's ticket from the database (web/pastticket.py), or None."""
        if self.cfg is None or self.clock is None:
            return None
        today = self.clock.now().date()
        return await asyncio.to_thread(pastticket.find, self.db_path, self.cfg, token, today)

    async def lookup(self, token: str) -> dict:
        """The hub's view of the ticket, else its closed day's view; NoTicket when neither."""
        try:
            view = (await self.link.request("ticket.lookup", {"token": token}))["ticket"]
        except NoTicket:
            view = await self.past(token)
            if view is None:
                raise
        if token in self.streams:  # only pages open now are remembered
            self.ticket_of[token] = view["ticket_id"]
            self.views[token] = view
        return view

    def subscribe(self, token: str, view: dict) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(maxsize=8)
        self.streams.setdefault(token, set()).add(q)
        self.ticket_of[token], self.views[token] = view["ticket_id"], view
        return q

    def unsubscribe(self, token: str, q: asyncio.Queue) -> None:
        qs = self.streams.get(token)
        if qs is not None:
            qs.discard(q)
            if not qs:
                del self.streams[token]
                self.views.pop(token, None)
                self.ticket_of.pop(token, None)

    def _on_hub(self, what: str, key: str, payload: dict) -> None:
        epoch = payload.get("epoch") if what in ("event", "state") else None
        if isinstance(epoch, str) and epoch != self.epoch:
            changed, self.epoch = self.epoch is not None, epoch
            if changed:  # another database: every open page asks again (or learns it is void)
                for token in list(self.streams):
                    asyncio.ensure_future(self.refresh(token, final_too=True))
        if what == "event" and key == "day_closed":
            self._day_closed(payload)
        if what == "event":
            tid = payload.get("ticket_id")
            mine = [t for t, i in self.ticket_of.items() if i == tid] if tid else []
            for token in mine:  # this ticket's own news goes out at once
                asyncio.ensure_future(self.refresh(token))
            if key in QUEUE_KINDS:
                self._mark_all()
        elif what == "state" and key == "queue":
            self._mark_all()

    def _day_closed(self, d: dict) -> None:
        """The pages of the tickets 日结 closed say so at once (the hub lets them go)."""
        closed = {c.get("ticket_id"): c.get("reason") for c in d.get("closed") or ()}
        for token, tid in list(self.ticket_of.items()):
            if tid in closed:
                self.push(token, pastticket.closed_view(self.views[token], closed[tid],
                                                        d.get("date")))

    def push(self, token: str, view: dict) -> None:
        self.views[token] = view
        for q in list(self.streams.get(token, ())):
            if q.full():
                q.get_nowait()  # a slow phone gets the newest, not every step
            q.put_nowait(browser_view(view))

    def _mark_all(self) -> None:
        self._dirty.update(self.streams)
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._refresh_dirty())

    async def _refresh_dirty(self) -> None:
        await asyncio.sleep(REFRESH_S)
        while self._dirty:
            tokens, self._dirty = self._dirty, set()
            await asyncio.gather(*(self.refresh(t) for t in tokens if t in self.streams))

    async def refresh(self, token: str, final_too: bool = False) -> None:
        last = self.views.get(token) or {}
        if last.get("day_ended") and not final_too:
            return  # its day is over: nothing more happens to it in this database
        try:
            view = await self.lookup(token)
        except NoTicket:
            view = gone_view(last) if last else None
        except (HubError, HubUnreachable):
            return  # the stream keeps its last view; the page reconnects or polls
        if view is not None and token in self.streams:
            self.push(token, view)


def _json_error(status: int, message: str, code: str = "bad_request") -> JSONResponse:
    return JSONResponse({"ok": False, "error": {"code": code, "message": message}},
                        status_code=status)


def routes(watch: TicketWatch, cfg) -> list[Route]:
    soon = cfg.web.soon_ahead

    async def page(request: Request) -> Response:
        token = request.path_params["token"]
        if not TOKEN_RE.fullmatch(token):
            return pages.not_found()
        try:
            view = await watch.lookup(token)
        except NoTicket:
            return pages.not_found()
        except (HubError, HubUnreachable):
            return pages.error(S.HUB_AWAY, 503)
        today = watch.clock.now().date().isoformat() if watch.clock else None
        return HTMLResponse(pages.ticket_page(cfg, token, browser_view(view), soon, today),
                            headers=pages.NO_STORE)

    async def looked_up(request: Request) -> tuple[str, dict | None, Response | None]:
        """(token, the ticket's view, None), or (token, None, the JSON error to answer)."""
        token = request.path_params["token"]
        if not TOKEN_RE.fullmatch(token):
            return token, None, _json_error(404, S.NOT_FOUND, "no_ticket")
        try:
            return token, await watch.lookup(token), None
        except (HubError, HubUnreachable) as exc:
            return token, None, _json_error(errors.status(exc), errors.message(exc, S.HUB_AWAY),
                                            errors.code(exc))

    async def state(request: Request) -> Response:
        _, view, error = await looked_up(request)
        if error is not None:
            return error
        return JSONResponse({"ok": True, "ticket": browser_view(view)}, headers=pages.NO_STORE)

    async def events(request: Request) -> Response:
        token, view, error = await looked_up(request)
        if error is not None:
            return error
        q = watch.subscribe(token, view)
        return StreamingResponse(sse_stream(request, q, browser_view(view),
                                            lambda: watch.unsubscribe(token, q)),
                                 media_type="text/event-stream", headers=pages.SSE_HEADERS)

    async def act(request: Request, op: str) -> Response:
        token = request.path_params["token"]
        if not TOKEN_RE.fullmatch(token):
            return _json_error(404, S.NOT_FOUND, "no_ticket")
        # a JSON body: a cross-site form cannot send one without the browser asking first
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return _json_error(415, S.BAD_FORM)
        body = await request.body()
        if len(body) > MAX_BODY:
            return _json_error(413, S.BAD_FORM)
        try:
            args = json.loads(body or b"{}")
        except ValueError:
            return _json_error(400, S.BAD_FORM)
        if not isinstance(args, dict):
            return _json_error(400, S.BAD_FORM)
        allowed = {"ticket.cancel": ("reason",), "ticket.rate": ("score", "reasons")}[op]
        args = {k: v for k, v in args.items() if k in allowed} | {"token": token}
        try:
            result = await watch.link.request(op, args)
        except (HubError, HubUnreachable) as exc:
            return _json_error(errors.status(exc), errors.message(exc, S.HUB_AWAY), errors.code(exc))
        await watch.refresh(token)
        return JSONResponse({"ok": True, "result": result})

    async def cancel(request: Request) -> Response:
        return await act(request, "ticket.cancel")

    async def rate(request: Request) -> Response:
        return await act(request, "ticket.rate")

    return [
        Route("/t/{token}", page),
        Route("/t/{token}/state", state),
        Route("/t/{token}/events", events),
        Route("/t/{token}/cancel", cancel, methods=["POST"]),
        Route("/t/{token}/rate", rate, methods=["POST"]),
    ]
