"""The clip library announcements are composed from: a hall's recorded WAVs where it has them,
else clips spoken by espeak-ng once and cached, all trimmed and normalised and held in memory.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from devices.audio.pcm import chime, normalise, read_wav, silence, trim, write_wav

#: Bump when trimming/normalising changes, so cached clips are made again.
GENERATION = 1
CHIME = "chime"
#: A short silence where a template has punctuation.
PAUSE = "pause"
PAUSE_S = 0.25
#: A short lead of silence so that a sleeping amplifier wakes before the chime.
LEAD_IN_S = 0.3


class ClipError(RuntimeError):
    """A clip could not be made or read; the message says which and what to do."""


def default_cache_dir() -> Path:
    """``$HALL_CLIPS_DIR``, else ``~/.cache/hallstack/clips``."""
    env = os.environ.get("HALL_CLIPS_DIR")
    return Path(env) if env else Path.home() / ".cache" / "hallstack" / "clips"


def check_clip_name(name: str) -> str:
    """Return ``name`` if it can be a file name on every node, else raise ValueError."""
    bad = not name or name.startswith(".") or any(c in name for c in '/\\\0')
    if bad or not name.isprintable():
        raise ValueError(f"clip name {name!r} cannot be a file name")
    return name


class ClipLibrary:
    """Named clips (mono int16 at SAMPLE_RATE), all in memory so that an announcement is composed
    by concatenation in well under a millisecond.
    """

    def __init__(self, clips: dict[str, np.ndarray], sources: dict[str, str] | None = None):
        self._clips = dict(clips)
        #: where each clip came from: "hall" (recorded), "espeak" or "synth"
        self.sources = dict(sources or {})

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._clips[name]
        except KeyError:
            raise KeyError(f"no clip {name!r} in the library") from None

    def __contains__(self, name: str) -> bool:
        return name in self._clips

    def names(self) -> list[str]:
        return sorted(self._clips)

    def compose(self, names: list[str], gap_s: float = 0.0) -> np.ndarray:
        """The clips ``names`` one after another, ``gap_s`` of silence between them."""
        parts = self.parts(names, gap_s)
        return np.concatenate(parts) if parts else silence(0)

    def parts(self, names: list[str], gap_s: float = 0.0) -> list[np.ndarray]:
        """What :meth:`compose` joins, not joined (the clips themselves, nothing copied)."""
        parts: list[np.ndarray] = []
        gap = silence(gap_s)
        for i, name in enumerate(names):
            if i and len(gap):
                parts.append(gap)
            parts.append(self[name])
        return parts

    @classmethod
    def load(cls, texts: dict[str, str], voice: str, cache_dir: str | Path | None = None,
             hall_dir: str | Path | None = None) -> ClipLibrary:
        """Load the clips ``texts`` (name -> what espeak-ng says for it) plus ``chime``.

        A file ``hall_dir/<name>.wav`` (the hall's own voice) wins; then a word the hall
        recorded in pieces (``word-号到`` from ``word-号.wav`` and ``word-到.wav``: a sentence
        written without spaces, docs/announcements.md); otherwise the clip is made by espeak-ng
        with ``voice`` into ``cache_dir`` (default :func:`default_cache_dir`) the first time and
        read from there afterwards.
        """
        for name in texts:
            check_clip_name(name)
        cache = Path(cache_dir) if cache_dir else default_cache_dir()
        hall = Path(hall_dir) if hall_dir else None
        if hall is not None and not hall.is_dir():
            raise ClipError(f"{hall}: the hall's clip folder does not exist")
        clips: dict[str, np.ndarray] = {}
        sources: dict[str, str] = {}
        todo: dict[str, str] = {}
        for name, text in texts.items():
            own = hall / f"{name}.wav" if hall else None
            if own is not None and own.is_file():
                clips[name], sources[name] = _prepare(own), "hall"
            elif hall is not None and (pieces := _recorded_pieces(hall, name)):
                clips[name] = np.concatenate([_prepare(hall / f"{p}.wav") for p in pieces])
                sources[name] = "hall: " + " + ".join(pieces)
            else:
                todo[name] = text
        own_chime = hall / f"{CHIME}.wav" if hall else None
        if own_chime is not None and own_chime.is_file():
            clips[CHIME], sources[CHIME] = _prepare(own_chime, normalise_to=-6.0), "hall"
        else:
            clips[CHIME], sources[CHIME] = chime(), "synth"
        clips[PAUSE], sources[PAUSE] = silence(PAUSE_S), "synth"
        if todo:
            folder = cache / _safe(voice)
            folder.mkdir(parents=True, exist_ok=True)
            with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
                made = pool.map(lambda item: _cached(folder, voice, *item), todo.items())
                for name, samples in zip(todo, made):
                    clips[name], sources[name] = samples, "espeak"
        return cls(clips, sources)


def _recorded_pieces(hall: Path, name: str) -> list[str] | None:
    """Word clip ``name`` as the fewest of the hall's recorded words that spell it, or None."""
    if not name.startswith("word-"):
        return None
    text = name[len("word-"):]
    recorded = {p.stem[len("word-"):] for p in hall.glob("word-*.wav")} - {text}
    best: list[list[str] | None] = [[]] + [None] * len(text)  # best[i]: pieces spelling text[:i]
    for end in range(1, len(text) + 1):
        for start in range(end):
            head, piece = best[start], text[start:end]
            if head is not None and piece in recorded and (
                    best[end] is None or len(head) + 1 < len(best[end])):
                best[end] = head + [piece]
    pieces = best[-1]
    return [f"word-{p}" for p in pieces] if pieces and len(pieces) > 1 else None


def _prepare(path: Path, normalise_to: float = -3.0) -> np.ndarray:
    try:
        samples = trim(read_wav(path))
    except ValueError as exc:
        raise ClipError(str(exc)) from None
    if not len(samples):
        raise ClipError(f"{path}: the clip is silent")
    return normalise(samples, normalise_to)


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)


