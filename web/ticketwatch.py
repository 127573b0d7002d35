"""The ticket pages open now, kept current by hall-web itself: the hub is asked
(``ticket.lookup``) when a page opens and when the hub's database changes (a new epoch); between
those, the ticket's own events change its state (web/pageview.py) and every queue move
recomputes each waiting page's place from the queue mirror (web/queuemirror.py) and the
retained state. A page polling ``/state`` (WeChat views) is followed the same way for
POLL_KEEP_S after its last poll. A service whose mirror disagrees with the hub at a page open
is read again from the database; if it still disagrees its pages ask the hub as before."""

from __future__ import annotations

import asyncio
import logging
import time

from web import figures, pageview, pastticket
from web.queuemirror import QueueMirror
from wire.client import HubUnreachable
from wire.contract import HubError, NoTicket

log = logging.getLogger("hall-web")
POLL_KEEP_S = 30.0   # a polling page is followed this long after its last /state
REFRESH_S = 0.3      # pages that ask the hub (the fallback) do so at most this often


def browser_view(view: dict) -> dict:
    """What the browser gets: the hub's public view without the ticket id."""
    return {k: v for k, v in view.items() if k != "ticket_id"}


def gone_view(base: dict) -> dict:
    """A page whose ticket the hub no longer knows and its database never held (the hub
    started on a fresh database: a new epoch): the number is void, never a stale place."""
    return base | {"status": "gone", "waiting_ahead": None, "est_wait_s": None,
                   "can_cancel": False, "can_rate": False, "windows": []}


