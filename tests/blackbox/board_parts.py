"""A real ``hall-callboard --simulate`` judged from outside: by the files its simulated devices
leave (docs/callboard.md): one WAV per announcement, the LED screens' serial bytes per window.

The hall's own clip recordings (``announce.clips_dir``) are written here as square waves, each clip
with a half-period of its own, so an announcement's WAV can be read back into the clips it was
composed of by counting samples. Nothing here imports hallstack.
"""

from __future__ import annotations

import json
import os
import string
import subprocess
import tomllib
import wave
from array import array
from pathlib import Path

from .outside import BIN, HALL, Hall, stop_process, wait_for

RATE = 22050  # the clips' rate: no resampling, so a half-period survives loading exactly
HALF_PERIODS = 4  # a clip is this many half-periods of its own length (repeats stay countable)
LEVEL = 8000


def board_devices(text: str, folder: Path, repeats: int = 1) -> str:
    """hall.toml with board-1's simulated devices writing under ``folder`` and the hall's clips
    read from ``folder/clips``."""
    tables = (f'\n[nodes.devices.audio]\nbackend = "wav"\nout_dir = "{folder / "audio"}"\n'
              f'\n[nodes.devices.led]\nbackend = "sim"\nout_dir = "{folder / "led"}"\n'
              f'\n[nodes.devices.announce]\nclips_dir = "{folder / "clips"}"\n'
              f'cache_dir = "{folder / "cache"}"\nrepeats = {repeats}\n')
    anchor = 'id = "board-1"\nrole = "callboard"\n'
    assert text.count(anchor) == 1, "examples/hall.toml's board-1 entry moved"
    return text.replace(anchor, anchor + tables)


def clip_names(config: Path, words: list[str]) -> list[str]:
    """Every clip a call can need in this hall: digits, letters, window numbers and names,
    ``words``; and the chime."""
    windows = tomllib.loads(config.read_text())["windows"]
    names = [f"digit-{d}" for d in range(10)] + [f"letter-{c}" for c in string.ascii_uppercase]
    names += [f"num-{w['number']}" for w in windows] + [f"name-{w['number']}" for w in windows]
    return names + [f"word-{w}" for w in words] + ["chime"]


def write_clips(folder: Path, names: list[str]) -> dict[int, str]:
    """One square-wave WAV per clip name; returns half-period (samples) -> clip name."""
    folder.mkdir(parents=True, exist_ok=True)
    by_half = {}
    for i, name in enumerate(names):
        half = 3 + i
        samples = array("h", ([LEVEL] * half + [-LEVEL] * half) * (HALF_PERIODS // 2))
        with wave.open(str(folder / f"{name}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(samples.tobytes())
        by_half[half] = name
    return by_half


def read_clips(path: Path, by_half: dict[int, str]) -> list[str]:
    """The clips an announcement WAV is made of, in order (silences left out)."""
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        samples = array("h", w.readframes(w.getnframes()))
    groups: list[list] = []  # [half-period, half-periods counted]; 0 for silence
    sign, length = 0, 0
    for s in list(samples) + [0, 1]:  # the sentinel closes the last run
        now = (s > 0) - (s < 0)
        if now == sign:
            length += 1
            continue
        half = length if sign else 0
        if groups and groups[-1][0] == half:
            groups[-1][1] += 1
        else:
            groups.append([half, 1])
        sign, length = now, 1
    out: list[str] = []
    for half, count in groups:
        if half:
            out += [by_half.get(half, f"?{half}")] * max(1, count // HALF_PERIODS)
    return out


def led_frames(path: Path) -> list[tuple[str, str]]:
    """The text frames a window's screen received, as (mode, text), from the serial bytes and
    the frame format in docs/callboard.md (STX addr cmd len16 payload checksum ETX)."""
    data = path.read_bytes() if path.exists() else b""
    frames, i = [], 0
    modes = {0: "static", 1: "flash", 2: "scroll"}
    while i + 5 <= len(data):
        assert data[i] == 0x02, f"{path}: no STX at byte {i}"
        length = int.from_bytes(data[i + 3:i + 5], "big")
        end = i + 5 + length + 2
        if end > len(data):
            break  # a frame still being written
        cmd, payload = data[i + 2], data[i + 5:i + 5 + length]
        assert data[end - 1] == 0x03, f"{path}: no ETX at byte {end - 1}"
        if cmd == ord("T"):
            frames.append((modes[payload[0]], payload[1:].decode("gb2312")))
        i = end
    return frames


def announcements(folder: Path) -> list[Path]:
    return sorted((folder / "audio").glob("announcement-*.wav"))


def tickets_said(clips: list[str]) -> list[str]:
    """The ticket numbers read in an announcement's clips (one per reading)."""
    out, current = [], ""
    for clip in clips + ["end"]:
        if clip.startswith(("letter-", "digit-")):
            current += clip.split("-", 1)[1]
        elif current:
            out.append(current)
            current = ""
    return out


class Board:
    """``hall-callboard --simulate --headless`` as board-1, started with its env file."""

    def __init__(self, hall: Hall, folder: Path):
        self.hall, self.folder = hall, folder
        watcher = hall.node("admin-1", f"hall/{HALL}/node/board-1/status")
        log = open(hall.workdir / "board.log", "ab")
        self.proc = subprocess.Popen(
            [BIN / "hall-callboard", "--config", hall.config, "--broker", hall.broker.url,
             "--simulate", "--headless"], env={**os.environ, **hall.env("board-1")},
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def online():
            assert self.proc.poll() is None, f"hall-callboard exited: {self.log()[-3000:]}"
            status = watcher.retained.get(f"hall/{HALL}/node/board-1/status")
            return bool(status and status.get("online"))
        wait_for(online, 30, "board-1 to come online")

    def log(self) -> str:
        return (self.hall.workdir / "board.log").read_text(errors="replace")

    def said(self, by_half: dict[int, str]) -> list[list[str]]:
        """Each announcement so far as its clips (a file still being written is left out)."""
        out = []
        for path in announcements(self.folder):
            try:
                out.append(read_clips(path, by_half))
            except (EOFError, wave.Error):
                break
        return out

    def wait_said(self, no: str, by_half: dict[int, str], timeout: float = 30.0) -> list[str]:
        """Wait until ticket ``no`` was announced; the tickets announced, in order."""
        def heard():
            assert self.proc.poll() is None, f"hall-callboard exited: {self.log()[-3000:]}"
            said = [tickets_said(clips)[0] for clips in self.said(by_half)]
            return said if no in said else None
        return wait_for(heard, timeout, f"{no} to be announced")

    def led(self, window: int) -> list[tuple[str, str]]:
        return led_frames(self.folder / "led" / f"led-window-{window}.bin")

    def stop(self) -> None:
        stop_process(self.proc)


def called(epoch: str, seq: int, no: str, window: int, text: str) -> bytes:
    """A ``called`` event as docs/events.md describes it."""
    return json.dumps({"seq": seq, "at": "2026-11-23T10:00:00+08:00", "epoch": epoch, "no": no,
                       "window": window, "window_name": f"{window}号窗口", "service": no[0],
                       "recall": False, "recalls": 0, "text": text, "how": "next"},
                      ensure_ascii=False).encode()
