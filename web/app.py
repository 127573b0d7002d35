"""``hall-web``: the citizens' ticket pages and the hall manager's console, one ASGI app on
Starlette served by uvicorn, a node of the hall (role ``web``) like the kiosk."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import signal
import sys
from datetime import datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from web import console, pages, ticketpage, ticketwatch
from web.auth import hash_password
from web.booking import BookingPages
from web.hublink import HubLink
from web.ratelimit import parse_proxies
from wire.client import HubClient
from wire.clock import HallClock
from wire.config import ConfigError, HallConfig, load_config
from wire.memory import limit_arenas
from wire.watchdog import Watchdog

log = logging.getLogger("hall-web")
STATIC = Path(__file__).parent / "static"
GRACEFUL_S = 2  # open SSE streams never end by themselves: uvicorn cuts them after this
WATCHDOG_FEED_S = 5.0  # well inside the unit's WatchdogSec
SESSIONS_NAME = "web-sessions.json"


class SecurityHeaders:
    """Adds pages.SECURITY_HEADERS to every HTTP response."""

    def __init__(self, app):
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in
                        pages.SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def add(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + self.headers
            await send(message)

        return await self.app(scope, receive, add)


def build_app(cfg: HallConfig, link: HubLink, db_path: str | None, clock: HallClock,
              watchdog: Watchdog | None = None, sessions_path: str | Path | None = None,
              proxies: tuple = ()):
    """The ASGI app; the link starts with the app's event loop and stops with it. Under
    systemd, ``watchdog`` says ready once serving and is fed while the event loop turns.
    ``sessions_path``: the console's sessions survive a restart there (else in memory).
    ``proxies``: the reverse proxies believed about a citizen's address (web/ratelimit.py)."""
    watch = ticketwatch.TicketWatch(link, cfg, db_path, clock)
    hall = console.Console(cfg, link, db_path, clock, sessions_path)

    async def feed(dog: Watchdog) -> None:
        while True:  # a stuck event loop stops feeding it, and systemd restarts hall-web
            dog.alive()
            await asyncio.sleep(WATCHDOG_FEED_S)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        watch.start()
        link.start(asyncio.get_running_loop())
        hall.start()
        feeder = None
        if watchdog is not None:
            watchdog.ready()
            feeder = asyncio.ensure_future(feed(watchdog))
        try:
            yield
        finally:
            if feeder is not None:
                feeder.cancel()
                watchdog.stopping()
            link.stop()

    routes = [Route("/", lambda r: RedirectResponse("/manage", 303)),
              *ticketpage.routes(watch, cfg), *hall.routes(),
              *BookingPages(cfg, link, clock, proxies).routes(),
              Mount("/static", StaticFiles(directory=STATIC), name="static")]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.watch, app.state.console = watch, hall
    return SecurityHeaders(app)


def first_web_node(cfg: HallConfig) -> str:
    for node in cfg.nodes.values():
        if node.role == "web":
            return node.id
    raise ConfigError(f"{cfg.source}: nodes: the hall has no node with role = \"web\"")


def _listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--listen must be HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def sessions_file(option: str, db: str | None) -> Path | None:
    """``--sessions``: a path, ``off`` (memory only), or ``auto``: beside the database, in the
    folder the unit may write (ReadWritePaths), so a restart keeps managers logged in."""
    if option == "off" or option == "auto" and not db:
        return None
    return Path(db).parent / SESSIONS_NAME if option == "auto" else Path(option)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT."""
    limit_arenas()  # before any thread (wire/memory.py)
    parser = argparse.ArgumentParser(prog="hall-web", description=__doc__.split("\n")[0])
    parser.add_argument("--config", help="the hall config (TOML)")
    parser.add_argument("--broker", default="mqtt://127.0.0.1:1883", help="mqtt://host:port")
    parser.add_argument("--db", help="the hub's SQLite file, read only (figures)")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="HOST:PORT")
    parser.add_argument("--sessions", default="auto",
                        help="console sessions file (auto: beside --db; off: memory only)")
    parser.add_argument("--node", help="node id (default: the config's first web node)")
    parser.add_argument("--clock", help="hall time at start, ISO 8601 (else HALL_CLOCK)")
    parser.add_argument("--speed", type=float, default=1.0, help="hall clock speed factor")
    parser.add_argument("--username", default=os.environ.get("HALL_MQTT_USERNAME"))
    parser.add_argument("--password", default=os.environ.get("HALL_MQTT_PASSWORD"))
    parser.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDR",
                        help="a reverse proxy (address or network) whose X-Forwarded-For "
                             "names the citizen for the /book limits; repeatable; added to "
                             "hall.toml's [web] trusted_proxies")
    parser.add_argument("--hash-password", action="store_true",
                        help="ask for a console password and print its hash for [[web.users]]")
    args = parser.parse_args(argv)
    if args.hash_password:
        print(hash_password(getpass.getpass("password: ")))
        return 0
    if not args.config:
        parser.error("--config is required")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        cfg = load_config(args.config)
        node_id = args.node or first_web_node(cfg)
        if cfg.node(node_id).role != "web":
            raise ConfigError(f"{cfg.source}: node {node_id!r} is not a web node")
        clock = HallClock.from_args(cfg.tz, args.clock, args.speed)
        host, port = _listen(args.listen)
        proxies = parse_proxies([*cfg.web.trusted_proxies, *args.trusted_proxy])
        client = HubClient(cfg, node_id, args.broker, clock, username=args.username,
                           password=args.password)
        link = HubLink(client, args.broker, args.username, args.password)
        # a simulated hall clock (the month's demo) follows the hub's over skipped nights
        client.on_event("clock_step", lambda _k, e: clock.follow(
            datetime.fromisoformat(e["to"]), e["step_s"]))
    except (ConfigError, ValueError) as exc:
        print(f"hall-web: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    app = build_app(cfg, link, args.db, clock, Watchdog(), sessions_file(args.sessions, args.db),
                    proxies)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           timeout_graceful_shutdown=GRACEFUL_S,
                                           access_log=False))
    # uvicorn raises the stop signal again once it has shut down gracefully; after that a
    # SIGTERM or Ctrl-C stop is a clean exit (status 0), as systemd and the demo expect
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    log.info("hall-web %s on http://%s:%d (console /manage)", node_id, host, port)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
