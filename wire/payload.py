"""What a payload on the hall's wire may hold, checked before anything acts on it.

A payload is parsed completely and checked before the hub's engine sees it, so that nothing that
fails later (while storing, while drawing a screen) can be half-done: a depth limit (deep nesting
makes json recurse until RecursionError), bounded integers (a 5,000-digit integer raises
ValueError in int()), finite numbers, and strings that encode to UTF-8 (a lone UTF-16 surrogate
"\\ud800" is valid JSON but cannot be stored) with no control characters (they reach LED screens
and the printer). Every failure is a :class:`PayloadError` with a message that names the problem.
"""

from __future__ import annotations

import json
import math
import re

MAX_DEPTH = 8  # the deepest legitimate payload (a health report) nests 3 levels
MAX_INT_DIGITS = 18  # fits in SQLite's INTEGER; no count or number in the hall comes close
MAX_ITEMS = 1000  # members of all objects and arrays of one payload together
# C0 and C1 controls, DEL, lone surrogates, and the bidi overrides that reorder what a screen
# shows (U+202A–U+202E, U+2066–U+2069); tab and newline are refused too: no field needs them.
_BAD_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


class PayloadError(ValueError):
    """The payload cannot be taken; the message says why."""


def _int(text: str) -> int:
    digits = text.lstrip("-")
    if len(digits) > MAX_INT_DIGITS:
        raise PayloadError(f"an integer of {len(digits)} digits is over the "
                           f"{MAX_INT_DIGITS}-digit limit")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise PayloadError(f"number {text[:20]!r} is out of range")
    return value


def _constant(name: str):
    raise PayloadError(f"{name} is not a number this contract takes")


def parse(raw: bytes, max_bytes: int) -> object:
    """Parse ``raw`` as UTF-8 JSON and check it whole; PayloadError otherwise."""
    if len(raw) > max_bytes:
        raise PayloadError(f"payload of {len(raw)} bytes is over the {max_bytes}-byte limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"payload is not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"payload is not JSON: {exc.msg} at character {exc.pos}") from None
    except RecursionError:
        raise PayloadError(f"payload nests deeper than {MAX_DEPTH} levels") from None
    check(value)
    return value


def check(value: object) -> None:
    """Walk a parsed value: depth, item count, strings; PayloadError at the first fault."""
    items = 0
    stack: list[tuple[object, int, str]] = [(value, 0, "payload")]
    while stack:
        node, depth, where = stack.pop()
        if isinstance(node, str):
            _check_text(node, where)
        elif isinstance(node, (dict, list)):
            if depth >= MAX_DEPTH:
                raise PayloadError(f"{where} nests deeper than {MAX_DEPTH} levels")
            items += len(node)
            if items > MAX_ITEMS:
                raise PayloadError(f"payload holds more than {MAX_ITEMS} items")
            if isinstance(node, dict):
                for key, member in node.items():
                    _check_text(key, f"{where} key")
                    stack.append((member, depth + 1, f"{where}.{key}"[:80]))
            else:
                stack.extend((member, depth + 1, f"{where}[{i}]") for i, member in enumerate(node))


def _check_text(text: str, where: str) -> None:
    bad = _BAD_CHARS.search(text)
    if bad is not None:
        raise PayloadError(f"{where}: character U+{ord(bad.group()):04X} is not allowed")
