"""Draw a :class:`~devices.printer.paper.Paper` as the strip of paper a thermal printer makes.

Geometry of a common 203 dpi printer with font A: 12×24 dots for ASCII, 24×24 for Hanzi, 576
printable dots on 80 mm paper and 384 on 58 mm; ``GS !`` scales a cell by its factors. Lines
wider than the paper wrap, as on the printer.
"""

from __future__ import annotations

from devices.fonts import pillow_font
from devices.printer.paper import Cut, Feed, Line, Paper, QRBlock

PRINTABLE_DOTS = {80: 576, 58: 384}
CELL_H = 24
LINE_GAP = 6     # default line spacing is 30 dots for a 24-dot font
MARGIN = 16      # paper beyond the printable area on each side


def _cell_width(ch: str) -> int:
    return 12 if ord(ch) < 0x80 else 24


def _wrap(line: Line, width: int) -> list[list[tuple[str, int, int, bool]]]:
    rows: list[list[tuple[str, int, int, bool]]] = [[]]
    used = 0
    for run in line.runs:
        for ch in run.text:
            w = _cell_width(ch) * run.width
            if used + w > width and rows[-1]:
                rows.append([])
                used = 0
            rows[-1].append((ch, run.width, run.height, run.bold))
            used += w
    return rows


def render(paper: Paper, width_mm: int = 80):
    """A Pillow image (mode "L") of ``paper`` on a roll ``width_mm`` wide (80 or 58)."""
    from PIL import Image, ImageDraw

    if width_mm not in PRINTABLE_DOTS:
        raise ValueError(f"paper width must be 80 or 58 mm, got {width_mm}")
    dots = PRINTABLE_DOTS[width_mm]
    blocks: list[Image.Image] = []
    for item in paper.items:
        if isinstance(item, Line):
            for row in _wrap(item, dots):
                blocks.append(_draw_row(row, item.align, dots))
        elif isinstance(item, QRBlock):
            blocks.append(_draw_qr(item, dots))
        elif isinstance(item, Feed):
            blocks.append(Image.new("L", (dots, item.lines * (CELL_H + LINE_GAP)), 255))
        elif isinstance(item, Cut):
            cut = Image.new("L", (dots, 12), 255)
            ImageDraw.Draw(cut).line([(0, 6), (dots, 6)], fill=128, width=1)
            for x in range(0, dots, 16):
                ImageDraw.Draw(cut).line([(x, 6), (x + 8, 6)], fill=255, width=1)
            blocks.append(cut)
    height = sum(b.height for b in blocks) + 2 * MARGIN
    image = Image.new("L", (dots + 2 * MARGIN, max(height, 2 * MARGIN)), 255)
    y = MARGIN
    for block in blocks:
        image.paste(block, (MARGIN, y))
        y += block.height
    return image


def _draw_row(row, align: str, dots: int):
    from PIL import Image, ImageDraw

    if not row:
        return Image.new("L", (dots, CELL_H + LINE_GAP), 255)
    height = max(h for _, _, h, _ in row) * CELL_H
    width = sum(_cell_width(ch) * w for ch, w, _, _ in row)
    strip = Image.new("L", (dots, height + LINE_GAP), 255)
    x = {"left": 0, "center": (dots - width) // 2, "right": dots - width}[align]
    for ch, w, h, bold in row:
        cell_w, cell_h = _cell_width(ch) * w, CELL_H * h
        glyph = Image.new("L", (_cell_width(ch) * h, cell_h), 255)
        font = pillow_font(cell_h - 2 * h)
        draw = ImageDraw.Draw(glyph)
        # bold is a second pass one dot to the right, as printers do it
        for dx in ((0, 1) if bold else (0,)):
            draw.text((glyph.width // 2 + dx, cell_h // 2), ch, font=font, fill=0, anchor="mm")
        if glyph.width != cell_w:
            glyph = glyph.resize((cell_w, cell_h))
        strip.paste(glyph, (x, height - cell_h))   # characters of a row share a baseline
        x += cell_w
    return strip


def _draw_qr(block: QRBlock, dots: int):
    import qrcode
    from PIL import Image

    levels = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
              "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}
    code = qrcode.QRCode(error_correction=levels[block.ec], box_size=block.module, border=0)
    code.add_data(block.content.encode("utf-8"))
    try:
        code.make(fit=True)
    except Exception:  # content too large for any version: the printer prints nothing
        return Image.new("L", (dots, 1), 255)
    symbol = code.make_image().get_image().convert("L")
    if symbol.width > dots:
        return Image.new("L", (dots, 1), 255)   # a printer drops a symbol wider than the paper
    strip = Image.new("L", (dots, symbol.height + LINE_GAP), 255)
    x = {"left": 0, "center": (dots - symbol.width) // 2, "right": dots - symbol.width}[block.align]
    strip.paste(symbol, (x, 0))
    return strip
