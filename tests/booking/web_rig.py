"""The booking pages' rig (fixtures the page tests import): hall-web served by uvicorn on a
free port (in a thread) on the real broker and the real hub, and Chromium at 390×844."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from tests.helpers import eventually
from tests.web import ui
from tests.web.conftest import CHROMIUM_ARGS, free_port
from wire.client import HubClient


class BookRig:
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

    def start(self) -> BookRig:
        self.thread.start()
        assert eventually(lambda: self.server.started, timeout=10), "hall-web did not start"
        assert self.client.wait_connected(5), "hall-web did not reach the broker"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def book_web(hall_config, broker, hall_clock, hub_service):
    rig = BookRig(hall_config, broker, hall_clock, hub_service.db_path).start()
    yield rig
    rig.stop()


@pytest.fixture(scope="module")
def browser():
    api = ui.sync_api()
    with api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=ui.chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                              locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True,
                              has_touch=True)
    page = ctx.new_page()
    yield page
    ctx.close()
