"""A small ESC/POS interpreter: bytes → the lines, QR codes and cuts a printer would make.

It understands exactly what hallstack sends (``ESC @``, ``FS &``/``FS .``, ``GS !``, ``ESC !``,
``ESC a``, ``ESC E``, ``ESC d``, ``GS ( k`` QR, ``GS V`` cut, LF, GBK text) and counts every
other byte in :attr:`Paper.unknown` instead of failing: a printer skips what it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    """Characters printed with one style: width/height factors (``GS !``) and bold."""

    text: str
    width: int = 1
    height: int = 1
    bold: bool = False


@dataclass
class Line:
    """One printed line: its runs and alignment (left, center, right)."""

    runs: list[Run] = field(default_factory=list)
    align: str = "left"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class QRBlock:
    """A QR code printed by ``GS ( k`` fn 81."""

    content: str
    module: int
    ec: str
    align: str


@dataclass(frozen=True)
class Feed:
    """``ESC d n``: n blank lines."""

    lines: int


@dataclass(frozen=True)
class Cut:
    """``GS V``: the paper is cut here."""


@dataclass
class Paper:
    """What came out of the printer, in order, plus the bytes it did not understand."""

    items: list = field(default_factory=list)
    unknown: int = 0

    @property
    def lines(self) -> list[Line]:
        return [i for i in self.items if isinstance(i, Line)]

    @property
    def text_lines(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def qr_codes(self) -> list[QRBlock]:
        return [i for i in self.items if isinstance(i, QRBlock)]

    @property
    def cuts(self) -> int:
        return sum(isinstance(i, Cut) for i in self.items)

    def last_ticket(self) -> Paper:
        """The piece the last cut took off: from the cut before it (or the roll's start)
        through the last cut. Without any cut, everything printed so far. ``unknown`` counts
        the whole roll's bytes, so it is not carried over."""
        cuts = [i for i, item in enumerate(self.items) if isinstance(item, Cut)]
        if not cuts:
            return Paper(list(self.items))
        start = cuts[-2] + 1 if len(cuts) > 1 else 0
        return Paper(self.items[start:cuts[-1] + 1])


_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}


class _State:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.chinese = False
        self.width = self.height = 1
        self.bold = False
        self.align = "left"
        self.qr_module, self.qr_ec, self.qr_data = 3, "L", b""


def interpret(data: bytes) -> Paper:
    """Read ``data`` as a printer would and return the :class:`Paper` it makes. Never raises."""
    paper, st = Paper(), _State()
    line = Line()
    text: list[str] = []

    def flush_run() -> None:
        if text:
            line.runs.append(Run("".join(text), st.width, st.height, st.bold))
            text.clear()

    def add_char(ch: str) -> None:
        if not line.runs and not text:
            line.align = st.align       # ESC a counts at the start of a line, as on a printer
        text.append(ch)

    def end_line(force: bool) -> None:
        nonlocal line
        flush_run()
        if line.runs or force:
            paper.items.append(line)
        line = Line()

    def style_changed() -> None:
        flush_run()

    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b == 0x0A:                                   # LF
            end_line(force=True)
            i += 1
        elif b == 0x0D:                                 # CR: no effect in the default mode
            i += 1
        elif b == 0x1B and i + 1 < n:                   # ESC …
            cmd = data[i + 1]
            if cmd == 0x40:                             # ESC @
                end_line(force=False)
                st.reset()
                i += 2
            elif cmd in (0x61, 0x45, 0x21, 0x64) and i + 2 < n:
                arg = data[i + 2]
                if cmd == 0x61 and arg in _ALIGN:       # ESC a n
                    st.align = _ALIGN[arg]
                elif cmd == 0x45:                       # ESC E n
                    style_changed()
                    st.bold = bool(arg & 1)
                elif cmd == 0x21:                       # ESC ! n: bold bit; Hanzi ignore sizes
                    style_changed()
                    st.bold = bool(arg & 0x08)
                elif cmd == 0x64:                       # ESC d n
                    end_line(force=False)
                    paper.items.append(Feed(arg))
                else:
                    paper.unknown += 3
                i += 3
            else:                                       # an ESC we do not know: skip both
                paper.unknown += 2
                i += 2
        elif b == 0x1C and i + 1 < n and data[i + 1] in (0x26, 0x2E):   # FS & / FS .
            st.chinese = data[i + 1] == 0x26
            i += 2
        elif b == 0x1D and i + 2 < n and data[i + 1] == 0x21:           # GS ! n
            style_changed()
            arg = data[i + 2]
            st.width, st.height = (arg >> 4) + 1, (arg & 0x0F) + 1
            if st.width > 8 or st.height > 8:
                st.width, st.height = 1, 1              # out of range: printers ignore it
                paper.unknown += 3
            i += 3
        elif b == 0x1D and i + 2 < n and data[i + 1] == 0x56:           # GS V m [n]
            m = data[i + 2]
            end_line(force=False)
            if m in (0, 1, 48, 49):
                paper.items.append(Cut())
                i += 3
            elif m in (65, 66) and i + 3 < n:
                paper.items.append(Feed(data[i + 3]))
                paper.items.append(Cut())
                i += 4
            else:
                paper.unknown += 3
                i += 3
        elif b == 0x1D and i + 4 < n and data[i + 1:i + 3] == b"(k":     # GS ( k
            length = data[i + 3] | data[i + 4] << 8
            body = data[i + 5:i + 5 + length]
            if len(body) < length or length < 2:
                paper.unknown += n - i                  # truncated: the rest is swallowed
                break
            _qr_function(body, st, paper, end_line)
            i += 5 + length
        elif st.chinese and 0x81 <= b <= 0xFE and i + 1 < n and 0x40 <= data[i + 1] <= 0xFE \
                and data[i + 1] != 0x7F:
            try:
                add_char(data[i:i + 2].decode("gbk"))
            except UnicodeDecodeError:
                paper.unknown += 2
            i += 2
        elif 0x20 <= b <= 0x7E:
            add_char(chr(b))
            i += 1
        else:
            paper.unknown += 1
            i += 1
    end_line(force=False)
    return paper


def _qr_function(body: bytes, st: _State, paper: Paper, end_line) -> None:
    cn, fn, rest = body[0], body[1], body[2:]
    if cn != 49:
        paper.unknown += len(body) + 5
    elif fn == 65:                                      # model
        pass
    elif fn == 67 and rest and 1 <= rest[0] <= 16:      # module size
        st.qr_module = rest[0]
    elif fn == 69 and rest and rest[0] in _EC:          # error correction
        st.qr_ec = _EC[rest[0]]
    elif fn == 80 and rest:                             # store data (after m = '0')
        st.qr_data = rest[1:]
    elif fn == 81:                                      # print the stored symbol
        end_line(False)
        if st.qr_data:
            content = st.qr_data.decode("utf-8", errors="replace")
            paper.items.append(QRBlock(content, st.qr_module, st.qr_ec, st.align))
    else:
        paper.unknown += len(body) + 5
