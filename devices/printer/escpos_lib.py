"""Importing python-escpos the way hallstack needs it.

Every ``import escpos`` parses its capabilities and writes a pickle into a fresh temp folder
(~200 ms) unless ``ESCPOS_CAPABILITIES_PICKLE_DIR`` names a lasting one (DESIGN §9), so the
variable is set here, before the first import, to a cache folder that survives restarts.
"""

from __future__ import annotations

import os
from pathlib import Path


def _pickle_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "hallstack" / "escpos")


def escpos_module(name: str = "escpos.printer"):
    """Import and return ``name`` from python-escpos with a lasting capabilities cache."""
    import importlib

    path = os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR") or _pickle_dir()
    try:
        # python-escpos fails on a named folder that does not exist yet
        os.makedirs(path, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = path
    except OSError:
        os.environ.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)  # a temp folder: only slower
    return importlib.import_module(name)


def dummy_printer():
    """A python-escpos ``Dummy``: an Escpos object that keeps the bytes written to it."""
    return escpos_module("escpos.printer").Dummy()
