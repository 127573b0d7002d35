"""hall-county's collector: every site's events landed once in the county's PostgreSQL.

It listens on the county broker to ``hall/+/event/+`` (what the sites' bridges carry out) and
to ``hall/+/resp/county`` (the answers to its own ``events.replay`` requests, hub.replay).
Each turn lands what arrived in one transaction, ``INSERT … ON CONFLICT (site, epoch, seq) DO
NOTHING``: an event that comes twice (a bridge re-sending, a replay) is counted and stored once;
one that is not a well-formed event of its topic's site is counted and dropped.

The bridge loses messages by design (Mosquitto's queue limit, a broker restart), so the
collector asks each site's hub, over the bridge, for the first range it misses, one request at a
time once the site has been behind for ``settle_s`` (it may still be on its way), and every
``probe_s`` how far the site's log goes (a lost tail leaves no gap to notice). A site behind
for longer than ``alert_s`` is logged as an alert; the ``sites`` table shows every site's lag.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from psycopg.types.json import Jsonb

from county import ledger
from county.ledger import EpochLedger
from hub import payload
from hub.contract import EVENT_KINDS, MAX_PAYLOAD, encode
from hub.mqtt import NetworkLoop, guarded, new_client, parse_broker_url, use_tls
from hub.replay import REPLAY_MAX

log = logging.getLogger(__name__)

COUNTY_NODE = "county"  # the collector's node id in every site's hall config (role county)
SITE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
EPOCH_RE = re.compile(r"[0-9a-f]{16}")
WIRE_KEYS = ("seq", "at", "epoch")
REPLY_MAX_BYTES = 256 * 1024  # the brokers' max_packet_size; hub.replay answers within it


class Malformed(ValueError):
    """Not an event the county can hold."""


@dataclass
class SiteCounts:
    landed: int = 0
    duplicates: int = 0
    malformed: int = 0
    refused: int = 0  # replay requests the site's hub refused (no county node configured?)
    replayed: int = 0  # of landed: those that came from a replay answer, not the bridge


@dataclass
class Asked:
    req_id: str
    deadline: float
    epoch: str


@dataclass
class Collector:
    """The collector; ``start()`` runs it on its own thread, ``stop()`` ends it."""

    broker_url: str
    db_url: str
    username: str | None = None
    password: str | None = None
    probe_s: float = 30.0
    ask_timeout_s: float = 10.0
    alert_s: float = 600.0
    settle_s: float = 2.0  # a gap asked for only once it stayed: the bridge may be behind
    counts: dict[str, SiteCounts] = field(default_factory=dict)

    def __post_init__(self):
        self.db = ledger.connect(self.db_url)
        self.ledgers: dict[tuple[str, str], EpochLedger] = {}
        self.current: dict[str, str] = {}
        self._load()
        self._asked: dict[str, Asked] = {}
        self._probe_at: dict[str, float] = {}
        self._gap: dict[str, float] = {}  # site -> since when it is behind
        self._behind_since: dict[str, float] = {}
        self.alerted: set[str] = set()  # sites behind for longer than alert_s
        self.silent: set[str] = set()  # sites not heard (events, answers) for alert_s
        self._heard: dict[str, float] = {}
        self._received: list[tuple[str, bytes]] = []
        host, port = parse_broker_url(self.broker_url)
        self._mqtt = new_client(f"county-{uuid.uuid4().hex[:12]}", self.username, self.password)
        use_tls(self._mqtt, self.broker_url)
        self._mqtt.on_connect = guarded("on_connect", self._on_connect)
        self._mqtt.on_message = guarded("on_message", self._on_message)
        self._loop = NetworkLoop(self._mqtt, host, port, self._turn, "county-loop")
        self.connected = False

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()
        self.db.close()

    def alive(self) -> bool:
        return self._loop.alive()

    def _on_connect(self, client, _userdata, _flags, reason_code, _properties):
        if reason_code.is_failure:
            log.error("the county broker refused the collector: %s", reason_code)
            return
        client.subscribe([("hall/+/event/+", 1), (f"hall/+/resp/{COUNTY_NODE}", 1)])
        self.connected = True

    def _on_message(self, _client, _userdata, msg):
        self._received.append((msg.topic, msg.payload))

    # -- one turn (the loop's thread) ---------------------------------------------------------
    def _turn(self) -> float:
        items, self._received = self._received, []
        touched: set[str] = set()
        try:
            with self.db.transaction():
                for topic, raw in items:
                    self._message(topic, raw, touched)
                self._save(touched)
        except psycopg.Error as exc:
            log.error("county database: %s; %d messages wait", exc, len(items))
            self._received = items + self._received
            self._reconnect()
            return 1.0
        if self._mqtt.is_connected():
            self._ask(time.monotonic())
        return 0.5

    def _reconnect(self) -> None:
        """After a failed transaction: a new connection, and memory as the database has it
        (what the failed batch held in memory was never stored)."""
        try:
            self.db.close()
            self.db = ledger.connect(self.db_url)
            self._load()
        except (ValueError, psycopg.Error) as exc:
            log.error("county database: %s", exc)

    def _load(self) -> None:
        self.ledgers = ledger.load(self.db)
        self.current = {s: e for s, e in self.db.execute(
            "SELECT site, epoch FROM sites WHERE epoch IS NOT NULL")}
        self.db.commit()

    def _message(self, topic: str, raw: bytes, touched: set[str]) -> None:
        parts = topic.split("/")
        if len(parts) != 4 or parts[0] != "hall" or not SITE_RE.fullmatch(parts[1]):
            return  # the ACL lets nothing else through
        site = parts[1]
        self._heard[site] = time.monotonic()
        self.silent.discard(site)
        counts = self.counts.setdefault(site, SiteCounts())
        touched.add(site)
        if parts[2] == "event":
            try:
                payload = _object(raw)
                epoch = payload.get("epoch")
                if not isinstance(epoch, str) or not EPOCH_RE.fullmatch(epoch):
                    raise Malformed("no epoch")
                data = {k: v for k, v in payload.items() if k not in WIRE_KEYS}
                self._land(site, epoch, payload.get("seq"), payload.get("at"), parts[3], data)
            except Malformed as exc:
                counts.malformed += 1
                self._count(site, "malformed")
                log.warning("site %s: malformed event on %s: %s", site, topic, exc)
        elif parts[2] == "resp" and parts[3] == COUNTY_NODE:
            self._reply(site, raw)

    def _reply(self, site: str, raw: bytes) -> None:
        counts = self.counts[site]
        try:
            reply = _reply_object(raw)
        except Malformed:
            counts.malformed += 1
            return
        asked = self._asked.get(site)
        if asked is not None and asked.req_id == reply.get("id"):
            del self._asked[site]
        if not reply.get("ok"):
            counts.refused += 1
            log.warning("site %s refused events.replay: %s", site, reply.get("error"))
            return
        result = reply.get("result") or {}
        epoch = result.get("epoch")
        if not isinstance(epoch, str) or not EPOCH_RE.fullmatch(epoch):
            counts.malformed += 1
            return
        led = self._ledger(site, epoch)
        if self.current.get(site) != epoch:  # the hub itself says which database it serves
            log.warning("site %s: the hub serves epoch %s, not %s", site, epoch,
                        self.current.get(site))
            self.current[site] = epoch
            self.db.execute("UPDATE sites SET epoch = %s WHERE site = %s", (epoch, site))
        base = result.get("restored_from")
        if isinstance(base, dict) and isinstance(base.get("seq"), int):
            if led.base is None:
                led.base = base["seq"]
                self.db.execute("UPDATE site_epochs SET restored_from = %s, base_seq = %s "
                                "WHERE site = %s AND epoch = %s",
                                (str(base.get("epoch")), base["seq"], site, epoch))
            led.known(0, base["seq"])
        for item in result.get("events") or []:
            try:
                if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
                    raise Malformed("not an event")
                _check(item)  # each event as a live one is checked
                self._land(site, epoch, item.get("seq"), item.get("at"), item.get("kind"),
                           item["data"], replayed=True)
            except Malformed:
                counts.malformed += 1
                self._count(site, "malformed")
        last = result.get("last_seq")
        if isinstance(last, int) and not isinstance(last, bool):
            led.known(last, None)

    def _land(self, site: str, epoch: str, seq, at, kind, data: dict,
              replayed: bool = False) -> None:
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < 2**53:
            raise Malformed(f"seq {seq!r}")
        if kind not in EVENT_KINDS:
            raise Malformed(f"kind {str(kind)[:20]!r}")
        try:
            datetime.fromisoformat(at)
        except (TypeError, ValueError):
            raise Malformed(f"at {str(at)[:40]!r}") from None
        led = self._ledger(site, epoch)
        if led.base is not None and seq <= led.base:
            return  # the restored start of this epoch: the county holds it as the old epoch
        cur = self.db.execute(ledger.INSERT_EVENT, (site, epoch, seq, at, kind, Jsonb(data)))
        counts = self.counts[site]
        if cur.rowcount == 0:
            counts.duplicates += 1
            self._count(site, "duplicates")
        else:
            counts.landed += 1
            counts.replayed += replayed
        led.hold(seq)

    def _ledger(self, site: str, epoch: str) -> EpochLedger:
        led = self.ledgers.get((site, epoch))
        if led is None:
            led = self.ledgers[(site, epoch)] = EpochLedger(site, epoch)
            self.db.execute("INSERT INTO site_epochs (site, epoch) VALUES (%s, %s) "
                            "ON CONFLICT (site, epoch) DO NOTHING", (site, epoch))
            if self.current.get(site) is not None:
                log.warning("site %s: new epoch %s (was %s): a new or restored hub database",
                            site, epoch, self.current[site])
            self.current[site] = epoch
            self._asked.pop(site, None)
            self.db.execute("INSERT INTO sites (site, epoch) VALUES (%s, %s) ON CONFLICT (site) "
                            "DO UPDATE SET epoch = excluded.epoch", (site, epoch))
        return led

    def _count(self, site: str, column: str) -> None:
        self.db.execute(f"INSERT INTO sites (site, {column}) VALUES (%s, 1) ON CONFLICT (site) "
                        f"DO UPDATE SET {column} = sites.{column} + 1", (site,))

    def _save(self, sites: set[str]) -> None:
        """Each touched site's ledgers and lag, in the batch's transaction."""
        for (site, epoch), led in self.ledgers.items():
            if site not in sites:
                continue
            self.db.execute("UPDATE site_epochs SET contig = %s, last_seq = %s "
                            "WHERE site = %s AND epoch = %s", (led.contig, led.last, site, epoch))
        for site in sites:
            epoch = self.current.get(site)
            if epoch is None:
                continue
            led = self.ledgers[(site, epoch)]
            behind = led.behind
            self.db.execute(
                "UPDATE sites SET behind = %s, oldest_missing = %s, updated_at = now(), "
                "behind_since = CASE WHEN %s = 0 THEN NULL ELSE coalesce(behind_since, now()) "
                "END WHERE site = %s",
                (behind, led.contig + 1 if behind else None, behind, site))
            if behind == 0:
                self._behind_since.pop(site, None)
                self.alerted.discard(site)
                continue
            since = self._behind_since.setdefault(site, time.monotonic())
            if time.monotonic() - since > self.alert_s and site not in self.alerted:
                self.alerted.add(site)
                log.error("ALERT site %s is %d events behind (oldest missing seq %d of epoch "
                          "%s) for over %.0f s", site, behind, led.contig + 1, epoch, self.alert_s)

    # -- asking the sites for what is missing -------------------------------------------------
    def _ask(self, now: float) -> None:
        for site, epoch in self.current.items():
            if now - self._heard.setdefault(site, now) > self.alert_s and site not in self.silent:
                # a cut line: the county cannot know what it misses, only that nothing comes
                self.silent.add(site)
                log.error("ALERT site %s: nothing heard for over %.0f s (its line to the "
                          "county?)", site, self.alert_s)
            asked = self._asked.get(site)
            if asked is not None and now < asked.deadline:
                continue
            led = self.ledgers[(site, epoch)]
            run = led.missing_run(REPLAY_MAX)
            if run is not None:
                # what is missing may still be on its way over the bridge: ask once the site
                # has been behind for settle_s (then range after range, without waiting)
                if now - self._gap.setdefault(site, now) < self.settle_s:
                    continue
            else:
                self._gap.pop(site, None)
                if now < self._probe_at.get(site, 0.0):
                    continue
                self._probe_at[site] = now + self.probe_s
                # no events, only the hub's last seq: what follows may be on its way over the
                # bridge; if not, it is a gap like any other once settle_s has passed
                run = (led.last + 1, led.last)
            self._request(site, epoch, *run, now)

    def _request(self, site: str, epoch: str, first: int, last: int, now: float) -> None:
        req_id = uuid.uuid4().hex
        ttl_ms = int(self.ask_timeout_s * 1000)
        msg = {"id": req_id, "op": "events.replay", "ttl_ms": ttl_ms,
               "args": {"epoch": epoch, "from_seq": first, "to_seq": last}}
        # QoS 0, as HubClient's requests: a request must not wait out a cut line in a queue and
        # reach the hub long after, beside the ones asked since; the collector asks again
        self._mqtt.publish(f"hall/{site}/req/{COUNTY_NODE}", encode(msg), qos=0)
        self._asked[site] = Asked(req_id, now + self.ask_timeout_s, epoch)

    # -- what tests and the status command read ----------------------------------------------
    def lag(self, site: str) -> int | None:
        """Events the county misses of ``site``'s current epoch (None: never heard of it)."""
        epoch = self.current.get(site)
        return None if epoch is None else self.ledgers[(site, epoch)].behind



def _check(value: object) -> None:
    try:
        payload.check(value)
    except payload.PayloadError as exc:
        raise Malformed(str(exc)) from None


def _reply_object(raw: bytes) -> dict:
    """A replay answer: many events in one message, so hub.payload's item limit applies to
    each event (checked where it is landed), the size and depth limits to the whole."""
    if len(raw) > REPLY_MAX_BYTES:
        raise Malformed(f"answer of {len(raw)} bytes")
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Malformed(f"answer is not JSON: {exc}"[:200]) from None
    if not isinstance(value, dict):
        raise Malformed("answer is not a JSON object")
    return value


def _object(raw: bytes, limit: int = MAX_PAYLOAD) -> dict:
    try:
        value = payload.parse(raw, limit)
    except payload.PayloadError as exc:
        raise Malformed(str(exc)) from None
    if not isinstance(value, dict):
        raise Malformed("not a JSON object")
    return value
