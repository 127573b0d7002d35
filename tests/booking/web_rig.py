"""The booking pages' rig (fixtures the page tests import): hall-web from tests/web/rig.py on the
real broker and the real hub, and Chromium at 390×844."""

from __future__ import annotations

import pytest

from tests.web.rig import WebRig, browser, phone  # noqa: F401 - fixtures for the booking pages


class BookRig(WebRig):
    """hall-web for the booking pages: their tests do not wait for the queue's retained state."""

    wait_for_queue = False


@pytest.fixture
def book_web(hall_config, broker, hall_clock, hub_service):
    rig = BookRig(hall_config, broker, hall_clock, hub_service.db_path).start()
    yield rig
    rig.stop()