def _cached(folder: Path, voice: str, name: str, text: str) -> np.ndarray:
    key = hashlib.sha1(f"{GENERATION}\0{voice}\0{text}".encode()).hexdigest()[:10]
    path = folder / f"{name}.{key}.wav"
    if path.is_file():
        try:
            return read_wav(path)
        except ValueError:
            pass  # a torn cache file: make it again
    samples = speak(text, voice)
    # Write then rename, so a node killed mid-write never leaves half a clip in the cache.
    fd, tmp = tempfile.mkstemp(suffix=".wav", dir=folder)
    os.close(fd)
    write_wav(tmp, samples)
    os.replace(tmp, path)
    return samples


@functools.lru_cache(maxsize=4)
def known_voices(exe: str) -> frozenset[str]:
    """Voice names espeak-ng accepts (language codes and voice files, e.g. ``cmn-latn-pinyin``)."""
    out = subprocess.run([exe, "--voices"], capture_output=True, text=True, check=False).stdout
    names = set()
    for line in out.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5:
            names.add(cols[1].lower())
            names.add(cols[4].split("/")[-1].lower())
    return frozenset(names)


def speak(text: str, voice: str) -> np.ndarray:
    """``text`` spoken by espeak-ng with ``voice``, trimmed and normalised to −3 dBFS."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise ClipError("espeak-ng is not installed (apt-get install espeak-ng), and the hall's "
                        "clip folder has no recording for this clip")
    voices = known_voices(exe)
    if voice.lower() not in voices:
        # espeak-ng falls back to English without a word: a typo would make the hall English.
        near = difflib.get_close_matches(voice.lower(), sorted(voices), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ClipError(f"espeak-ng has no voice {voice!r}{hint}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clip.wav"
        # "--" so that a text starting with "-" is spoken, not taken as an option.
        run = subprocess.run([exe, "-v", voice, "-w", str(out), "--", text],
                             capture_output=True, text=True, check=False)
        if run.returncode != 0 or not out.is_file():
            raise ClipError(f"espeak-ng -v {voice} failed on {text!r}: {run.stderr.strip()}")
        samples = trim(read_wav(out))
    if not len(samples):
        raise ClipError(f"espeak-ng -v {voice} said nothing for {text!r}")
    return normalise(samples, -3.0)
