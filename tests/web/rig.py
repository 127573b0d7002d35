"""hall-web test rig: the app served by uvicorn on a free port (in a thread, on a real socket),
a web node on the real broker and hub, and a real headless Chromium driven by Playwright.
tests/web/conftest.py and tests/booking/web_rig.py both serve their pages with it."""

from __future__ import annotations

import dataclasses
import socket
import threading

import pytest

from tests.helpers import eventually
from tests.web import ui
from wire.client import HubClient

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebRig:
    """hall-web for one test; ``url`` is its base, ``cfg`` the hall config with that public_url."""

    wait_for_queue = True   # start() also waits for the hub's retained queue state

    def __init__(self, cfg, broker, clock, db_path, proxies=()):
        import uvicorn

        from web.app import build_app
        from web.hublink import HubLink

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cfg = dataclasses.replace(cfg, web=dataclasses.replace(cfg.web, public_url=self.url))
        self.client = HubClient(self.cfg, "web", broker.url, clock)
        self.link = HubLink(self.client, broker.url)
        self.app = build_app(self.cfg, self.link, db_path, clock, proxies=proxies)
        self.server = uvicorn.Server(uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning",
            timeout_graceful_shutdown=1, access_log=False))
        self.thread = threading.Thread(target=self.server.run, name="hall-web", daemon=True)

    def start(self) -> WebRig:
        self.thread.start()
        assert eventually(lambda: self.server.started, timeout=10), "hall-web did not start"
        assert self.client.wait_connected(5), "hall-web did not reach the broker"
        if self.wait_for_queue:
            assert eventually(lambda: "queue" in self.client.state), "no retained queue state"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module: one sync Playwright per process at a time, and the black-box
    web tests start their own (they share no code with this rig)."""
    api = ui.sync_api()
    with api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=ui.chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    """A 390×844 phone page (zh-CN)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                              locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True,
                              has_touch=True)
    page = ctx.new_page()
    yield page
    ctx.close()


@pytest.fixture
def desk(browser):
    """A 1920×1080 desk screen (zh-CN)."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                              timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    yield page
    ctx.close()
