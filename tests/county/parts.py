"""Real parts for the county tests: a PostgreSQL from Debian's package, Mosquitto brokers bridged
site → county through a link the test can cut, and site hubs in-process."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

import psycopg
import pytest

from hallsim.broker import free_port, start_broker
from hub.broker_bridge import generate
from hub.config import load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hall.toml"


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed: apt-get install postgresql (setup.sh does)")
    return Path(found[-1]).parent


class Postgres:
    """A private PostgreSQL cluster: initdb in a temp folder, a free port, a unix socket."""

    def __init__(self):
        self.bin = _pg_bin()
        # not under pytest's tmp folders: their parents are 0700 root, and the server runs as
        # user postgres when the tests run as root (initdb refuses root)
        self.dir = Path(tempfile.mkdtemp(prefix="hall-county-pg-"))
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off",
                  "start")

    def _run(self, tool: str, *args: str) -> None:
        out = subprocess.run(self.as_user + [str(self.bin / tool), *args], capture_output=True,
                             text=True, timeout=120)
        if out.returncode != 0:
            log = (self.dir / "log").read_text() if (self.dir / "log").exists() else ""
            pytest.fail(f"{tool} failed: {out.stderr[-1500:]} {log[-1500:]}")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@/{db}?host={self.dir}&port={self.port}"

    def new_database(self) -> str:
        name = f"county_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(self.as_user + [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"),
                                       "-m", "immediate", "-w", "stop"], capture_output=True,
                       timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


class Link:
    """A TCP link the test can cut: what a site's bridge dials instead of the county broker."""

    def __init__(self, target_port: int):
        self.target = target_port
        self.port = free_port()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = None
        self.up()

    def up(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self._server,), daemon=True).start()

    def down(self) -> None:
        """The cable pulled: no connection stays, none is accepted."""
        try:  # wakes the thread blocked in accept(); close() alone would not on Linux
            self._server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._server.close()
        with self._lock:
            for s in self._conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._conns.clear()

    def _accept(self, server) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.close()
        except OSError:
            pass


def site_config(tmp_path: Path, site: str):
    """The example hall as site ``site``, with the county's node (role county)."""
    text = EXAMPLE.read_text(encoding="utf-8").replace('id = "demo"', f'id = "{site}"', 1)
    text += '\n[[nodes]]\nid = "county"\nrole = "county"\n'
    path = tmp_path / f"{site}.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


class County:
    """The county broker (passwords and ACL from hall-broker-config county) and each site's
    broker bridged to it through a Link."""

    def __init__(self, tmp_path: Path, sites: list[str]):
        self.tmp = tmp_path
        self.out = tmp_path / "county-conf"
        self.passwords = generate(sites, "mqtt://127.0.0.1:1", self.out)  # address set below
        for f in ("passwd", "acl"):
            os.chmod(self.out / f, 0o644)
        self.broker = start_broker(
            tmp_path / "county-broker", anonymous=False,
            extra_conf=f"password_file {self.out / 'passwd'}\nacl_file {self.out / 'acl'}\n")
        self.sites: dict[str, object] = {}
        self.links: dict[str, Link] = {}
        for site in sites:
            self.add_site(site)

    def bridge_text(self, site: str, port: int) -> str:
        from hub.broker_bridge import render_bridge

        return render_bridge(site, f"mqtt://127.0.0.1:{port}", self.passwords[site],
                             restart_s=(1, 1))

    def add_site(self, site: str) -> None:
        link = self.links[site] = Link(self.broker.port)
        # the site broker as a site has it: Mosquitto's default queue of 1000 per client
        conf = "max_queued_messages 1000\n" + self.bridge_text(site, link.port)
        self.sites[site] = start_broker(self.tmp / f"site-{site}", extra_conf=conf)

    def stop(self) -> None:
        for b in self.sites.values():
            b.stop()
        for link in self.links.values():
            link.down()
        self.broker.stop()
