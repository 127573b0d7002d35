"""The booking figure through hall-web (docs/booking.md "Figures"): ``bookers`` citizens open
their booking form at once and then all press 确认预约 together; the time from each POST to
hall-web's answer (303 to the booking's page: ``booking.slots`` + ``booking.make`` on the hub,
one HTTP round trip) is one sample. hall-hub and hall-web run as processes on a real Mosquitto;
hall-web is behind a "proxy" (``--trusted-proxy 127.0.0.1``) and every booker has its own
``X-Forwarded-For`` address, as citizens reaching the hall through its reverse proxy do.

``python -m hallsim.bench_book [--bookers 100] [--rounds 3]`` prints the figures as JSON."""

from __future__ import annotations

import argparse
import http.client
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from hallsim import bench_hub
from hallsim.bench_web import _free_port, _wait_port
from hallsim.broker import start_broker, stop_process
from hallsim.stats import summary
from wire.client import HubClient
from wire.clock import HallClock

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hall.toml"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"


def config_text(example: Path) -> str:
    """The example hall with the hub's per-node booking classes widened: the bench is one
    hall-web standing for a town's phones, measured beyond the shipped bucket (burst 120)."""
    text = example.read_text(encoding="utf-8")
    for rate in ("book", "book_read"):
        text += f"\n[limits.{rate}]\nburst = 100000\nper_minute = 1000000\n"
    return text


def citizen(n: int) -> dict:
    first = f"3301061985{(n // 900) % 12 + 1:02d}{n % 28 + 1:02d}{n % 900 + 100:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(first, WEIGHTS)) % 11]
    name = SURNAMES[n % len(SURNAMES)] + SURNAMES[(n // len(SURNAMES)) % len(SURNAMES)] + "民"
    return {"name": name, "id_number": first + check, "phone": f"13{n:09d}"}


def places(client: HubClient, services: list[str]) -> list[tuple[str, str, str]]:
    """Every free place (service, day, start) in the bookable window, one per seat."""
    out = []
    for sid in services:
        for d in client.request("booking.slots", {"service": sid}, timeout=30)["days"]:
            for s in d["slots"]:
                if not s.get("closed"):
                    out += [(sid, d["day"], s["start"])] * s["free"]
    return out


class Booker(threading.Thread):
    """One citizen's phone: opens the form, waits for the others, sends it, times the answer."""

    def __init__(self, port: int, n: int, place: tuple[str, str, str], go: threading.Event):
        super().__init__(daemon=True)
        self.port, self.n, self.place, self.go = port, n, place, go
        self.ready = threading.Event()
        self.took: float | None = None
        self.status: int | None = None

    def run(self) -> None:
        sid, day, start = self.place
        path = f"/book/s/{sid}/{day}/{start.replace(':', '')}"
        head = {"X-Forwarded-For": f"10.{self.n // 65536 % 256}.{self.n // 256 % 256}."
                                   f"{self.n % 256}"}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", path, headers=head)
            r = conn.getresponse()
            page = r.read().decode()
            cookie = r.getheader("Set-Cookie", "").split(";")[0]
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "ack": "1"} | citizen(self.n))
            head |= {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            self.ready.set()
            self.go.wait()
            t0 = time.perf_counter()
            conn.request("POST", path, body, head)
            r = conn.getresponse()
            r.read()
            self.took, self.status = time.perf_counter() - t0, r.status
        finally:
            self.ready.set()
            conn.close()


def one_round(port: int, first: int, spots: list[tuple[str, str, str]]) -> dict:
    go = threading.Event()
    bookers = [Booker(port, first + i, spot, go) for i, spot in enumerate(spots)]
    for b in bookers:
        b.start()
    for b in bookers:
        b.ready.wait(60)
    t0 = time.perf_counter()
    go.set()
    for b in bookers:
        b.join(120)
    wall = time.perf_counter() - t0
    done = [b.took for b in bookers if b.status == 303]
    return {**(summary(done) if done else {"n": 0}), "booked": len(done), "refused": len(bookers) - len(done),
            "all_answered_s": round(wall, 3)}


def run(bookers: int = 100, rounds: int = 3, work: Path | None = None) -> dict:
    work = work or Path(tempfile.mkdtemp(prefix="hall-bench-book-"))
    config = work / "bench-book.toml"
    config.write_text(config_text(EXAMPLE), encoding="utf-8")
    cfg = bench_hub.bench_config(config)
    broker = start_broker(work / "broker")
    hub = bench_hub.start_hub_process(config, broker.url, work / "book.db")
    web = client = None
    try:
        bench_hub.wait_answered(cfg, broker.url)
        port = _free_port()
        web = subprocess.Popen(
            [sys.executable, "-m", "web.app", "--config", str(config), "--broker", broker.url,
             "--db", str(work / "book.db"), "--listen", f"127.0.0.1:{port}", "--clock",
             bench_hub.START, "--trusted-proxy", "127.0.0.1", "--sessions", "off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(port)
        client = HubClient(cfg, "web", broker.url, HallClock(cfg.tz, bench_hub.START))
        client.start()
        client.wait_connected(5)
        free = places(client, sorted(s for s in cfg.services if cfg.booking.bookable(s)))
        if len(free) < bookers * rounds:
            raise RuntimeError(f"only {len(free)} places for {bookers} × {rounds} bookers")
        spread = free[:: max(1, len(free) // (bookers * rounds))][: bookers * rounds]
        return {"bookers": bookers, "rounds": [
            one_round(port, r * bookers, spread[r * bookers:(r + 1) * bookers])
            for r in range(rounds)]}
    finally:
        if client is not None:
            client.stop()
        for proc in (web, hub):
            if proc is not None:
                stop_process(proc)
        broker.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hallsim.bench_book", description=__doc__.split("\n")[0])
    parser.add_argument("--bookers", type=int, default=100, help="citizens pressing at once")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.bookers, args.rounds), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
