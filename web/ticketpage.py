"""The citizen's ticket page ``/t/{token}``: the ticket's view (web/ticketwatch.py), live by
Server-Sent Events with ``/t/{token}/state`` for browsers without them, and the page's two
actions, cancel and rate, as hub ops."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from web import errors, pages
from web import strings as S
from web.live import sse_stream
from web.ticketwatch import TicketWatch, browser_view
from wire.client import HubUnreachable
from wire.contract import HubError, NoTicket
from wire.tokens import TOKEN_RE

MAX_BODY = 2048


def _json_error(status: int, message: str, code: str = "bad_request") -> JSONResponse:
    return JSONResponse({"ok": False, "error": {"code": code, "message": message}},
                        status_code=status)


async def _json_args(request: Request) -> dict | Response:
    """The request's JSON object, or the error to answer. A JSON body: a cross-site form cannot
    send one without the browser asking first."""
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
    return args


def routes(watch: TicketWatch, cfg) -> list[Route]:
    soon = cfg.web.soon_ahead

    async def page(request: Request) -> Response:
        token = request.path_params["token"]
        if not TOKEN_RE.fullmatch(token):
            return pages.not_found()
        try:
            view = await watch.opened(token)
        except NoTicket:
            return pages.not_found()
        except (HubError, HubUnreachable):
            return pages.error(S.HUB_AWAY, 503)
        today = watch.clock.now().date().isoformat() if watch.clock else None
        return HTMLResponse(pages.ticket_page(cfg, token, browser_view(view), soon, today),
                            headers=pages.NO_STORE)

    async def looked_up(request: Request) -> tuple[str, dict | None, Response | None]:
        """(token, the ticket's view, None), or (token, None, the JSON error to answer); the
        view followed here when the page is open (its stream or polls), else the hub's."""
        token = request.path_params["token"]
        if not TOKEN_RE.fullmatch(token):
            return token, None, _json_error(404, S.NOT_FOUND, "no_ticket")
        try:
            return token, await watch.current(token), None
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
        args = await _json_args(request)
        if isinstance(args, Response):
            return args
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
