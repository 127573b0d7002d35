"""Which FF68 key code is which hall key, and which rating value is which score.

The codes are *unverified* beyond the one public host (docs/legacy-ff68.md), so each hall may
override them. A key frame carries its code in the last DATA byte, optionally preceded by a digit
typed on the keypad; two-step keys (弃号 ``06``+``0F``) are matched on ``(digit, code)`` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.keys import CLERK_KEYS, RATING_KEYS

from .errors import LegacyConfigError

#: The protocol page's codes. A string ``"06+0F"`` means digit 06 typed, then key 0F.
DEFAULT_KEYS: dict[str, str | list[str]] = {
    "call_next": "0C",
    "recall": "0D",
    "finish": "0B",
    "skip": "06+0F",
    "hold": "00+0F",
    "call_back": "03+0F",
    "pause": "12",
    "transfer": "13",
}

#: Rating values per pad kind → score 1–5 (5 = 非常满意). 4-key pads seen in public source:
#: 0 不满意, 1 一般/no opinion (read as 基本满意), 2 满意, 3 非常满意. The 5-key map is a guess.
DEFAULT_RATINGS: dict[str, dict[int, int]] = {
    "4key": {0: 2, 1: 3, 2: 4, 3: 5},
    "5key": {0: 1, 1: 2, 2: 3, 3: 4, 4: 5},
}

Code = tuple[int | None, int]  # (typed digit or None, key code)


def parse_code(text: str | int, where: str) -> Code:
    """``"0C"``, ``"0x0C"``, ``12`` or ``"06+0F"`` → ``(digit, code)``; LegacyConfigError else."""
    if isinstance(text, int) and not isinstance(text, bool):
        parts: list[str | int] = [text]
    elif isinstance(text, str) and text.strip():
        parts = [p.strip() for p in text.split("+")]
    else:
        raise LegacyConfigError(f"{where}: a key code is a hex byte like \"0C\" or \"06+0F\", "
                                f"got {text!r}")
    if len(parts) > 2:
        raise LegacyConfigError(f"{where}: at most digit+code, got {text!r}")
    values = []
    for part in parts:
        try:
            value = part if isinstance(part, int) else int(part, 16)
        except ValueError:
            raise LegacyConfigError(f"{where}: {part!r} is not a hex byte") from None
        if not 0 <= value <= 0xFF:
            raise LegacyConfigError(f"{where}: {part!r} is not a byte 00–FF")
        values.append(value)
    if len(values) == 2:
        return values[0], values[1]
    return None, values[0]


@dataclass(frozen=True)
class KeyMap:
    """Key codes → hall key names, and rating values → scores, for one bus.

    ``keys`` maps ``(digit, code)`` to a name of :data:`devices.keys.CLERK_KEYS`;
    ``any_key_resumes``: on a paused unit, any key but pause is delivered as ``resume``.
    """

    keys: dict[Code, str]
    any_key_resumes: bool = True

    @classmethod
    def from_table(cls, table: dict | None = None, path: str = "keys",
                   any_key_resumes: bool = True) -> KeyMap:
        """The defaults, with the hall's overrides of whole keys: ``{"skip": "07+0F"}``."""
        names = dict(DEFAULT_KEYS)
        for name, value in (table or {}).items():
            if name not in CLERK_KEYS:
                raise LegacyConfigError(
                    f"{path}.{name}: not a key name; known: {', '.join(CLERK_KEYS)}")
            names[name] = value
        keys: dict[Code, str] = {}
        for name, value in names.items():
            codes = value if isinstance(value, list) else [value]
            for code_text in codes:
                code = parse_code(code_text, f"{path}.{name}")
                if code in keys and keys[code] != name:
                    raise LegacyConfigError(
                        f"{path}.{name}: code {code_text!r} is already {keys[code]!r}")
                keys[code] = name
        return cls(keys, any_key_resumes)

    def key_for(self, data: bytes) -> tuple[str | None, int | None]:
        """``(key name or None, typed digit or None)`` for a key frame's DATA."""
        if not data:
            return None, None
        code = data[-1]
        digit = data[-2] if len(data) >= 2 else None
        if digit is not None and (digit, code) in self.keys:
            return self.keys[(digit, code)], None
        name = self.keys.get((None, code))
        # A digit typed before a one-step key travels with the press (e.g. a window to transfer to).
        return name, (digit if name is not None and digit is not None and digit <= 9 else None)


def rating_map(pad: str, table: dict | None, path: str) -> dict[int, str]:
    """Rating value → ``rate_N`` for a pad kind (``4key``/``5key``) with overrides."""
    if pad not in DEFAULT_RATINGS:
        raise LegacyConfigError(f"{path}.pad: must be one of {', '.join(DEFAULT_RATINGS)}, "
                                f"got {pad!r}")
    scores = dict(DEFAULT_RATINGS[pad]) if table is None else {}
    for value_text, score in (table or {}).items():
        try:
            value = int(value_text, 16) if isinstance(value_text, str) else int(value_text)
        except ValueError:
            raise LegacyConfigError(f"{path}.ratings.{value_text}: not a hex byte") from None
        if not 0 <= value <= 0xFF:
            raise LegacyConfigError(f"{path}.ratings.{value_text}: not a byte 00–FF")
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise LegacyConfigError(f"{path}.ratings.{value_text}: score must be 1–5, got "
                                    f"{score!r}")
        scores[value] = score
    return {value: RATING_KEYS[score - 1] for value, score in scores.items()}
