"""hall-county's collector: every site's events landed once in the county's PostgreSQL.

It listens on the county broker to ``hall/+/event/+`` (what the sites' bridges carry out) and
to ``hall/+/resp/county`` (the answers to its own ``events.replay`` requests, hub.replay).
Each turn lands what arrived in one transaction, each event stored once per (site, epoch,
seq) in its month's partition (county.partitions): an event that comes twice (a bridge re-sending, a replay) is counted and stored once;
one that is not a well-formed event of its topic's site is counted and dropped.

The bridge loses messages by design (Mosquitto's queue limit, a broker restart), so the
collector asks each site's hub, over the bridge, for the first range it misses, one request at a
time once the site has been behind for ``settle_s`` (it may still be on its way), and every
``probe_s`` how far the site's log goes (a lost tail leaves no gap to notice). A site behind
for longer than ``alert_s`` is logged as an alert; the ``sites`` table shows every site's lag.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import psycopg
from psycopg.types.json import Jsonb

from county import answers, ledger, partitions
from county.alarms import Alarms
from county.answers import Malformed
from county.ledger import EpochLedger, SiteCounts
from county.skew import SkewWatch
from county.terms import TermWatch
from wire import envelope
from wire.contract import Topics, encode
from wire.mqtt import NetworkLoop, guarded, new_client, parse_broker_url, use_tls
from wire.vocab import REPLAY_MAX

log = logging.getLogger(__name__)

COUNTY_NODE = "county"  # the collector's node id in every site's hall config (role county)
SITE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
WIRE_KEYS = ("seq", "at", "epoch")
MAINTAIN_S = 3600.0  # how often the partitions are seen to


@dataclass
class Asked:
    req_id: str
    deadline: float
    epoch: str
    first: int
    last: int


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
    site_hours: dict = field(default_factory=dict)  # site -> its HallConfig (county.hours)
    retain_months: int = 0  # months of events kept (0: all); county.partitions
    archive: str | None = None  # where a month past retention is written before its drop
    counts: dict[str, SiteCounts] = field(default_factory=dict)

    def __post_init__(self):
        self.db = ledger.connect(self.db_url)
        self.ledgers: dict[tuple[str, str], EpochLedger] = {}
        self.current: dict[str, str] = {}
        self._load()
        self._asked: dict[str, Asked] = {}
        self._probe_at: dict[str, float] = {}
        self._gap: dict[str, float] = {}  # site -> since when it is behind
        self.alarms = Alarms(lambda: self.alert_s, self.site_hours)
        self.alerted, self.silent = self.alarms.alerted, self.alarms.silent
        self._received: list[tuple[str, bytes]] = []
        self.progress = time.monotonic()  # the last turn that landed or waited on the database
        self._db_logged = 0.0
        self._db_wait, self._db_retry_at = 1.0, 0.0
        self.skew = SkewWatch()
        self.terms = TermWatch()
        self._maintained = -MAINTAIN_S
        host, port = parse_broker_url(self.broker_url)
        self._mqtt = new_client(f"county-{uuid.uuid4().hex[:12]}", self.username, self.password)
        use_tls(self._mqtt, self.broker_url)
        self._mqtt.on_connect = guarded("on_connect", self._on_connect)
        self._mqtt.on_message = guarded("on_message", self._on_message)
        # connected once the subscription holds (SUBACK): an event sent after it is received
        self._mqtt.on_subscribe = guarded("on_subscribe", lambda *_: setattr(self, "connected", True))
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
        every_site = Topics("+")
        client.subscribe([(every_site.event(), 1), (every_site.resp(COUNTY_NODE), 1)])

    def _on_message(self, _client, _userdata, msg):
        self._received.append((msg.topic, msg.payload))

    # -- one turn (the loop's thread) ---------------------------------------------------------
    def _turn(self) -> float:
        now = time.monotonic()
        if now < self._db_retry_at:  # the database is away: messages wait, tries back off
            self.progress = now
            return min(1.0, self._db_retry_at - now)
        items, self._received = self._received, []
        try:
            try:
                self._batch(items)
            except psycopg.OperationalError:
                raise
            except psycopg.Error as exc:
                # one message that cannot land (a check this code lacks): the rest must not
                # wait behind it, and it is not tried again and again
                log.error("county database: %s; landing %d messages one by one", exc,
                          len(items))
                self._reconnect()
                self._one_by_one(items)
        except psycopg.OperationalError as exc:  # the database is away: everything waits
            self.progress = time.monotonic()  # waiting, not stuck (the watchdog)
            if time.monotonic() - self._db_logged > 60:  # one line a minute while it is away
                self._db_logged = time.monotonic()
                log.error("county database: %s; %d messages wait",
                          str(exc).strip().splitlines()[0], len(items))
            self._received = items + self._received
            try:
                self._reconnect()
                self._db_wait, self._db_retry_at = 1.0, 0.0
            except psycopg.OperationalError:
                self._db_wait = min(30.0, self._db_wait * 2)
                self._db_retry_at = time.monotonic() + self._db_wait
            return 1.0
        self.progress = time.monotonic()
        if self._mqtt.is_connected():
            self._ask(time.monotonic())
        if time.monotonic() - self._maintained >= MAINTAIN_S:
            self._maintain()
        return 0.5

    def _maintain(self) -> None:
        """Next months' partitions ahead of time, months past retention dropped (hourly: a
        month turns at midnight in the hall's time, whatever the county's clock)."""
        self._maintained = time.monotonic()
        try:
            done = partitions.maintain(self.db, date.today(), retain=self.retain_months,
                                       archive=self.archive)
            self.db.commit()
        except (OSError, psycopg.Error) as exc:  # tried again next hour; events still land
            log.error("county partitions: %s", str(exc).strip().splitlines()[0])
            try:
                self._reconnect()
            except psycopg.OperationalError:
                pass  # the next turn waits for the database as for any outage
            return
        if done["made"] or done["dropped"]:
            log.warning("county partitions: made %s, dropped %s", done["made"], done["dropped"])

    def _batch(self, items: list[tuple[str, bytes]]) -> None:
        touched: set[str] = set()
        with self.db.transaction():
            for topic, raw in items:
                self._message(topic, raw, touched)
            self._save(touched)

    def _one_by_one(self, items: list[tuple[str, bytes]]) -> None:
        """Each message in its own transaction; one that fails is dropped and counted once."""
        for topic, raw in items:
            try:
                self._batch([(topic, raw)])
            except psycopg.OperationalError:
                raise
            except psycopg.Error as exc:
                site = topic.split("/")[1] if topic.count("/") == 3 else "?"
                log.error("site %s: a message on %s cannot land (%s): dropped", site, topic,
                          str(exc).strip().splitlines()[0])
                self._reconnect()
                if SITE_RE.fullmatch(site):
                    self.counts.setdefault(site, SiteCounts()).malformed += 1
                    with self.db.transaction():
                        self._count(site, "malformed")

    def healthy(self, within_s: float = 60.0) -> bool:
        """The loop takes its turns and lands (or waits on an unreachable database): what the
        systemd watchdog is told."""
        return self.alive() and time.monotonic() - self.progress < within_s

    def _reconnect(self) -> None:
        """After a failed transaction: a new connection, and memory as the database has it
        (what the failed batch held in memory was never stored)."""
        self.skew.forget()
        try:
            self.db.close()
            self.db = ledger.connect(self.db_url)
            self._load()
        except (ValueError, psycopg.Error) as exc:
            raise psycopg.OperationalError(str(exc)) from None

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
        if self.alarms.heard(site, datetime.now(UTC)) > 2 * self.probe_s:
            # heard again after a silence longer than two probes (a line back): how far its
            # log goes, now, not at the next probe; what the bridge lost is then a gap like
            # any other (a quiet site is heard once a probe: that is no silence)
            self._probe_at[site] = 0.0
        self.counts.setdefault(site, SiteCounts())
        touched.add(site)
        try:
            if parts[2] == "event":
                value = answers.event_object(raw)
                epoch = value.get("epoch")
                if not answers.epoch_ok(epoch):
                    raise Malformed("no epoch")
                data = {k: v for k, v in value.items() if k not in WIRE_KEYS}
                self._land(site, epoch, value.get("seq"), value.get("at"), parts[3], data,
                           live=True)
            elif parts[2] == "resp" and parts[3] == COUNTY_NODE:
                self._reply(site, answers.parse(raw))
        except Malformed as exc:
            self._malformed(site, f"{topic}: {exc}")

    def _malformed(self, site: str, why: str) -> None:
        """Dropped and counted once (memory and the sites table)."""
        self.counts[site].malformed += 1
        self._count(site, "malformed")
        log.warning("site %s: dropped %s", site, why[:300])

    def _reply(self, site: str, ans: answers.Answer) -> None:
        asked = self._asked.get(site)
        mine = asked is not None and asked.req_id == ans.req_id
        if mine:
            del self._asked[site]
        if not ans.ok:
            self.counts[site].refused += 1
            log.warning("site %s refused events.replay: %s", site, ans.error)
            return
        if not mine:
            # a late answer to an earlier request (or not the hub's): its events may land where
            # the county knows the epoch; what it claims (end, epoch, lineage) is not taken
            if (site, ans.epoch) not in self.ledgers:
                return
            self._land_answer(site, ans, None)
            return
        if ans.base is not None and (site, ans.base[0]) not in self.ledgers:
            # a restore is made from the county's own copy: a lineage it never held is false
            raise Malformed(f"restored from epoch {ans.base[0]}, which the county never held")
        led = self._ledger(site, ans.epoch)
        if self.current.get(site) != ans.epoch:
            self._follow(site, ans.epoch)  # the hub itself says which database it serves
        if ans.base is not None and led.base is None:
            self.db.execute("UPDATE site_epochs SET restored_from = %s, base_seq = %s "
                            "WHERE site = %s AND epoch = %s", (*ans.base, site, ans.epoch))
        self._land_answer(site, ans, asked)
        led.confirm(ans.last_seq, ans.base[1] if ans.base else None)

    def _land_answer(self, site: str, ans: answers.Answer, asked: Asked | None) -> None:
        for item in ans.events:
            try:
                if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
                    raise Malformed("not an event")
                answers.check_event(item)  # each event as a live one is checked
                seq = item.get("seq")
                if asked is not None and answers.seq_ok(seq) and not (
                        asked.first <= seq <= min(asked.last, ans.last_seq)):
                    raise Malformed(f"seq {seq} outside the range asked")
                self._land(site, ans.epoch, seq, item.get("at"), item.get("kind"),
                           item["data"])
            except Malformed as exc:
                self._malformed(site, f"replayed event: {exc}")

    def _land(self, site: str, epoch: str, seq, at, kind, data: dict,
              live: bool = False) -> None:
        when = answers.landing_time(seq, kind, at)
        led = self._ledger(site, epoch)
        if live and self.terms.refuses(led, data, seq):  # a deposed hub's (county.terms)
            self.counts[site].deposed += 1
            return self._count(site, "deposed")
        if led.base is not None and seq <= led.base:
            return  # the restored start of this epoch: the county holds it as the old epoch
        if live and seq > led.last:
            self.skew.check(site, when)  # a new event: the site's clock now
        cur = self.db.execute(ledger.INSERT_EVENT, (site, epoch, seq, at, kind, Jsonb(data)))
        counts = self.counts[site]
        if cur.rowcount == 0:
            counts.duplicates += 1
            self._count(site, "duplicates")
        else:
            counts.landed += 1
            counts.replayed += not live
        led.hold(seq)
        if live and epoch != self.current.get(site) and site not in self._asked:
            self._probe_at[site] = 0.0  # an epoch the hub has not named: ask it now

    def _ledger(self, site: str, epoch: str) -> EpochLedger:
        """The ledger of (site, epoch), made on first sight. The site follows a new epoch only
        when its hub names it in an answer (_follow), or at the county's first sight of it."""
        led = self.ledgers.get((site, epoch))
        if led is None:
            led = self.ledgers[(site, epoch)] = EpochLedger(site, epoch)
            ledger.add_epoch(self.db, site, epoch)
            if self.current.get(site) is None:
                self._follow(site, epoch)
            else:
                log.warning("site %s: events under epoch %s (it serves %s): kept, followed "
                            "once its hub says so", site, epoch, self.current[site])
        return led

    def _follow(self, site: str, epoch: str) -> None:
        if self.current.get(site) is not None:
            log.warning("site %s: its hub serves epoch %s (was %s): a new or restored "
                        "database", site, epoch, self.current[site])
        self.current[site] = epoch
        self._asked.pop(site, None)
        ledger.follow(self.db, site, epoch)

    def _count(self, site: str, column: str) -> None:
        ledger.count(self.db, site, column)

    def _save(self, sites: set[str]) -> None:
        """Each touched site's ledgers and lag, in the batch's transaction."""
        for led in self.ledgers.values():
            if led.site in sites:
                ledger.save_epoch(self.db, led)
        for site in sites:
            self.skew.save(site, self.db)
            epoch = self.current.get(site)
            if epoch is None:
                continue
            led = self.ledgers[(site, epoch)]
            ledger.save_site(self.db, site, led)
            self.alarms.behind(site, led.behind, led.contig + 1, epoch)

    # -- asking the sites for what is missing -------------------------------------------------
    def _ask(self, now: float) -> None:
        for site, epoch in self.current.items():
            self.alarms.check_silent(site)
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
        msg = envelope.request(req_id, "events.replay",
                               {"epoch": epoch, "from_seq": first, "to_seq": last}, ttl_ms)
        # QoS 0, as HubClient's requests: a request must not wait out a cut line in a queue and
        # reach the hub long after, beside the ones asked since; the collector asks again
        self._mqtt.publish(Topics(site).req(COUNTY_NODE), encode(msg), qos=0)
        self._asked[site] = Asked(req_id, now + self.ask_timeout_s, epoch, first, last)

    # -- what tests and the status command read ----------------------------------------------
    def lag(self, site: str) -> int | None:
        """Events the county misses of ``site``'s current epoch (None: never heard of it)."""
        epoch = self.current.get(site)
        return None if epoch is None else self.ledgers[(site, epoch)].behind
