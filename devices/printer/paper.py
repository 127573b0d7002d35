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
    r = _Reader(data)
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b == 0x0A:                                   # LF
            r.end_line(force=True)
            i += 1
        elif b == 0x0D:                                 # CR: no effect in the default mode
            i += 1
        elif b == 0x1B and i + 1 < n:                   # ESC …
            i = r.esc(i)
        elif b == 0x1C and i + 1 < n and data[i + 1] in (0x26, 0x2E):   # FS & / FS .
            r.st.chinese = data[i + 1] == 0x26
            i += 2
        elif b == 0x1D and i + 2 < n and data[i + 1] in (0x21, 0x56):   # GS ! n, GS V m [n]
            i = r.gs_size(i) if data[i + 1] == 0x21 else r.gs_cut(i)
        elif b == 0x1D and i + 4 < n and data[i + 1:i + 3] == b"(k":     # GS ( k
            i = r.gs_qr(i)
        elif r.st.chinese and 0x81 <= b <= 0xFE and i + 1 < n and 0x40 <= data[i + 1] <= 0xFE \
                and data[i + 1] != 0x7F:
            try:
                r.add_char(data[i:i + 2].decode("gbk"))
            except UnicodeDecodeError:
                r.paper.unknown += 2
            i += 2
        elif 0x20 <= b <= 0x7E:
            r.add_char(chr(b))
            i += 1
        else:
            r.paper.unknown += 1
            i += 1
    r.end_line(force=False)
    return r.paper


class _Reader:
    """The paper being made and the line being set; each command's method takes the index of
    its first byte and returns the index after it."""

    def __init__(self, data: bytes):
        self.data, self.paper, self.st = data, Paper(), _State()
        self.line = Line()
        self.text: list[str] = []

    def flush_run(self) -> None:
        if self.text:
            st = self.st
            self.line.runs.append(Run("".join(self.text), st.width, st.height, st.bold))
            self.text.clear()

    def add_char(self, ch: str) -> None:
        if not self.line.runs and not self.text:
            self.line.align = self.st.align  # ESC a counts at the start of a line, as on a printer
        self.text.append(ch)

    def end_line(self, force: bool) -> None:
        self.flush_run()
        if self.line.runs or force:
            self.paper.items.append(self.line)
        self.line = Line()

    def esc(self, i: int) -> int:
        data, st, paper = self.data, self.st, self.paper
        cmd = data[i + 1]
        if cmd == 0x40:                                 # ESC @
            self.end_line(force=False)
            st.reset()
            return i + 2
        if cmd not in (0x61, 0x45, 0x21, 0x64) or i + 2 >= len(data):
            paper.unknown += 2                          # an ESC we do not know: skip both
            return i + 2
        arg = data[i + 2]
        if cmd == 0x61 and arg in _ALIGN:               # ESC a n
            st.align = _ALIGN[arg]
        elif cmd == 0x45:                               # ESC E n
            self.flush_run()
            st.bold = bool(arg & 1)
        elif cmd == 0x21:                               # ESC ! n: bold bit; Hanzi ignore sizes
            self.flush_run()
            st.bold = bool(arg & 0x08)
        elif cmd == 0x64:                               # ESC d n
            self.end_line(force=False)
            paper.items.append(Feed(arg))
        else:
            paper.unknown += 3
        return i + 3

    def gs_size(self, i: int) -> int:
        """GS ! n."""
        st = self.st
        self.flush_run()
        arg = self.data[i + 2]
        st.width, st.height = (arg >> 4) + 1, (arg & 0x0F) + 1
        if st.width > 8 or st.height > 8:
            st.width, st.height = 1, 1                  # out of range: printers ignore it
            self.paper.unknown += 3
        return i + 3

    def gs_cut(self, i: int) -> int:
        """GS V m [n]."""
        data, paper = self.data, self.paper
        m = data[i + 2]
        self.end_line(force=False)
        if m in (0, 1, 48, 49):
            paper.items.append(Cut())
            return i + 3
        if m in (65, 66) and i + 3 < len(data):
            paper.items.append(Feed(data[i + 3]))
            paper.items.append(Cut())
            return i + 4
        paper.unknown += 3
        return i + 3

    def gs_qr(self, i: int) -> int:
        """GS ( k: the QR functions."""
        data = self.data
        length = data[i + 3] | data[i + 4] << 8
        body = data[i + 5:i + 5 + length]
        if len(body) < length or length < 2:
            self.paper.unknown += len(data) - i        # truncated: the rest is swallowed
            return len(data)
        _qr_function(body, self.st, self.paper, self.end_line)
        return i + 5 + length


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
