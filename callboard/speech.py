"""What an announcement says: the hall's sentence template, ticket numbers read digit by digit,
window numbers read as numbers (十一, 二十), all as a list of clip names.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from devices.audio.clips import PAUSE, check_clip_name

PLACEHOLDERS = ("no", "window", "window_name", "service")
_DIGITS_ZH = "零一二三四五六七八九"
_PUNCTUATION = ",.;:!?，。；：！？、"
_PIECES = re.compile(rf"[^\s{re.escape(_PUNCTUATION)}]+|[{re.escape(_PUNCTUATION)}]")
#: espeak-ng voices that read Hanzi; other voices get Arabic numerals to read their own way.
_CHINESE_VOICES = ("cmn", "zh", "yue", "hak")


def chinese_number(n: int) -> str:
    """``n`` (1–9999) as a Mandarin reading in Hanzi: 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 9999:
        raise ValueError(f"a window number must be 1–9999, got {n!r}")
    if 10 <= n < 20:  # 十一, not 一十一
        return "十" + (_DIGITS_ZH[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            out += ("零" if zero and out else "") + _DIGITS_ZH[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def is_chinese_voice(voice: str) -> bool:
    return voice.split("-")[0].lower() in _CHINESE_VOICES


def ticket_clips(no: str) -> list[str]:
    """Clip names reading ticket ``no`` one character at a time: "A012" → A, 0, 1, 2."""
    if not no or not all(c.isascii() and (c.isdigit() or c.isupper()) for c in no):
        raise ValueError(f"cannot read ticket number {no!r}: only A–Z and 0–9 are spoken")
    return [f"digit-{c}" if c.isdigit() else f"letter-{c}" for c in no]


@dataclass(frozen=True)
class Template:
    """A sentence to speak, e.g. the hall's ``[queue] call_template`` ``"请{no}号到{window_name}办理"``.

    Words between spaces (or between placeholders) are separate clips (``号 窗口`` is two, ``号窗口`` one); an underscore
    joins words into one clip spoken in one breath (``please_go_to``); punctuation (``,`` ``，``
    ``。``) is a short pause, never spoken.
    """

    text: str
    voice: str

    def __post_init__(self):
        self.tokens()  # fail at start, not at the first call

    def tokens(self) -> list[tuple[str, str]]:
        """``[("word", "请"), ("no", ""), …]``; ValueError for a bad template."""
        out: list[tuple[str, str]] = []
        try:
            parsed = list(string.Formatter().parse(self.text))
        except ValueError as exc:
            raise ValueError(f"announcement template {self.text!r}: {exc}") from None
        for literal, field, spec, conv in parsed:
            for piece in _PIECES.findall(literal):
                if piece in _PUNCTUATION:
                    if out and out[-1][0] != "pause":
                        out.append(("pause", ""))
                    continue
                text = piece.replace("_", " ")
                check_clip_name(f"word-{text}")
                out.append(("word", text))
            if field is None:
                continue
            if field not in PLACEHOLDERS or spec or conv:
                raise ValueError(f"announcement template {self.text!r}: unknown placeholder "
                                 f"{{{field}}}; use {{no}}, {{window}}, {{window_name}} or "
                                 "{service}")
            out.append((field, ""))
        if ("no", "") not in out:
            raise ValueError(f"announcement template {self.text!r} never says the ticket {{no}}")
        return out

    def clip_texts(self, windows: dict[int, str],
                   services: dict[str, str] | None = None) -> dict[str, str]:
        """Every clip this template can need (name -> text to speak) for the hall's windows
        (number -> name) and services (id -> name)."""
        zh = is_chinese_voice(self.voice)
        texts = {f"digit-{d}": (_DIGITS_ZH[d] if zh else str(d)) for d in range(10)}
        texts.update({f"letter-{c}": c for c in string.ascii_uppercase})
        for kind, word in self.tokens():
            if kind == "word":
                texts[f"word-{word}"] = word
            elif kind == "window":
                texts.update({f"num-{n}": chinese_number(n) if zh else str(n) for n in windows})
            elif kind == "window_name":
                texts.update({f"name-{n}": name for n, name in windows.items()})
            elif kind == "service":
                texts.update({f"service-{sid}": name for sid, name in (services or {}).items()})
        return texts

    def clips(self, no: str, window: int, service: str | None = None) -> list[str]:
        """Clip names saying this template for ticket ``no`` of ``service`` (an id) called to
        ``window``; ValueError when the template says the service and none is given."""
        names: list[str] = []
        for kind, word in self.tokens():
            if kind == "word":
                names.append(f"word-{word}")
            elif kind == "pause":
                names.append(PAUSE)
            elif kind == "no":
                names.extend(ticket_clips(no))
            elif kind == "window":
                names.append(f"num-{window}")
            elif kind == "window_name":
                names.append(f"name-{window}")
            elif service:
                names.append(f"service-{service}")
            else:
                raise ValueError(f"cannot say {{service}} of ticket {no!r}: no service given")
        return names
