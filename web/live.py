"""Server-Sent Events: a stream of JSON snapshots with a keep-alive, ended when the browser
goes (uvicorn's --timeout-graceful-shutdown ends the rest when the server stops)."""

from __future__ import annotations

import asyncio
import json

KEEPALIVE_S = 15.0   # a comment line keeps proxies and phones from dropping an idle stream
RETRY_MS = 2000      # how soon EventSource reconnects after a drop


def frame(data: dict) -> str:
    return "data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n\n"


async def sse_stream(request, q: asyncio.Queue, first: dict, done):
    """The SSE body: ``first``, then each snapshot put on ``q``; ``done()`` at the end."""
    try:
        yield f"retry: {RETRY_MS}\n" + frame(first)
        while True:
            try:
                item = await asyncio.wait_for(q.get(), KEEPALIVE_S)
            except TimeoutError:
                if await request.is_disconnected():
                    break
                yield ": keep-alive\n\n"
                continue
            if item is None:
                break
            yield frame(item)
    finally:
        done()
