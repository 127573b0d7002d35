"""The month run's hub as a process of its own, as on a hall's hub machine, so that its memory
is a figure of its own (issue 28.4: every process's RSS), not mixed with the nodes'.

The parent (hall-demo --days) starts ``python -m hallsim.hubproc SETUP`` and drives it by lines
on its stdin; the child answers ``ready`` on its stdout each time its hub serves:

- ``skip <hall time> <monotonic>``: the night is skipped. The parent's clock jumped to that hall
  time at that :func:`time.monotonic` (one clock for the whole machine), so the child's clock
  lands where the parent's is now whatever the pipe's delay; its hub records the step
  (``clock_step``) as the in-process hub did;
- ``restart``: the hub's night restart (stopped, a new HubService on the same file);
- ``stop`` (or the end of stdin): the hub stops and the process ends.

SETUP is a pickle of the demo's config (hall-demo's rules and the month's backup folder
applied), the database, the broker's URL and the clock's anchor.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from wire.clock import HallClock
from wire.memory import limit_arenas

READY_S = 30.0  # real seconds a hub has to serve after a start or restart


class HubProcess:
    """The parent's handle: what hallsim.demo.DemoHall does with an in-process HubService
    (``start``, ``wait_ready``, ``stop``), plus ``skip`` and ``restart`` for the month."""

    def __init__(self, cfg, db: str, url: str, clock: HallClock, take_over: bool, log: Path):
        self.cfg, self.db, self.url, self.clock = cfg, db, url, clock
        self.take_over, self.log = take_over, log
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def start(self) -> None:
        mono = time.monotonic()
        setup = {"cfg": self.cfg, "db": self.db, "url": self.url, "tz": self.clock.tz,
                 "speed": self.clock.speed, "hall_at": self._hall_at(mono), "mono": mono,
                 "take_over": self.take_over}
        fd, path = tempfile.mkstemp(prefix="hub-setup-", suffix=".pickle",
                                    dir=Path(self.db).parent)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(setup, f)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "hallsim.hubproc", path],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=log, env=env, text=True, bufsize=1)

    def _hall_at(self, mono: float) -> str:
        return (self.clock.now() - timedelta(seconds=(time.monotonic() - mono)
                                             * self.clock.speed)).isoformat()

    def wait_ready(self, timeout: float = READY_S) -> bool:
        """True once the child says its hub serves, False if it ended (it gives up itself after
        ``READY_S``: the argument is for HubService's signature)."""
        while self.proc is not None and (line := self.proc.stdout.readline()):
            if line.strip() == "ready":
                return True
        return False

    def skip(self) -> None:
        """The parent's clock has just jumped: the child's follows, anchored as above."""
        mono = time.monotonic()
        self._send(f"skip {self._hall_at(mono)} {mono!r}")

    def restart(self) -> bool:
        self._send("restart")
        return self.wait_ready()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self._send("stop")
            self.proc.wait(READY_S)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()

    def _send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()


def _clock(tz, speed: float, hall_at: str, mono: float) -> HallClock:
    """A clock reading ``hall_at`` at monotonic ``mono`` (the parent's, to the microsecond)."""
    start = datetime.fromisoformat(hall_at) + timedelta(seconds=(time.monotonic() - mono) * speed)
    return HallClock(tz, start, speed)


def _at(clock: HallClock, hall_at: str, mono: float) -> datetime:
    return datetime.fromisoformat(hall_at) + timedelta(seconds=(time.monotonic() - mono)
                                                       * clock.speed)


def serve(setup_path: str) -> int:
    limit_arenas()  # as hall-hub does (wire/memory.py)
    import logging

    from hub.service import HubService

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")  # to hub.log (the parent's stderr for us)

    with open(setup_path, "rb") as f:
        setup = pickle.load(f)
    os.unlink(setup_path)
    clock = _clock(setup["tz"], setup["speed"], setup["hall_at"], setup["mono"])

    def hub_up(take_over: bool) -> HubService:
        hub = HubService(setup["cfg"], setup["db"], setup["url"], clock, take_over=take_over)
        hub.start()
        if not hub.wait_ready(READY_S):
            raise RuntimeError(f"the hub could not subscribe on {setup['url']}")
        print("ready", flush=True)
        return hub

    hub = hub_up(setup["take_over"])
    for line in sys.stdin:
        word, *rest = line.split()
        if word == "skip":
            clock.skip_to(_at(clock, rest[0], float(rest[1])))
        elif word == "restart":
            hub.stop()
            hub = hub_up(False)
        elif word == "stop":
            break
    hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
