"""A network cable between a node and the broker that a test can make lossy or pull."""

from __future__ import annotations

import select
import socket
import threading


class Cable:
    """A TCP relay on a free port to ``host:port``. :meth:`lose` makes it swallow every byte
    both ways while the connection stays up (a link that drops packets: paho notices nothing
    until its keepalive); :meth:`pull` closes the connections and relays again for new ones."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._losing = False
        self._closed = False
        self.swallowed = 0  # bytes lost while losing
        threading.Thread(target=self._accept, name="cable-accept", daemon=True).start()

    def lose(self) -> None:
        with self._lock:
            self._losing = True

    def pull(self) -> None:
        with self._lock:
            self._losing = False
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for s in (a, b):
                _close(s)

    def close(self) -> None:
        self._closed = True
        self.pull()
        _close(self._server)

    def _accept(self) -> None:
        while not self._closed:
            try:
                node, _ = self._server.accept()
            except OSError:
                return
            try:
                broker = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(node)
                continue
            with self._lock:
                self._pairs.append((node, broker))
            threading.Thread(target=self._relay, args=(node, broker), name="cable-relay",
                             daemon=True).start()

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        other = {a: b, b: a}
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 0.5)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    with self._lock:
                        losing = self._losing
                    if losing:
                        self.swallowed += len(data)
                    else:
                        other[s].sendall(data)
        except (OSError, ValueError):  # pulled under us
            return
        finally:
            _close(a)
            _close(b)


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)  # a FIN now, even while the relay thread selects on it
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
