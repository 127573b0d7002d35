"""Fixtures shared by the contract tests: the device emulators other suites already keep."""

from __future__ import annotations

from tests.firmware_bridge.conftest import emulated_bus  # noqa: F401 - a fixture, by import
from tests.printer.conftest import pty_printer, tcp_printer  # noqa: F401 - fixtures, by import