class TicketWatch:
    def __init__(self, link, cfg=None, db_path: str | None = None, clock=None):
        self.link, self.cfg, self.db_path, self.clock = link, cfg, db_path, clock
        self.epoch: str | None = None   # the hub database's epoch of the last event or state
        self.streams: dict[str, set[asyncio.Queue]] = {}   # token -> open streams
        self.polled: dict[str, float] = {}                 # token -> last /state (monotonic)
        self.ticket_of: dict[str, str] = {}                # token -> ticket id
        self.views: dict[str, dict] = {}
        self.mirror = QueueMirror()
        self.hub_backed: set[str] = set()   # services whose pages ask the hub (mirror unsure)
        self.lookups = 0                    # hub look-ups made (a figure for hall-bench)
        self._dirty: set[str] = set()
        self._task: asyncio.Task | None = None
        self._place_soon = False
        link.listen(self._on_hub)

    def start(self) -> None:
        self.seed()

    def seed(self) -> None:
        """The mirror read afresh from today's events in the database."""
        self.mirror = QueueMirror()
        conn = figures.connect(self.db_path)
        if conn is None or self.clock is None:
            return
        try:
            for seq, at, kind, data in figures.events_since(conn, self.clock.now().date()
                                                            .isoformat()):
                self.mirror.fold(kind, data, at, seq)
        finally:
            conn.close()

    # -- pages ------------------------------------------------------------------------------
    def tracked(self, token: str) -> bool:
        return token in self.streams or token in self.polled

    async def past(self, token: str) -> dict | None:
        """A closed day's ticket from the database (web/pastticket.py), or None."""
        if self.cfg is None or self.clock is None:
            return None
        today = self.clock.now().date()
        return await asyncio.to_thread(pastticket.find, self.db_path, self.cfg, token, today)

    async def lookup(self, token: str) -> dict:
        """The hub's view of the ticket, else its closed day's view; NoTicket when neither."""
        self.lookups += 1
        try:
            view = (await self.link.request("ticket.lookup", {"token": token}))["ticket"]
        except NoTicket:
            view = await self.past(token)
            if view is None:
                raise
        self._check(view)
        if self.tracked(token):
            self.ticket_of[token], self.views[token] = view["ticket_id"], view
        return view

    async def opened(self, token: str) -> dict:
        """A page (re)loaded: the hub's view, followed from now on (its stream or polls)."""
        self.polled[token] = time.monotonic()
        try:
            return await self.lookup(token)
        except (HubError, HubUnreachable):
            self.polled.pop(token, None)
            raise

    async def current(self, token: str) -> dict:
        """A polling page's view: the one followed here, else a look-up (then followed)."""
        self.polled[token] = time.monotonic()
        view = self.views.get(token)
        return view if view is not None else await self.lookup(token)

    def _check(self, view: dict) -> None:
        """Compare the hub's place with the mirror's; read the database again if they differ."""
        if view.get("status") != "waiting" or view["service"] in self.hub_backed:
            return
        if self.mirror.ahead(view["ticket_id"]) == view.get("waiting_ahead"):
            return
        self.seed()
        if self.mirror.ahead(view["ticket_id"]) != view.get("waiting_ahead"):
            log.warning("queue mirror differs from the hub for %s: its pages ask the hub",
                        view["service"])
            self.hub_backed.add(view["service"])

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
                self._forget(token)

    def _forget(self, token: str) -> None:
        if not self.tracked(token):
            self.views.pop(token, None)
            self.ticket_of.pop(token, None)

    def push(self, token: str, view: dict) -> None:
        if view == self.views.get(token) and token in self.views:
            return
        self.views[token] = view
        for q in list(self.streams.get(token, ())):
            if q.full():
                q.get_nowait()  # a slow phone gets the newest, not every step
            q.put_nowait(browser_view(view))

    # -- the hub's news ---------------------------------------------------------------------
    def _on_hub(self, what: str, key: str, payload: dict) -> None:
        epoch = payload.get("epoch") if what in ("event", "state") else None
        if isinstance(epoch, str) and epoch != self.epoch:
            changed, self.epoch = self.epoch is not None, epoch
            if changed:  # another database: every open page asks again (or learns it is void)
                self.seed()
                self.hub_backed.clear()
                for token in list(self.views):
                    asyncio.ensure_future(self.refresh(token, final_too=True))
        if what == "event":
            self._on_event(key, payload)
        elif what == "state" and (key == "queue" or key.startswith("window/")):
            self._place_all()

    def _on_event(self, kind: str, d: dict) -> None:
        at = d.get("at") or (self.clock.now().isoformat() if self.clock else "")
        moved = self.mirror.fold(kind, d, at, d.get("seq"))
        if kind == "day_closed":
            self._day_closed(d)
        tid = d.get("ticket_id")
        for token in [t for t, i in self.ticket_of.items() if i == tid] if tid else ():
            view = self.views.get(token)
            new = pageview.apply(view, kind, d, at, self.cfg) if view and self.cfg else None
            if new is not None:
                self.push(token, new)
        if moved or kind == "window":
            self._place_all()

    def _day_closed(self, d: dict) -> None:
        """The pages of the tickets 日结 closed say so at once (the hub lets them go)."""
        closed = {c.get("ticket_id"): c.get("reason") for c in d.get("closed") or ()}
        for token, tid in list(self.ticket_of.items()):
            if tid in closed:
                self.push(token, pastticket.closed_view(self.views[token], closed[tid],
                                                        d.get("date")))

    def _place_all(self) -> None:
        """Recompute every waiting page's place once this turn of the event loop is done
        (a burst of events and state costs one pass)."""
        if not self._place_soon:
            self._place_soon = True
            asyncio.get_running_loop().call_soon(self._place_now)

    def _place_now(self) -> None:
        self._place_soon = False
        now = time.monotonic()
        for token in [t for t, last in self.polled.items() if now - last > POLL_KEEP_S]:
            del self.polled[token]
            self._forget(token)
        state = self.link.client.state
        places = self.mirror.places()
        for token, view in list(self.views.items()):
            if view.get("status") != "waiting" or self.cfg is None:
                continue
            if view["service"] in self.hub_backed:
                self._dirty.add(token)
                continue
            ahead = places.get(view["ticket_id"])
            if ahead is not None:
                self.push(token, pageview.place(view, ahead, state, self.cfg))
        if self._dirty and (self._task is None or self._task.done()):
            self._task = asyncio.ensure_future(self._refresh_dirty())

    async def _refresh_dirty(self) -> None:
        await asyncio.sleep(REFRESH_S)
        while self._dirty:
            tokens, self._dirty = self._dirty, set()
            await asyncio.gather(*(self.refresh(t) for t in tokens if self.tracked(t)))

    async def refresh(self, token: str, final_too: bool = False) -> None:
        """Ask the hub for the page's view again (a new epoch, the fallback, an action)."""
        last = self.views.get(token) or {}
        if last.get("day_ended") and not final_too:
            return  # its day is over: nothing more happens to it in this database
        try:
            view = await self.lookup(token)
        except NoTicket:
            view = gone_view(last) if last else None
        except (HubError, HubUnreachable):
            return  # the stream keeps its last view; the page reconnects or polls
        if view is not None and self.tracked(token):
            self.push(token, view)
