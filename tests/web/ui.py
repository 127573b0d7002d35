"""Playwright and Debian's Chromium for the UI tests: missing on a developer's machine they
skip; in CI (``CI=true``, as every CI sets it) they fail, so a green run always drove a browser."""

from __future__ import annotations

import importlib
import os

import pytest

CHROMIUM = "/usr/bin/chromium"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(what: str) -> None:
    """Skip (or, in CI, fail) because ``what`` is not installed; usable at module level."""
    if in_ci():
        pytest.fail(f"UI tests need {what} (setup.sh installs it); CI=true: not skipped",
                    pytrace=False)
    pytest.skip(f"{what} is not installed", allow_module_level=True)


def sync_api():
    """``playwright.sync_api``, or a skip/failure as above."""
    try:
        return importlib.import_module("playwright.sync_api")
    except ImportError:
        missing("Playwright (pip install playwright)")


def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        missing(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM
