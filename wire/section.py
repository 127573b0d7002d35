"""Validated reading of one TOML table: every error names the file, the key and what is wrong."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import time
from typing import Any


class ConfigError(ValueError):
    """The hall config is wrong; the message names the file, the key path and the problem."""


class Section:
    """A TOML table being read. Every getter records the key it read, so that
    :meth:`check_unused` can reject a key nobody read (a typo fails at start, with a suggestion).
    """

    def __init__(self, data: Any, path: str, source: str = "config"):
        self.path = path
        self.source = source
        if not isinstance(data, dict):
            self.fail(f"must be a table, got {type(data).__name__}")
        self.data = data
        self._read: set[str] = set()

    def fail(self, message: str, key: str | None = None) -> None:
        where = f"{self.path}.{key}" if key and self.path else (key or self.path or "(top)")
        raise ConfigError(f"{self.source}: {where}: {message}")

    def _get(self, key: str, default: Any, kinds: tuple[type, ...], kind_name: str) -> Any:
        self._read.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                self.fail("is required", key)
            return default
        value = self.data[key]
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            self.fail(f"must be {kind_name}, got {value!r}", key)
        return value

    def str(self, key: str, default: Any = ..., choices: Iterable[str] | None = None) -> str:
        value = self._get(key, _REQUIRED if default is ... else default, (str,), "a string")
        if choices is not None and value is not None:
            choices = tuple(choices)
            if value not in choices:
                near = difflib.get_close_matches(value, choices, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                self.fail(f"must be one of {', '.join(choices)}, got {value!r}{hint}", key)
        return value

    def int(self, key: str, default: Any = ..., min: int | None = None, max: int | None = None) -> int:
        value = self._get(key, _REQUIRED if default is ... else default, (int,), "an integer")
        if value is not None:
            if min is not None and value < min:
                self.fail(f"must be ≥ {min}, got {value}", key)
            if max is not None and value > max:
                self.fail(f"must be ≤ {max}, got {value}", key)
        return value

    def float(self, key: str, default: Any = ..., min: float | None = None,
              max: float | None = None) -> float:
        value = self._get(key, _REQUIRED if default is ... else default, (int, float), "a number")
        if value is not None:
            if min is not None and value < min:
                self.fail(f"must be ≥ {min}, got {value}", key)
            if max is not None and value > max:
                self.fail(f"must be ≤ {max}, got {value}", key)
            value = float(value)
        return value

    def bool(self, key: str, default: Any = ...) -> bool:
        return self._get(key, _REQUIRED if default is ... else default, (bool,), "true or false")

    def list(self, key: str, default: Any = ...) -> list:
        return self._get(key, _REQUIRED if default is ... else default, (list,), "a list")

    def str_list(self, key: str, default: Any = ...) -> list[str]:
        values = self.list(key, default)
        for i, v in enumerate(values or []):
            if not isinstance(v, str):
                self.fail(f"item {i} must be a string, got {v!r}", key)
        return values

    def table(self, key: str, required: bool = False) -> Section:
        self._read.add(key)
        if key not in self.data and not required:
            return Section({}, self._child(key), self.source)
        if key not in self.data:
            self.fail("is required", key)
        return Section(self.data[key], self._child(key), self.source)

    def tables(self, key: str) -> list[Section]:
        """An array of tables (``[[key]]``), each as a Section."""
        items = self.list(key, [])
        return [Section(item, f"{self._child(key)}[{i}]", self.source) for i, item in enumerate(items)]

    def time(self, key: str, default: Any = ...) -> time:
        return parse_time(self.str(key, default), self, key)

    def rest(self) -> dict:
        """The keys nobody read yet, as they are, now counted as read (a table whose remaining
        keys another reader checks, e.g. a device backend's own options)."""
        out = {k: v for k, v in self.data.items() if k not in self._read}
        self._read.update(out)
        return out

    def check_unused(self) -> None:
        """Reject keys nobody read, suggesting the closest known key."""
        for key in self.data:
            if key not in self._read:
                near = difflib.get_close_matches(key, sorted(self._read), n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                self.fail(f"unknown key{hint}", key)

    def _child(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key


def parse_time(text: str, section: Section, key: str) -> time:
    """Parse ``HH:MM`` into a time, failing through ``section`` with the key named."""
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        section.fail(f"must be a time HH:MM, got {text!r}", key)
        raise  # unreachable: fail() raises


_REQUIRED = object()
