"""``hall-web`` as its own process with the fixed flags: it serves, refuses bad flags, and stops
on SIGTERM within its graceful time even with a ticket page's stream open."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import time

from tests.conftest import EXAMPLE, MONDAY_10
from tests.helpers import eventually
from tests.web.rig import free_port


def test_hall_web_serves_and_stops_with_a_stream_open(hub_service, broker, node_client,
                                                        tmp_path):
    token = node_client("kiosk-1").request("ticket.take", {"service": "A"})["ticket"]["token"]
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.app", "--config", str(EXAMPLE), "--broker", broker.url,
         "--db", hub_service.db_path, "--listen", f"127.0.0.1:{port}", "--clock", MONDAY_10],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        def up():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", f"/t/{token}/state")
                return conn.getresponse().status == 200
            except OSError:
                return False
        assert eventually(up, timeout=20), "hall-web did not serve the ticket"
        stream = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        stream.request("GET", f"/t/{token}/events")
        resp = stream.getresponse()
        assert resp.status == 200 and resp.headers["content-type"].startswith("text/event-stream")
        assert b"data: " in resp.read1(4096)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_bad_flags_are_refused():
    for args in (["--listen", "nowhere"], ["--listen", "127.0.0.1:99999"]):
        r = subprocess.run([sys.executable, "-m", "web.app", "--config", str(EXAMPLE), *args],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 2 and "--listen must be HOST:PORT" in r.stderr
    r = subprocess.run([sys.executable, "-m", "web.app", "--config", str(EXAMPLE), "--node",
                        "kiosk-1"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "not a web node" in r.stderr
