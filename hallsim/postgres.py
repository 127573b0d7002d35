"""A private PostgreSQL for tests and the bench: initdb in a temp folder, a free port, a unix
socket; run as user postgres when started as root (initdb refuses root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from hallsim.broker import free_port


class PostgresError(RuntimeError):
    """PostgreSQL is missing or would not start; the message quotes its output."""


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresError("PostgreSQL is not installed: apt-get install postgresql")
    return Path(found[-1]).parent


def _reachable_tempdir() -> str:
    """The temp folder, if every folder down to it lets other users through (the server runs
    as postgres); else the system's own /tmp, which always does."""
    base = Path(tempfile.gettempdir()).resolve()
    if all(p.stat().st_mode & 0o001 for p in [base, *base.parents]):
        return str(base)
    return "/tmp"


class Postgres:
    """A private PostgreSQL cluster: initdb in a temp folder, a free port, a unix socket."""

    def __init__(self):
        self.bin = _pg_bin()
        # not under pytest's tmp folders: their parents are 0700 root, and the server runs as
        # user postgres when the tests run as root (initdb refuses root)
        self.dir = Path(tempfile.mkdtemp(prefix="hall-county-pg-", dir=_reachable_tempdir()))
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        self.start()

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off",
                  "start")

    def halt(self) -> None:
        """Stop the server (every connection dropped), keeping its data for :meth:`start`."""
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def _run(self, tool: str, *args: str) -> None:
        out = subprocess.run(self.as_user + [str(self.bin / tool), *args], capture_output=True,
                             text=True, timeout=120)
        if out.returncode != 0:
            log = (self.dir / "log").read_text() if (self.dir / "log").exists() else ""
            raise PostgresError(f"{tool} failed: {out.stderr[-1500:]} {log[-1500:]}")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@/{db}?host={self.dir}&port={self.port}"

    def new_database(self) -> str:
        import psycopg

        name = f"county_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(self.as_user + [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"),
                                       "-m", "immediate", "-w", "stop"], capture_output=True,
                       timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
