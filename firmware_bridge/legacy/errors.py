"""Errors of the legacy peripheral drivers."""

from __future__ import annotations


class LegacyConfigError(ValueError):
    """A legacy driver's settings are wrong; the message names the key path and the problem."""


class ScreenError(OSError):
    """An LED controller refused a command, answered garbage, or did not answer.

    An OSError, as every :class:`devices.ledscreen.WindowScreen` reports a screen it cannot
    drive (the callboard retries those and keeps the other screens going).

    ``code`` is the controller's status code when it gave one, else ``None``.
    """

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


def config_int(table: dict, key: str, path: str, default: int, lo: int, hi: int) -> int:
    """Read an int key of a settings table within ``lo``…``hi``; LegacyConfigError otherwise."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise LegacyConfigError(f"{path}.{key}: must be an integer {lo}–{hi}, got {value!r}")
    return value


def config_float(table: dict, key: str, path: str, default: float, lo: float, hi: float) -> float:
    """Read a number key within ``lo``…``hi``; LegacyConfigError otherwise."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise LegacyConfigError(f"{path}.{key}: must be a number {lo}–{hi}, got {value!r}")
    return float(value)


def config_str(table: dict, key: str, path: str, default: str | None,
               choices: tuple[str, ...] | None = None) -> str:
    """Read a string key, optionally one of ``choices``; LegacyConfigError otherwise."""
    value = table.get(key, default)
    if value is None:
        raise LegacyConfigError(f"{path}.{key}: is required")
    if not isinstance(value, str):
        raise LegacyConfigError(f"{path}.{key}: must be a string, got {value!r}")
    if choices is not None and value not in choices:
        raise LegacyConfigError(f"{path}.{key}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def reject_unknown(table: dict, known: set[str], path: str) -> None:
    """A key nobody reads is a typo: fail at start, naming it."""
    unknown = sorted(set(table) - known)
    if unknown:
        raise LegacyConfigError(
            f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
