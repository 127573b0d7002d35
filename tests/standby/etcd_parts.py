"""A real etcd (Debian's etcd-server) for the standby tests: one member or three, each in its own
data folder; stopped by the caller."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

from tests.blackbox.outside import poll

ETCD = shutil.which("etcd") or "/usr/bin/etcd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def etcd_command(name: str, folder: Path, ip: str, client: int, peer: int,
                 cluster: str) -> list[str]:
    return [ETCD, "--name", name, "--data-dir", str(folder / f"{name}.etcd"),
            "--listen-client-urls", f"http://{ip}:{client}",
            "--advertise-client-urls", f"http://{ip}:{client}",
            "--listen-peer-urls", f"http://{ip}:{peer}",
            "--initial-advertise-peer-urls", f"http://{ip}:{peer}",
            "--initial-cluster", cluster, "--initial-cluster-state", "new",
            "--heartbeat-interval", "100", "--election-timeout", "1000",
            "--logger", "zap", "--log-level", "error"]


def healthy(url: str, timeout: float = 15.0) -> bool:
    """Whether the member at ``url`` answers with a leader within ``timeout`` s (etcd's own
    /health, looked at every 50 ms)."""
    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as resp:
                return json.loads(resp.read()).get("health") == "true"
        except (OSError, ValueError):
            return False
    return bool(poll(answers, timeout, every=0.05))


class OneEtcd:
    def __init__(self, folder: Path):
        client, peer = free_port(), free_port()
        self.url = f"http://127.0.0.1:{client}"
        cmd = etcd_command("solo", folder, "127.0.0.1", client, peer,
                           f"solo=http://127.0.0.1:{peer}")
        self.log = open(folder / "etcd.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        if not healthy(self.url):
            self.stop()
            raise RuntimeError(f"etcd did not start: {(folder / 'etcd.log').read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
