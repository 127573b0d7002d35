"""The technician's listener prints what is on the line, decoded, and what it rejects."""

from __future__ import annotations

import io

import pytest

from firmware_bridge.legacy import bx_commands as cmd
from firmware_bridge.legacy import bx_frame as bx
from firmware_bridge.legacy import ff68_frame as fr
from firmware_bridge.legacy.ff68_emulator import FF68Emulator
from firmware_bridge.legacy.serial_line import SerialLine
from firmware_bridge.legacy.sniff import main, sniff


def test_ff68_frames_both_directions_and_rejects():
    out = io.StringIO()
    chunks = [b"\x00\x01" + fr.encode(3, 0x01, b"\x06\x0f"),
              fr.encode(3, fr.FUNC_DISPLAY, fr.ticket_digits("A012")),
              fr.encode(17, fr.FUNC_RATING, b"\x02")[:5], b"",
              bytes.fromhex("FF 68 03 03 68 01 01 0C 11 16")]
    sniff(chunks, "ff68", out)
    lines = out.getvalue().splitlines()
    assert "REJECT noise 00 01" in lines[0]
    assert lines[1].endswith("unit 3 func 01 data 06 0f: key skip")
    assert lines[2].endswith("host shows [   012]")
    assert "REJECT truncated ff 68 03 03 68" in lines[3]
    assert "REJECT bad_checksum" in lines[4] and len(lines) == 5


def test_bx_text_and_reply():
    out = io.StringIO()
    request = bx.BXFrame(1, bx.HOST_ADDR, cmd.text_request([cmd.Area(text="请A012号")]))
    reply = bx.BXFrame(bx.HOST_ADDR, 1, cmd.reply_data(cmd.TEXT, 12))
    sniff([request.encode(), reply.encode()], "bx", out)
    text = out.getvalue()
    assert "text area 0 effect 1: '请A012号'" in text and "status 12 (no font)" in text


def test_main_refuses_a_missing_port(capsys):
    assert main(["--port", "/dev/does-not-exist-legacy"]) == 2
    assert "cannot open /dev/does-not-exist-legacy" in capsys.readouterr().err


def test_main_needs_a_port():
    with pytest.raises(SystemExit):
        main([])


def test_listening_on_a_real_pty():
    emulator = FF68Emulator([5])
    line = SerialLine(emulator.path, 9600, gap_s=0.05)
    try:
        emulator.inject(fr.encode(5, 0x01, b"\x0c"))
        out = io.StringIO()
        chunks = iter(line.read_some, None)
        sniff((next(chunks) for _ in range(3)), "ff68", out)
        assert "unit 5 func 01 data 0c: key call_next" in out.getvalue()
    finally:
        line.close()
        emulator.close()
