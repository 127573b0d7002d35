"""The CJK font every screen and the printed-ticket renderer use, found once per process."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

#: Font files tried when fontconfig cannot answer, with the face index for Simplified Chinese.
KNOWN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


class FontMissing(RuntimeError):
    """No CJK font is installed: install fonts-noto-cjk or fonts-wqy-zenhei."""


@functools.cache
def cjk_font_file(bold: bool = False) -> tuple[str, int]:
    """Return ``(path, face_index)`` of a Simplified Chinese face.

    ``HALL_CJK_FONT=path[:index]`` overrides. pygame's Font cannot pick a face of a collection
    (it draws the Japanese forms), so callers must pass the index on (freetype ``font_index``,
    Pillow ``index``).
    """
    override = os.environ.get("HALL_CJK_FONT")
    if override:
        path, _, index = override.partition(":")
        return path, int(index or 0)
    family = "Noto Sans CJK SC:bold" if bold else "Noto Sans CJK SC"
    if shutil.which("fc-match"):
        out = subprocess.run(
            ["fc-match", "-f", "%{file}:%{index}", family],
            capture_output=True, text=True, check=False,
        ).stdout
        path, _, index = out.rpartition(":")
        if path and ("CJK" in path or "wqy" in path):
            return path, int(index or 0)
    for path, index in KNOWN_FONTS:
        if os.path.exists(path):
            return path, index
    raise FontMissing("no CJK font: apt-get install fonts-noto-cjk (or fonts-wqy-zenhei)")


@functools.cache
def freetype_font(size: int, bold: bool = False):
    """A cached ``pygame.freetype.Font`` of the CJK face at ``size`` px (pygame must be imported)."""
    import pygame.freetype

    if not pygame.freetype.get_init():
        pygame.freetype.init()
    path, index = cjk_font_file(bold)
    return pygame.freetype.Font(path, size, font_index=index)


@functools.cache
def pillow_font(size: int, bold: bool = False):
    """A cached Pillow ``ImageFont`` of the CJK face at ``size`` px."""
    from PIL import ImageFont

    path, index = cjk_font_file(bold)
    return ImageFont.truetype(path, size, index=index)
