"""hall-bench county: many simulated sites land in the county through the real bridge path.

Each simulated site is a hub's event log (a real hub.store database) and a client on the site's
own Mosquitto, bridged to the county broker as in production; it publishes a hall day's events
as the hub does and answers ``events.replay`` with the hub's own code (hub.replay). The
collector is ``hall-county`` as its own process on a private PostgreSQL.

Figures: each event's lag at a hall's pace (``--rate``, hallsim.bench_steady), events/s
landed with every site publishing at once, the lag when the line of ``--cut`` sites comes back
after an hour's events (and how long until it is zero), the collector's RSS, PostgreSQL's bytes
per event and row count against the sites' logs. A city (``--sites 500 --per-broker 10``): each
site keeps its own bridge connection and county user, ten of them share one site Mosquitto.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from county.cli import PROBE_S
from county.collector import Collector
from deploy.broker_bridge import RESTART_S
from hallsim.bench_steady import steady
from hallsim.county_net import County
from hallsim.postgres import Postgres
from hub import replay
from hub.store import Store
from wire.clock import iso
from wire.contract import BadRequest, Topics, decode_object, encode, error_reply, ok_reply
from wire.mqtt import new_client

DAY = ("issued", "called", "started", "finished", "rated")  # one visitor's events
START = datetime.fromisoformat("2026-11-23T09:00:00+08:00")


class SimSite:
    """A site's event log and the hub's side of the wire for the county."""

    def __init__(self, site: str, client, folder: Path):
        self.site = site
        self.store = Store(str(folder / f"{site}.db"))
        self.lock = threading.Lock()
        self.client = client  # the site broker's (SiteClients): shared by the sites it hosts
        self.visitors = 0

    def visitors_arrive(self, n: int) -> int:
        """``n`` visitors served and rated: their events stored, then published."""
        out = []
        with self.lock, self.store.transaction():
            for _ in range(n):
                self.visitors += 1
                at = START + timedelta(seconds=30 * self.visitors)
                no = f"A{self.visitors:03d}"
                for kind in DAY:
                    data = {"ticket_id": f"20261123-{no}", "no": no, "service": "A",
                            "window": 1 + self.visitors % 8}
                    if kind == "rated":
                        data["score"] = 5
                    seq = self.store.append_event(iso(at), kind, "sim", None, data)
                    out.append((seq, kind, {"seq": seq, "at": iso(at),
                                            "epoch": self.store.epoch, **data}))
        for _, kind, payload in out:
            self.client.publish(Topics(self.site).event(kind), encode(payload), qos=1)
        return len(out)

    def next_event(self) -> int:
        """One event, the next of a visit (a hall's pace: bench_steady); its seq."""
        with self.lock, self.store.transaction():
            seq = self.store.last_seq() + 1
            kind = DAY[(seq - 1) % len(DAY)]
            if kind == "issued":
                self.visitors += 1
            at = START + timedelta(seconds=30 * self.visitors)
            no = f"A{self.visitors:03d}"
            data = {"ticket_id": f"20261123-{no}", "no": no, "service": "A",
                    "window": 1 + self.visitors % 8, **({"score": 5} if kind == "rated" else {})}
            seq = self.store.append_event(iso(at), kind, "sim", None, data)
        payload = {"seq": seq, "at": iso(at), "epoch": self.store.epoch, **data}
        self.client.publish(Topics(self.site).event(kind), encode(payload), qos=1)
        return seq

    def request(self, client, msg) -> None:
        try:
            req = decode_object(msg.payload)
            if req.get("op") != "events.replay":
                raise BadRequest("only events.replay here")
            with self.lock:
                reply = ok_reply(req.get("id"), replay.read(self.store, req.get("args")))
        except BadRequest as exc:
            reply = error_reply(None, exc)
        client.publish(Topics(self.site).resp("county"), encode(reply), qos=1)

    def last_seq(self) -> int:
        with self.lock:
            return self.store.last_seq()

    def stop(self) -> None:
        self.store.close()


class SiteClients:
    """One client per site broker, answering for every site it hosts: paho's loop uses
    select(), which fails on a socket numbered 1024 or more, and a client per site (a socket
    and a socket pair each) pushed a city's sockets there (117, then 273 of 500 heard)."""

    def __init__(self, county, folder: Path):
        self.sims: dict[str, SimSite] = {}
        self.clients = []
        brokers = {id(b): b for b in county.sites.values()}
        for key, broker in brokers.items():
            client = new_client(f"sims-{uuid.uuid4().hex[:8]}")
            client.on_message = lambda c, _u, msg: self.sims[msg.topic.split("/")[1]].request(
                c, msg)
            client.on_connect = lambda c, *_: c.subscribe(Topics("+").req("county"), 1)
            client.connect(broker.host, broker.port)
            client.loop_start()
            self.clients.append((key, client))
        for key, client in self.clients:  # the logs once every socket is open (low numbers)
            for site, b in county.sites.items():
                if id(b) == key:
                    self.sims[site] = SimSite(site, client, folder)

    def stop(self) -> None:
        for _, client in self.clients:
            client.loop_stop()
            client.disconnect()
        for sim in self.sims.values():
            sim.stop()


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _warm_up(sims: dict, conn, timeout: float = 300.0) -> bool:
    """Every site heard by the county before anything is measured. A site's first event is
    sent again until it is heard: published before its bridge subscribed on the site broker,
    it is dropped, and the county cannot ask a site it never heard of (the next one makes a
    gap, which the county fills by replay)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        heard = {r[0] for r in conn.execute("SELECT site FROM sites")}
        unheard = [s for s in sims if s not in heard]
        if not unheard:
            break
        for s in unheard:
            sims[s].next_event()
        _wait(lambda: len(conn.execute("SELECT site FROM sites").fetchall()) == len(sims), 5)
    expected = sum(sim.last_seq() for sim in sims.values())
    return _wait(lambda: conn.execute("SELECT count(*) FROM events").fetchone()[0] == expected,
                 max(1.0, deadline - time.monotonic()))


def shipped() -> dict:
    """The settings the county ships, which the bench runs with (DESIGN.md §9: a catch-up
    figure is only honest with them)."""
    return {"bridge_restart_timeout_s": list(RESTART_S), "probe_s": PROBE_S,
            "settle_s": Collector.settle_s, "ask_timeout_s": Collector.ask_timeout_s,
            "site_max_queued_messages": 1000}


def run(sites: int, visitors: int, cut: int, hour: int, folder: Path,
        cut_s: float = 90.0, per_broker: int = 1, rate: float = 0.0,
        steady_s: float = 60.0) -> dict:
    import psycopg

    pg = Postgres()
    names = [f"site-{n:03d}" if sites > 100 else f"site-{n:02d}" for n in range(sites)]
    county = hosts = collector = None
    sims: dict = {}
    try:
        db = pg.new_database()
        # the shipped bridge backoff; only the sites to cut dial through a cuttable Link
        county = County(folder, names, restart_s=None, per_broker=per_broker,
                        cuttable=set(names[:cut]))
        hosts = SiteClients(county, folder)
        sims = hosts.sims
        env = dict(os.environ, HALL_MQTT_USERNAME="county",
                   HALL_MQTT_PASSWORD=county.passwords["county"])
        collector = subprocess.Popen([sys.executable, "-m", "county.cli", "run", "--broker",
                                      county.broker.url, "--db", db], env=env)
        conn = psycopg.connect(db, autocommit=True)

        def held() -> int:
            return conn.execute("SELECT count(*) FROM events").fetchone()[0]

        def behind() -> int:
            return conn.execute("SELECT coalesce(sum(behind), 0) FROM sites").fetchone()[0]

        time.sleep(2)  # the collector subscribes
        # every site's first event landed: all bridges are up before anything is measured
        warm = _warm_up(sims, conn)
        city = steady(sims, db, rate, steady_s) if rate > 0 else None
        made = held()
        t0 = time.monotonic()
        t0_held = made
        for step in range(0, visitors, 10):  # the day in steps, every site publishing
            for sim in sims.values():
                made += sim.visitors_arrive(min(10, visitors - step))
        landed_all = _wait(lambda: held() == made, 600)
        day_s = time.monotonic() - t0
        day_events = made - t0_held
        for s in names[:cut]:
            county.links[s].down()
        cut_made = sum(sims[s].visitors_arrive(hour) for s in names[:cut])
        total = made + cut_made
        # the line stays down long enough for the bridges' backoff to reach its cap, as after
        # an hour's cut (the hour's events themselves are made at once)
        time.sleep(cut_s)
        for s in names[:cut]:
            county.links[s].up()
        t1 = time.monotonic()
        if cut:
            _wait(lambda: held() > made, 60)  # the first of the queued events arrive
        lag_at_return = total - held()
        caught_up = _wait(lambda: held() == total and behind() == 0, 600)
        catch_up_s = time.monotonic() - t1
        tally = _tally(conn, collector.pid, sims)
        conn.close()
        return {"settings": shipped(), "link_down_s": cut_s, "sites": sites,
                "site_brokers": len({id(b) for b in county.sites.values()}),
                "bridges": sites, "all_bridges_up": warm, "steady": city,
                "events_day": day_events, "landed_all": landed_all,
                "day_s": round(day_s, 1), "events_per_s": round(day_events / day_s),
                "cut_sites": cut, "events_during_cut": cut_made,
                "lag_when_line_returns": lag_at_return, "caught_up": caught_up,
                "catch_up_s": round(catch_up_s, 1), **tally}
    finally:
        if collector is not None:
            collector.terminate()
            collector.wait(10)
        if hosts is not None:
            hosts.stop()
        if county is not None:
            county.stop()
        pg.stop()


def _tally(conn, pid: int, sims: dict) -> dict:
    """What the collector took (memory) and what the county holds, once it caught up."""
    status = {line.split(":")[0]: line.split()[1]
              for line in open(f"/proc/{pid}/status")
              if line.startswith(("VmRSS", "VmHWM"))}
    rss, peak = int(status["VmRSS"]) / 1024, int(status["VmHWM"]) / 1024
    expected = sum(sim.last_seq() for sim in sims.values())
    rows, distinct = conn.execute(
        "SELECT count(*), count(DISTINCT (site, epoch, seq)) FROM events").fetchone()
    dup = conn.execute("SELECT coalesce(sum(duplicates), 0), coalesce(sum(malformed), 0) "
                       "FROM sites").fetchone()
    (size,) = conn.execute("SELECT sum(pg_total_relation_size(relid)) "
                           "FROM pg_partition_tree('events')").fetchone()
    return {"collector_rss_mb": round(rss, 1), "collector_peak_rss_mb": round(peak, 1),
            "pg_events_bytes": int(size), "pg_bytes_per_event": round(size / rows),
            "rows": rows, "rows_distinct": distinct, "rows_expected": expected,
            "duplicates_seen": int(dup[0]), "malformed_seen": int(dup[1])}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="hall-bench county", description=__doc__.split("\n")[0])
    p.add_argument("--sites", type=int, default=50)
    p.add_argument("--visitors", type=int, default=100, help="visitors per site in the day "
                   "(5 events each)")
    p.add_argument("--cut", type=int, default=10, help="sites whose line is cut for an hour")
    p.add_argument("--hour", type=int, default=60, help="visitors of the cut hour per site")
    p.add_argument("--cut-s", type=float, default=90.0,
                   help="real seconds the cut lines stay down (the bridges back off meanwhile)")
    p.add_argument("--per-broker", type=int, default=1,
                   help="sites' bridges per site Mosquitto (each site its own bridge and user)")
    p.add_argument("--rate", type=float, default=0.0,
                   help="city-wide events/s of the steady phase (0: none); its lag measured")
    p.add_argument("--steady-s", type=float, default=60.0, help="seconds of the steady phase")
    p.add_argument("--json", default=None, help="also write the results here")
    args = p.parse_args(argv)
    print("shipped settings: " + json.dumps(shipped()), flush=True)
    with tempfile.TemporaryDirectory(prefix="hall-bench-county-") as folder:
        results = run(args.sites, args.visitors, min(args.cut, args.sites), args.hour,
                      Path(folder), args.cut_s, max(1, args.per_broker), args.rate,
                      args.steady_s)
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    return 0 if results["caught_up"] and results["rows"] == results["rows_expected"] else 1
