"""A private Mosquitto for tests, the demo and the bench: its own config, port and log file."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


class BrokerError(RuntimeError):
    """Mosquitto is missing or would not start; the message quotes its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Broker:
    """A running Mosquitto; ``url`` is what ``--broker`` takes."""

    host: str
    port: int
    workdir: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "mosquitto.log"

    def stop(self) -> None:
        """Stop the broker (SIGTERM, then SIGKILL after 5 s)."""
        stop_process(self.process, 5)

    def kill(self) -> None:
        """Take the broker away at once, as a crash or a pulled cable would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        """Start again on the same port with the same config (after stop or kill)."""
        self.stop()
        self.process = _spawn(self.workdir)
        _wait_listening(self)


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> int:
    """SIGTERM as systemd stops a unit, SIGKILL after ``timeout`` s; the exit status."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def mosquitto_binary() -> str:
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and os.path.exists(candidate):
            return candidate
    raise BrokerError("mosquitto is not installed: apt-get install mosquitto")


def start_broker(workdir: str | Path, port: int | None = None, extra_conf: str = "",
                 anonymous: bool = True, tuned: bool = True) -> Broker:
    """Start Mosquitto on 127.0.0.1 with a config written into ``workdir``.

    ``tuned`` sets ``set_tcp_nodelay true`` (DESIGN.md §9: 88 ms → 0.2 ms per round trip).
    ``extra_conf`` is appended (password_file, acl_file …). Files are made world-readable
    because Mosquitto drops to user ``mosquitto`` before opening them.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o755)
    port = port or free_port()
    conf = [
        f"listener {port} 127.0.0.1",
        f"allow_anonymous {'true' if anonymous else 'false'}",
        "persistence false",
        "log_dest stdout",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "max_inflight_messages 0",
        "max_queued_messages 100000",
    ]
    if tuned:
        conf.append("set_tcp_nodelay true")
    if os.geteuid() == 0:
        conf.append("user root")  # files under tmp dirs stay readable; no privilege drop in tests
    conf_path = workdir / "mosquitto.conf"
    conf_path.write_text("\n".join(conf) + "\n" + extra_conf)
    os.chmod(conf_path, 0o644)
    broker = Broker("127.0.0.1", port, workdir, _spawn(workdir))
    _wait_listening(broker)
    return broker


def _spawn(workdir: Path) -> subprocess.Popen:
    log = open(workdir / "mosquitto.log", "ab")
    try:
        return subprocess.Popen([mosquitto_binary(), "-c", str(workdir / "mosquitto.conf")],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    finally:
        log.close()


def _wait_listening(broker: Broker, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if broker.process.poll() is not None:
            raise BrokerError(f"mosquitto exited with {broker.process.returncode}: "
                              f"{broker.log_path.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection((broker.host, broker.port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    broker.kill()
    raise BrokerError(f"mosquitto did not listen on {broker.port} within {timeout} s")
