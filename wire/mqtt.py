"""paho-mqtt set up the way every hallstack process needs it (DESIGN.md §9)."""

from __future__ import annotations

import logging
import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)
RECONNECT_MIN_S, RECONNECT_MAX_S = 0.1, 2.0
MAX_WAIT_S = 0.5  # keepalive and reconnects are looked at least this often
SLEPT_S = 0.001  # a select() that took longer than this slept: it returned as bytes came
# a select() that returned this much later than asked was a stall (SIGSTOP, swap, an SD card
# write): the process was not running, so bytes read after it may have waited all along
STALL_GRACE_S = 0.2


DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}


def parse_broker_url(url: str) -> tuple[str, int]:
    """``mqtt://host:port`` or ``mqtts://host:port`` → (host, port); ValueError otherwise."""
    parsed = urlparse(url)
    try:
        port = parsed.port
    except ValueError:
        port = -1
    if parsed.scheme not in DEFAULT_PORTS or not parsed.hostname or port == -1:
        raise ValueError(f"broker must look like mqtt://host:port or mqtts://host:port, "
                         f"got {url!r}")
    return parsed.hostname, port or DEFAULT_PORTS[parsed.scheme]


def use_tls(client: mqtt.Client, broker_url: str, ca_file: str | None = None) -> bool:
    """For an ``mqtts://`` broker: TLS that checks the broker's certificate and host name
    against ``ca_file`` (else ``HALL_MQTT_CA``, else the system's CAs). False for ``mqtt://``.
    ValueError when the CA file cannot be used, so a node exits with a clear line."""
    if urlparse(broker_url).scheme != "mqtts":
        return False
    ca_file = ca_file or os.environ.get("HALL_MQTT_CA") or None
    try:
        client.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED,
                       tls_version=ssl.PROTOCOL_TLS_CLIENT)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"HALL_MQTT_CA {ca_file}: not a readable CA certificate: {exc}") from None
    return True


def new_client(client_id: str, username: str | None = None,
               password: str | None = None) -> mqtt.Client:
    """A paho client on callback API v2 with TCP_NODELAY on its socket.

    Without VERSION2 paho silently uses v1 signatures; without TCP_NODELAY a QoS1 round trip
    takes ~44–88 ms instead of ~0.2 ms.
    """
    client = _Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                     protocol=mqtt.MQTTv311, clean_session=True)
    if username:
        client.username_pw_set(username, password)
    client.reconnect_delay_set(min_delay=RECONNECT_MIN_S, max_delay=RECONNECT_MAX_S)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect_timeout = 2.0  # a hall LAN answers in ms; a loop must not hang on a dead host

    def on_socket_open(_client, _userdata, sock):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):  # not a TCP socket (unix, websockets)
            pass

    client.on_socket_open = on_socket_open
    return client


class _Client(mqtt.Client):
    """paho's client whose writes may come from any thread. Driven by a :class:`NetworkLoop`
    (no paho loop thread), ``publish()`` writes at once on the caller's thread instead of
    waking a network thread first; the lock keeps two writers' packets whole and in order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._write_lock = threading.RLock()

    def loop_write(self) -> mqtt.MQTTErrorCode:
        with self._write_lock:
            return super().loop_write()


def guarded(name: str, fn):
    """Wrap a paho callback so an exception is logged instead of killing the network thread
    (paho would go deaf while ``is_connected()`` stays True)."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the network thread must survive anything
            log.exception("error in MQTT callback %s", name)
            return None

    return wrapper


