"""The hall manager's console under ``/manage``: login, the live hall by SSE, the manager's
actions as hub ops (each with the manager's name) and hall-report's figures."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from web import bookconsole, consolepages, errors, figures, pages, staffing
from web import strings as S
from web.auth import Sessions
from web.hallview import HallView
from web.live import sse_stream
from wire.client import HubUnreachable
from wire.contract import HubError

COOKIE = "hall_session"
MAX_FORM = 4096
PUSH_S = 0.5   # the console's picture goes out at most this often
#: console action -> (hub op, the args the form may carry)
ACTIONS = {
    "pause": ("manage.pause", ("window", "reason")),
    "resume": ("manage.resume", ("window",)),
    "move": ("manage.move", ("no", "service", "to_window")),
    "notice": ("manage.notice", ("text",)),
    "ack": ("manage.ack", ("alert_seq", "note")),
    "followup": ("followup.record", ("ticket_id", "step", "note", "result")),
    "close_day": ("manage.close_day", ()),
    "assign": ("window.assign", ("window", "services")),
    "assist": ("window.assist", ("window", "service")),
    "close_slots": ("booking.close_slots", ("service", "day", "start", "end", "reason")),
    "open_slots": ("booking.open_slots", ("service", "day", "start", "end", "capacity")),
}
#: console action -> the op that follows its success (accepting a suggestion acknowledges it)
THEN_ACK = {"assist"}
ASSIGN_MAX = 8   # services in one assignment from the form
INT_ARGS = ("window", "to_window", "alert_seq", "capacity")


class Console:
    def __init__(self, cfg, link, db_path: str | None, clock, sessions_path=None):
        self.cfg, self.link, self.db_path, self.clock = cfg, link, db_path, clock
        self.sessions = Sessions(cfg.web.users, path=sessions_path)
        self.view = HallView(cfg)
        self.epoch: str | None = None   # the hub database's epoch of the last event or state
        self._seeded_to = 0             # the last seq the picture read from the database
        self.streams: set[asyncio.Queue] = set()
        self._task: asyncio.Task | None = None
        self.secure = cfg.web.public_url.startswith("https://")

    def start(self) -> None:
        self._seed()
        self.link.listen(self._on_hub)

    def _seed(self) -> None:
        """Today's picture from the database, afresh (at start, and for a new epoch)."""
        self.view, self._seeded_to = HallView(self.cfg), 0
        conn = figures.connect(self.db_path)
        if conn is None:
            return
        try:
            self.epoch = figures.epoch(conn) or self.epoch
            today = self.clock.now().date().isoformat()
            for seq, at, kind, data in figures.events_since(conn, today):
                self.view.fold(kind, data, at, seq)
                self._seeded_to = seq
        finally:
            conn.close()

    def _on_hub(self, what: str, key: str, payload: dict) -> None:
        epoch = payload.get("epoch") if what in ("event", "state") else None
        if isinstance(epoch, str) and epoch != self.epoch:
            known, self.epoch = self.epoch, epoch
            if known is not None:  # another database: the lost one's tickets are gone
                self._seed()
        seq = payload.get("seq") if what == "event" else None
        if isinstance(seq, int) and seq <= self._seeded_to:
            pass  # already read from the database
        elif what == "event":
            at = payload.get("at") or self.clock.now().isoformat()
            self.view.fold(key, payload, at, payload.get("seq"))
        if self.streams and (self._task is None or self._task.done()):
            self._task = asyncio.ensure_future(self._push())

    async def _push(self) -> None:
        await asyncio.sleep(PUSH_S)
        snap = self.snapshot()
        for q in list(self.streams):
            if q.full():
                q.get_nowait()
            q.put_nowait(snap)

    def snapshot(self) -> dict:
        return self.view.snapshot(self.link.client.state, self.link.nodes, self.clock.now()) | {
            "hub_online": self.link.hub_online()}

    # -- sessions ---------------------------------------------------------------------------
    def session(self, request: Request):
        return self.sessions.get(request.cookies.get(COOKIE))

    def routes(self) -> list[Route]:
        return [
            Route("/manage", self.home),
            Route("/manage/login", self.login_page, methods=["GET"]),
            Route("/manage/login", self.login, methods=["POST"]),
            Route("/manage/logout", self.logout, methods=["POST"]),
            Route("/manage/state", self.state),
            Route("/manage/events", self.events),
            Route("/manage/action", self.action, methods=["POST"]),
            Route("/manage/followups", self.followups),
            Route("/manage/figures", self.figures_page),
            Route("/manage/booking", self.booking),
            Route("/manage/figures.xlsx", self.figures_xlsx),
            Route("/manage/ratings.csv", self.ratings_csv),
            Route("/manage/bulletin.html", self.bulletin),
            Route("/manage/chart/{name}.png", self.chart),
            *staffing.routes(self),
        ]

    async def home(self, request: Request) -> Response:
        s = self.session(request)
        if s is None:
            return RedirectResponse("/manage/login", 303)
        return HTMLResponse(consolepages.console(self.cfg, s, self.snapshot()),
                            headers=pages.NO_STORE)

    async def booking(self, request: Request) -> Response:
        """The day's bookings and the slot forms (web/bookconsole.py)."""
        return await bookconsole.page(self, request)

    async def login_page(self, request: Request) -> Response:
        return HTMLResponse(consolepages.login(), headers=pages.NO_STORE)

    async def login(self, request: Request) -> Response:
        form = await read_form(request)
        if form is None:
            return HTMLResponse(consolepages.login(S.BAD_FORM), 400)
        name, password = form.get("name", ""), form.get("password", "")
        if not clean(name):
            return HTMLResponse(consolepages.login(S.BAD_CHARS), 400)
        address = request.client.host if request.client else "?"
        if self.sessions.limited(name, address):
            return HTMLResponse(consolepages.login(S.LOGIN_LIMITED), 429)
        # PBKDF2 is slow on purpose: off the event loop, so pages keep streaming meanwhile
        sid = await asyncio.to_thread(self.sessions.login, name, password, address)
        if sid is None:
            return HTMLResponse(consolepages.login(S.LOGIN_FAILED), 401)
        resp = RedirectResponse("/manage", 303)
        resp.set_cookie(COOKIE, sid, httponly=True, samesite="strict", path="/manage",
                        secure=self.secure, max_age=8 * 3600)
        return resp

    async def logout(self, request: Request) -> Response:
        s = self.session(request)
        form = await read_form(request) or {}
        if s is not None and Sessions.csrf_ok(s, form.get("csrf")):
            self.sessions.logout(request.cookies.get(COOKIE))
        resp = RedirectResponse("/manage/login", 303)
        resp.delete_cookie(COOKIE, path="/manage")
        return resp

    async def state(self, request: Request) -> Response:
        if self.session(request) is None:
            return _error(401, S.FORBIDDEN, "forbidden")
        return JSONResponse(self.snapshot(), headers=pages.NO_STORE)

    async def events(self, request: Request) -> Response:
        if self.session(request) is None:
            return _error(401, S.FORBIDDEN, "forbidden")
        q: asyncio.Queue = asyncio.Queue(maxsize=4)
        self.streams.add(q)
        return StreamingResponse(sse_stream(request, q, self.snapshot(),
                                            lambda: self.streams.discard(q)),
                                 media_type="text/event-stream", headers=pages.SSE_HEADERS)

    async def followups(self, request: Request) -> Response:
        """The open 差评 follow-up cases (``followup.list``) with their deadlines."""
        if self.session(request) is None:
            return _error(401, S.FORBIDDEN, "forbidden")
        try:
            result = await self.link.request("followup.list", {"status": "open"})
        except (HubError, HubUnreachable) as exc:
            return _error(errors.status(exc), errors.message(exc), errors.code(exc))
        return JSONResponse({"ok": True, "cases": result["cases"]}, headers=pages.NO_STORE)

    async def action(self, request: Request) -> Response:
        s = self.session(request)
        if s is None:
            return _error(401, S.FORBIDDEN, "forbidden")
        body = await _json(request)
        if body is None:
            return _error(400, S.BAD_FORM)
        if not Sessions.csrf_ok(s, body.get("csrf")):
            return _error(403, S.CSRF_FAILED, "forbidden")
        if s.role != "manager":
            return _error(403, S.VIEWER_ONLY, "forbidden")
        action_id = body.get("action_id")
        if not isinstance(action_id, str) or not 8 <= len(action_id) <= 64:
            return _error(400, S.BAD_FORM)
        if action_id in s.used:
            return _error(409, S.REPLAYED, "conflict")
        what = body.get("action")
        if what not in ACTIONS or not isinstance(body.get("args"), dict):
            return _error(400, S.BAD_FORM)
        op, allowed = ACTIONS[what]
        args = {}
        for k, v in body["args"].items():
            if k not in allowed or v in ("", None) and k != "text":
                continue
            if k in INT_ARGS and isinstance(v, str) and v.strip().isdigit():
                v = int(v)
            if k == "services":
                v = _services(v)
                if v is None:
                    return _error(400, S.BAD_FORM)
            args[k] = v
        if not clean(args):
            return _error(400, S.BAD_CHARS)
        if not self.link.hub_online():  # at once, not after the client's retries
            return _error(503, S.HUB_OFFLINE, "unreachable")
        alert_seq = body["args"].get("alert_seq") if what in THEN_ACK else None
        self.sessions.use(s, action_id)
        try:
            result = await self.link.request(op, args | {"by": s.user})
        except (HubError, HubUnreachable) as exc:
            s.used.pop(action_id, None)  # refused: the same form may be tried again
            return _error(errors.status(exc), errors.message(exc), errors.code(exc))
        if type(alert_seq) is int and alert_seq > 0:
            try:  # the suggestion is settled: acknowledge its alert under the same name
                await self.link.request("manage.ack", {"alert_seq": alert_seq, "by": s.user,
                                                       "note": S.ASSIST_ACK_NOTE})
            except (HubError, HubUnreachable) as exc:
                return JSONResponse({"ok": True, "result": result, "message": S.DONE_NO_ACK
                                     .format(msg=errors.message(exc))})
        return JSONResponse({"ok": True, "result": result, "message": S.DONE})

    # -- figures (hall-report's views, read-only) -------------------------------------------
    def _period(self, request: Request):
        kind = request.query_params.get("kind", "day")
        text = request.query_params.get("period") or (
            self.clock.now().date().isoformat() if kind == "day" else
            f"{self.clock.now():%Y-%m}")
        return figures.period_of(kind, text)

    async def _with_report(self, request: Request, make) -> Response:
        s = self.session(request)
        if s is None:
            return RedirectResponse("/manage/login", 303)
        try:
            period = self._period(request)
        except ValueError:
            return pages.error(S.BAD_FORM, 400)

        def run():  # the connection lives and dies on the worker thread that reads it
            conn = figures.connect(self.db_path)
            if conn is None:
                return pages.error(S.FIGURES_NONE, 404)
            try:
                return make(conn, period, s)
            finally:
                conn.close()

        return await asyncio.to_thread(run)

    async def figures_page(self, request: Request) -> Response:
        def make(conn, period, s):
            title, sheets, _ = figures.report(conn, self.cfg, period, self.clock.now().date())
            return HTMLResponse(consolepages.figures(self.cfg, s, period, title, sheets),
                                headers=pages.NO_STORE)
        return await self._with_report(request, make)

    async def figures_xlsx(self, request: Request) -> Response:
        def make(conn, period, s):
            return Response(figures.xlsx(conn, self.cfg, period, self.clock.now().date()),
                            media_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                headers={"Content-Disposition":
                         f'attachment; filename="report-{period.slug()}.xlsx"'})
        return await self._with_report(request, make)

    async def ratings_csv(self, request: Request) -> Response:
        def make(conn, period, s):
            return Response(figures.ratings_csv(conn, self.cfg, period).encode("utf-8-sig"),
                            media_type="text/csv; charset=utf-8", headers={
                                "Content-Disposition":
                                f'attachment; filename="ratings-{period.slug()}.csv"'})
        return await self._with_report(request, make)


    async def chart(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in figures.CHARTS:
            return pages.error(S.BAD_FORM, 404)

        def make(conn, period, s):
            return Response(figures.chart_png(conn, self.cfg, period, name),
                            media_type="image/png", headers=pages.NO_STORE)
        return await self._with_report(request, make)

    async def bulletin(self, request: Request) -> Response:
        def make(conn, period, s):
            return Response(figures.bulletin_html(conn, self.cfg, period,
                                                  self.clock.now().date()).encode("utf-8"),
                            media_type="text/html; charset=utf-8", headers={
                                "Content-Disposition":
                                f'attachment; filename="bulletin-{period.slug()}.html"'})
        return await self._with_report(request, make)


def clean(value) -> bool:
    """Whether no text in ``value`` holds a control character (a tab, a newline …): a form
    field never does, and the hub would refuse it only after its timeout."""
    if isinstance(value, str):
        return not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value)
    if isinstance(value, dict):
        return all(clean(v) for v in value.values())
    if isinstance(value, list):
        return all(clean(v) for v in value)
    return True


def _services(value) -> list[str] | None:
    """The form's ordered services: non-empty ids, blanks dropped (the hub judges the rest)."""
    if not isinstance(value, list) or len(value) > ASSIGN_MAX:
        return None
    if not all(isinstance(v, str) and len(v) <= 16 for v in value):
        return None
    return [v for v in value if v] or None


def _error(status: int, message: str, code: str = "bad_request") -> JSONResponse:
    return JSONResponse({"ok": False, "error": {"code": code, "message": message}},
                        status_code=status)


async def _body(request: Request, limit: int = MAX_FORM) -> bytes | None:
    """The request's body, or None once it passes ``limit`` bytes."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return body


async def read_form(request: Request, limit: int = MAX_FORM) -> dict | None:
    """A small url-encoded form, each field's first value (no multipart: the forms of the
    console and the booking pages have no files); None if too long or not a form."""
    body = await _body(request, limit)
    if body is None:
        return None
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=10, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in fields.items()}


async def _json(request: Request) -> dict | None:
    if request.headers.get("content-type", "").split(";")[0] != "application/json":
        return None
    body = await _body(request)
    try:
        value = json.loads(body or b"")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
