"""hall-web beside the demo's hall: started as its own process on the demo's broker and
database, with the demo's clock, so a newcomer can open the console and a ticket page while the
day runs."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from hallsim.broker import stop_process


class DemoWeb:
    """``hall-web`` on ``listen`` (HOST:PORT); ``console_url`` once :meth:`start` returned."""

    def __init__(self, config: str, broker_url: str, db: Path, clock, speed: float,
                 listen: str, public_url: str):
        self.config, self.broker_url, self.db, self.clock = config, broker_url, db, clock
        self.speed, self.listen = speed, listen
        self.public_url = public_url.rstrip("/") or f"http://{listen}"
        self.proc: subprocess.Popen | None = None
        self.ticket_url: str | None = None

    @property
    def console_url(self) -> str:
        return f"http://{self.listen}/manage"

    def start(self, timeout: float = 15.0) -> bool:
        """Start hall-web; whether it answers on its port within ``timeout`` s."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "web.app", "--config", self.config, "--broker",
             self.broker_url, "--db", str(self.db), "--listen", self.listen,
             "--clock", self.clock.now().isoformat(), "--speed", f"{self.speed:g}"],
            stdout=subprocess.DEVNULL)
        host, _, port = self.listen.rpartition(":")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection((host, int(port)), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    def note_ticket(self, issued: list[dict]) -> str | None:
        """The page of the first ticket the kiosk issued, once there is one (printed once)."""
        if self.ticket_url is None and issued and issued[0].get("token"):
            self.ticket_url = f"{self.public_url}/t/{issued[0]['token']}"
            return self.ticket_url
        return None

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