class NetworkLoop:
    """One thread that drives a paho client and its owner's work in turn: no separate network
    thread, so what is read is handled and answered on the same thread without a handoff.

    Each turn waits (select) for the broker's socket, a :meth:`wake` or ``turn``'s own deadline,
    reads every packet already there (paho calls ``on_message`` and the rest here), then calls
    ``turn()``, which does the owner's work, publishes (paho writes at once: no loop thread) and
    returns the seconds it wants to sleep at most. A lost connection is re-made with backoff;
    ``turn`` keeps running meanwhile (local work, ticks). Other threads may publish (written at
    once on their own thread, the client's write lock keeps packets whole); everything else on
    the client is this thread's.
    """

    def __init__(self, client: mqtt.Client, host: str, port: int, turn: Callable[[], float],
                 name: str, keepalive: int = 10, read_max: int = 256):
        self.client, self.host, self.port, self.keepalive = client, host, port, keepalive
        self.turn, self.read_max = turn, read_max
        self._wake_r, self._wake_w = socket.socketpair()
        for s in (self._wake_r, self._wake_w):
            s.setblocking(False)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._retry_at = 0.0
        self._retry_s = RECONNECT_MIN_S
        self.turned_at = time.monotonic()
        # the last time the socket was seen with nothing to read: whatever is read after it
        # arrived after it (a lower bound on arrival, whatever the turn in between cost)
        self.quiet_at = time.monotonic()
        self.stalled_s = 0.0  # how much longer than asked the last wait lasted (0: no stall)
        self._tls_error = ""

    def start(self) -> None:
        self.client.connect_async(self.host, self.port, self.keepalive)
        self._thread.start()

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def wake(self) -> None:
        """From any thread: make the loop take a turn now (and write what waits to be sent)."""
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # already woken (buffer full) or closing

    def alive(self, stale_s: float = 10.0) -> bool:
        """The thread runs and took a turn within ``stale_s`` (what a watchdog vouches for)."""
        return self._thread.is_alive() and time.monotonic() - self.turned_at < stale_s

    def stop(self, timeout: float = 5.0, clean: bool = True) -> None:
        """Finish the current turn, disconnect and end the thread. ``clean=False`` leaves the
        socket as it is, as a crash would (the broker sends the last will once it notices)."""
        self._stop.set()
        self.wake()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        if clean and self.client.socket() is not None:
            self.client.disconnect()  # no loop thread: paho writes DISCONNECT at once
        for s in (self._wake_r, self._wake_w):
            s.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._once()
            except Exception:  # noqa: BLE001 - a surprise in paho must not leave the node deaf
                log.exception("%s: network error, reconnecting", self._thread.name)
                try:
                    self.client.disconnect()  # closes paho's socket; the next turn reconnects
                except Exception:  # noqa: BLE001
                    log.exception("%s: cannot close the connection", self._thread.name)
                self._stop.wait(RECONNECT_MIN_S)

    def _once(self) -> None:
        self.turned_at = time.monotonic()
        self._connection()
        try:
            wait = max(0.0, min(self.turn(), MAX_WAIT_S))
        except Exception:  # noqa: BLE001 - the owner's bug must not stop the network
            log.exception("%s: turn failed", self._thread.name)
            wait = MAX_WAIT_S
        sock = self.client.socket()
        if sock is None:
            wait = min(wait, max(0.0, self._retry_at - time.monotonic()))
        readable = [self._wake_r] + ([sock] if sock is not None else [])
        writable = [sock] if sock is not None and self.client.want_write() else []
        tls_pending = _pending(sock)  # decrypted bytes in hand that select() cannot see
        began = time.monotonic()
        try:
            ready, can_write, _ = select.select(readable, writable, [],
                                                0.0 if tls_pending else wait)
        except (OSError, ValueError):  # the socket closed under us: reconnect next turn
            return
        woke = time.monotonic()
        if tls_pending and sock not in ready:
            ready.append(sock)
        self.stalled_s = _stall(woke - began, 0.0 if tls_pending else wait)
        if self.stalled_s:
            # the wait lasted far longer than asked: the process was not running, and bytes
            # read now may have come at any moment since it began; the last quiet moment
            # (before the wait) stands, so a stall counts against a request's time to live
            log.warning("%s: stalled for %.1f s", self._thread.name, self.stalled_s)
        elif sock is None or sock not in ready or (not tls_pending and woke - began > SLEPT_S):
            # empty now, or select slept until bytes came (they came just now); bytes that were
            # waiting already came after the last quiet moment, which stands
            self.quiet_at = woke
        if self._wake_r in ready:
            try:
                while self._wake_r.recv(4096):
                    pass
            except (BlockingIOError, OSError):
                pass
        if sock is not None and sock in can_write:
            self.client.loop_write()
        if sock is not None and sock in ready:
            self._read(sock)
        if self.client.socket() is not None:
            self.client.loop_misc()  # keepalive ping, dead-broker detection

    def _read(self, sock) -> None:
        """Every packet already waiting (bounded by ``read_max``), so a turn handles a batch."""
        for _ in range(self.read_max):
            if self.client.loop_read() != mqtt.MQTT_ERR_SUCCESS or self.client.socket() is None:
                return
            if _pending(sock):
                continue
            # read the time before looking: a stall between the look and the clock must not
            # date what came meanwhile after it
            checked = time.monotonic()
            ready, _, _ = select.select([sock], [], [], 0)
            if not ready:
                self.quiet_at = checked
                return

    def _connection(self):
        """The client's socket, (re)connecting first when it has none and the backoff allows."""
        sock = self.client.socket()
        if self.client.is_connected():
            self._retry_s = RECONNECT_MIN_S  # backoff starts again only after a real CONNACK
        if sock is not None or time.monotonic() < self._retry_at:
            return sock
        # a refused CONNACK (bad password) closes the socket too: it waits like a refused TCP
        self._retry_at = time.monotonic() + self._retry_s
        self._retry_s = min(self._retry_s * 2, RECONNECT_MAX_S)
        try:
            self.client.reconnect()
        except ssl.SSLError as exc:  # a wrong CA or host name: no retry will fix it, say so
            if str(exc) != self._tls_error:
                log.error("broker %s:%s: TLS refused: %s", self.host, self.port, exc)
            self._tls_error = str(exc)
        except (OSError, ValueError) as exc:  # refused, unreachable, DNS
            log.debug("broker %s:%s unreachable: %s", self.host, self.port, exc)
        return self.client.socket()


def _stall(waited: float, asked: float) -> float:
    """Seconds a wait overran what was asked, when that is a stall rather than scheduling
    noise (0.0 otherwise). An idle loop's full wait (up to MAX_WAIT_S) is never one."""
    over = waited - asked
    return over if over > STALL_GRACE_S else 0.0


def _pending(sock) -> bool:
    """Whether a TLS socket holds decrypted bytes not yet read (select() does not see them)."""
    pending = getattr(sock, "pending", None)
    return bool(pending and pending())
