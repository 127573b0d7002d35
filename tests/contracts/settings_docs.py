"""The docs' settings key tables, generated from the schemas (wire.schema).

A doc marks a table with ``<!-- keys [toml header]: module:Class[/table] … +hand_read … -->``
and ends it with ``<!-- /keys -->``; between them stands the table :func:`render` makes from the
named schemas. ``+name`` names a key of that TOML table its reader reads by hand (a backend the
simulation decides, pin maps, converted lists): it has no row, but the doc's TOML examples may
show it. Rewrite every table after changing a schema with
``PYTHONPATH=$PWD python -m tests.contracts.settings_docs``; tests/contracts/test_settings_docs.py
fails while a table and its schemas differ.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from dataclasses import MISSING, dataclass
from datetime import time
from pathlib import Path

from wire.schema import KeyInfo, keys

DOCS = Path(__file__).resolve().parents[2] / "docs"
MARK = re.compile(r"<!-- keys ((?:\[\[?[^\]]+\]\]? ?)+): ([^>]*?) -->\n(.*?)<!-- /keys -->", re.S)
HEADER = re.compile(r"^\s*\[\[?\s*([^\]\s]+)\s*\]\]?")
KEY_LINE = re.compile(r"^\s*#?\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")


@dataclass(frozen=True)
class Mark:
    """One marked table of a doc."""

    doc: Path
    headers: tuple[str, ...]              # its TOML tables, e.g. "nodes.devices.printer"
    schemas: tuple[tuple[type, str | None], ...]
    by_hand: tuple[str, ...]
    body: str                             # what stands between the markers now

    def keys(self) -> list[KeyInfo]:
        return [k for cls, table in self.schemas for k in keys(cls) if k.spec.table == table]

    def shows(self, header: str) -> bool:
        """Whether a TOML example's ``header`` is one of this table's (``<class>``: any name)."""
        return any(h == header or "<" in h and header.startswith(h.split("<")[0])
                   for h in self.headers)

    def names(self) -> set[str]:
        return {k.name for k in self.keys()} | set(self.by_hand)


def marks(doc: Path) -> list[Mark]:
    return [_mark(doc, m) for m in MARK.finditer(doc.read_text(encoding="utf-8"))]


def _mark(doc: Path, m: re.Match) -> Mark:
    schemas, by_hand = [], []
    for word in m.group(2).split():
        if word.startswith("+"):
            by_hand.append(word[1:])
            continue
        where, _, table = word.partition("/")
        module, _, name = where.partition(":")
        schemas.append((getattr(importlib.import_module(module), name), table or None))
    headers = tuple(re.findall(r"\[\[?([^\]\s]+)\]\]?", m.group(1)))
    return Mark(doc, headers, tuple(schemas), tuple(by_hand), m.group(3))


def all_marks() -> list[Mark]:
    return [m for doc in sorted(DOCS.glob("*.md")) for m in marks(doc)]


def render(mark: Mark) -> str:
    """The Markdown table of ``mark``'s keys: name, default, what is allowed."""
    rows = ["| key | default | allowed |", "| --- | --- | --- |"]
    for k in mark.keys():
        rows.append(f"| `{k.name}` | {_default(k)} | {_allowed(k)} |")
    return "\n".join(rows) + "\n"


def _default(k: KeyInfo) -> str:
    if k.spec.default_is is not None:
        return k.spec.default_is.replace("|", "\\|")
    if k.default is MISSING:
        return "required"
    return "unset" if k.default is None else f"`{_toml(k.default)}`"


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, time):
        return f'"{value:%H:%M}"'
    if isinstance(value, (str, Path)):
        return f'"{value}"'
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def _allowed(k: KeyInfo) -> str:
    spec = k.spec
    if callable(spec.choices):
        return "a backend of the device registry"
    if spec.choices is not None:
        return " \\| ".join(spec.choices)
    if spec.min is not None and spec.max is not None:
        return f"{_num(spec.min)}–{_num(spec.max)}"
    if spec.min is not None:
        return f"≥ {_num(spec.min)}"
    if spec.max is not None:
        return f"≤ {_num(spec.max)}"
    return {"time": "HH:MM", "str_list": "a list of strings", "list": "a list", "str": "a string",
            "int": "an integer", "float": "a number", "bool": "true \\| false",
            "path": "a folder or file"}[k.kind]


def _num(value: float) -> str:
    return f"{value:_}" if isinstance(value, int) and value >= 100_000 else repr(value)


def example_keys(doc: Path) -> list[tuple[str, str, int]]:
    """(TOML table, key, line) of every key the doc's ```toml blocks show, commented or not."""
    out, header, in_toml = [], "", False
    for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_toml, header = line.strip() == "```toml", ""
            continue
        if not in_toml:
            continue
        h = HEADER.match(line)
        if h:
            header = h.group(1)
        elif (k := KEY_LINE.match(line)) and header:
            out.append((header, k.group(1), n))
    return out


def schema_classes(module_names: tuple[str, ...]) -> set[tuple[type, str | None]]:
    """Every (schema, sub-table) the modules declare."""
    out = set()
    for name in module_names:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value) \
                    and value.__module__ == name:
                out |= {(value, k.spec.table) for k in keys(value)}
    return out


def write() -> list[Path]:
    """Rewrite every marked table from its schemas; the docs changed."""
    changed = []
    for doc in sorted(DOCS.glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        new = MARK.sub(lambda m, doc=doc: m.group(0)[:m.start(3) - m.start(0)]
                       + render(_mark(doc, m)) + "<!-- /keys -->", text)
        if new != text:
            doc.write_text(new, encoding="utf-8")
            changed.append(doc)
    return changed


if __name__ == "__main__":
    for path in write():
        print(f"rewrote {path}")
