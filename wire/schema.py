"""Settings as schemas: a frozen dataclass declares its TOML keys as fields (default, bounds,
choices) with :func:`key`, and :func:`read` fills it from a :class:`~wire.section.Section`
through the Section's getters, so every error names the file and key and a typo still gets its
"did you mean". Each default is stated once, on the field; docs/ tables are checked against
:func:`keys` (tests/contracts/test_settings_docs.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import MISSING, dataclass
from datetime import time
from pathlib import Path
from typing import Any

from wire.section import Section

KINDS = ("int", "float", "str", "bool", "list", "str_list", "time", "path")


@dataclass(frozen=True)
class Key:
    """How one field is read: its TOML ``name`` (default: the field's), bounds, choices (or a
    callable naming them, e.g. the device registry's backends), ``kind`` (default: from the
    field's type) and the sub-``table`` it sits in (a node's settings span several tables)."""

    name: str | None = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    kind: str | None = None
    table: str | None = None
    default_is: str | None = None   # for the docs: a default the reader gives (e.g. "the id")


def key(default: Any = MISSING, *, name: str | None = None, min: float | None = None,
        max: float | None = None, choices: Any = None, kind: str | None = None,
        table: str | None = None, default_is: str | None = None) -> Any:
    """A dataclass field that is a TOML key; no ``default``: the key is required."""
    if kind is not None and kind not in KINDS:
        raise TypeError(f"unknown kind {kind!r}; use {', '.join(KINDS)}")
    if choices is not None and not callable(choices):
        choices = tuple(choices)
    meta = {"key": Key(name, min, max, choices, kind, table, default_is)}
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class KeyInfo:
    """One key of a schema, as a doc table lists it."""

    field: str
    name: str
    kind: str
    default: Any            # MISSING: required
    spec: Key


def keys(cls: type) -> list[KeyInfo]:
    """The TOML keys ``cls`` declares, in field order."""
    out = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get("key")
        if spec is not None:
            out.append(KeyInfo(f.name, spec.name or f.name, spec.kind or _kind(cls, f),
                               f.default, spec))
    return out


def read_keys(cls: type, s: Section, *, defaults: dict | None = None,
              skip: tuple[str, ...] | set[str] = (), table: str | None = None,
              only: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The values of ``cls``'s keys in ``table`` (None: its keys outside any sub-table) from
    ``s``, by field name; ``defaults`` replaces a field's default where it depends on the rest
    of the config: a value, or a callable given the values read so far (fields are read in
    order: a window's name defaults from its number); ``only`` names the fields to read."""
    out: dict[str, Any] = {}
    for info in keys(cls):
        if info.field in skip or info.spec.table != table or only and info.field not in only:
            continue
        default = (defaults or {}).get(info.field, info.default)
        if callable(default):
            default = default(out)
        out[info.field] = _get(s, info, ... if default is MISSING else default)
    return out


def read(cls: type, s: Section, *, defaults: dict | None = None, check: bool = True,
         **given: Any) -> Any:
    """An instance of ``cls`` from ``s``: its keys read, ``given`` fields passed as they are;
    then (``check``) any key nobody read is refused with a suggestion."""
    value = cls(**read_keys(cls, s, defaults=defaults, skip=set(given)), **given)
    if check:
        s.check_unused()
    return value


def _get(s: Section, info: KeyInfo, default: Any) -> Any:
    spec, name, kind = info.spec, info.name, info.kind
    if kind in ("int", "float"):
        return getattr(s, kind)(name, default, min=spec.min, max=spec.max)
    if kind == "str":
        choices = spec.choices() if callable(spec.choices) else spec.choices
        return s.str(name, default, choices=choices)
    if kind == "time":
        return s.time(name, default.strftime("%H:%M") if isinstance(default, time) else default)
    if kind == "path":
        text = s.str(name, None if default is None else str(default))
        return Path(text) if text else None
    if kind == "str_list":
        value = s.str_list(name, list(default) if isinstance(default, tuple) else default)
        return tuple(value) if value is not None else None
    if kind == "list":
        return s.list(name, list(default) if isinstance(default, tuple) else default)
    return s.bool(name, default)


def _kind(cls: type, f: dataclasses.Field) -> str:
    """The kind a field's annotation names (``int``, ``str | None``, ``tuple[str, ...]`` …)."""
    text = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    text = text.replace(" | None", "").replace("None | ", "").strip()
    kind = {"tuple[str, ...]": "str_list", "Path": "path"}.get(text, text)
    if kind not in KINDS:
        raise TypeError(f"{cls.__name__}.{f.name}: cannot read a {text}; give key(kind=...)")
    return kind
