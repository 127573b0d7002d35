"""hall-demo leaves what a newcomer is promised: a hall display frame, a printed ticket and the
kiosk screen as PNG, announcements as WAV that are not silent, and the day's figures."""

from __future__ import annotations

import json
import socket
import sqlite3
import wave

import numpy as np
import pytest
from PIL import Image

from hallsim.demo import main

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def test_a_morning_slice_of_the_demo_day(tmp_path, capsys):
    out = tmp_path / "demo"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        web = f"127.0.0.1:{s.getsockname()[1]}"
    assert main(["--clock", "2026-11-23T09:55:00+08:00", "--until", "10:25", "--speed", "120",
                 "--out", str(out), "--balance", "worst_off", "--assist", "auto",
                 "--capacity", "refuse", "--web", web]) == 0
    printed = capsys.readouterr().out
    assert "issued" in printed and "hall-demo: wrote to" in printed
    assert "balance worst_off, assist auto, capacity refuse" in printed
    assert "the duty manager (值班主任)" in printed   # under auto, nothing left to accept
    verdict = json.loads((out / "verdict.json").read_text(encoding="utf-8"))
    assert verdict["issued"] >= 10 and verdict["estimates_checked"] >= 5
    assert f"console: http://{web}/manage" in printed
    assert f"a ticket page: http://{web}/t/" in printed

    with sqlite3.connect(out / "hall.db") as conn:
        issued = conn.execute("select count(*) from tickets").fetchone()[0]
        called = conn.execute("select count(*) from events where kind='called'").fetchone()[0]
        windows = {r[0] for r in conn.execute(
            "select json_extract(data, '$.window') from events where kind='called'")}
    assert issued >= 10 and called >= 5
    assert windows & {1, 2, 3, 4}, "the RS-485 (Modbus) windows called nobody"
    assert windows - {1, 2, 3, 4}, "the GPIO windows called nobody"

    for name, size in (("hall-display.png", (1920, 1080)), ("kiosk.png", None),
                       ("ticket.png", None)):
        image = Image.open(out / name)
        assert size is None or image.size == size
        assert len(set(image.convert("L").tobytes())) > 2  # not a blank picture
    # the last printed ticket, not the whole roll (which Pillow refused as a decompression bomb)
    ticket = Image.open(out / "ticket.png")
    assert ticket.size[0] == 608 and ticket.size[1] < 2000, ticket.size

    wavs = sorted((out / "announcements").glob("*.wav"))
    assert wavs, "no announcement was made"
    with wave.open(str(wavs[0])) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        assert w.getnframes() / w.getframerate() > 3  # chime and two readings
    assert np.abs(samples).max() > 3000

    figures = (out / "figures.txt").read_text(encoding="utf-8")
    assert "取号数" in figures and "示范县政务服务中心" in figures
    assert (out / "figures.xlsx").stat().st_size > 0
    assert list((out / "charts").glob("*.png"))
