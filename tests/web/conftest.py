"""hall-web's fixtures: the rig (tests/web/rig.py) on the real broker and hub, and Chromium."""

from __future__ import annotations

import pytest

from tests.web.rig import WebRig, browser, desk, phone  # noqa: F401 - fixtures for the web tests


@pytest.fixture
def web(hall_config, broker, hall_clock, hub_service):
    rig = WebRig(hall_config, broker, hall_clock, hub_service.db_path).start()
    yield rig
    rig.stop()
