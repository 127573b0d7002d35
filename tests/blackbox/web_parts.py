"""hall-web in the black-box hall: the process as hallstack-web.service starts it, a manager's
browser-less HTTP session with the console, and a real Chromium through Playwright.

Nothing here imports hallstack: the console is driven by its HTTP forms as a browser sends
them, the pages are read from what Chromium renders."""

from __future__ import annotations

import html
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from .outside import BIN, MONDAY_10, Hall, free_port, stop_process, wait_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
MANAGER = ("值班主任", "hall-demo")  # examples/hall.toml's demo manager


class WebProc:
    """``hall-web`` with the web node's env file, on a free port, reading the hub's database."""

    started: list[WebProc] = []   # every one of this process, for a failing test's report

    def __init__(self, hall: Hall, clock: str | None = MONDAY_10, db: Path | None = None,
                 port: int | None = None, extra: tuple[str, ...] = ()):
        self.hall, self.clock, self.extra = hall, clock, extra
        self.db = db or hall.workdir / "hall.db"
        self.fixed_port = port is not None
        self.port = port or free_port()
        self.log_path = hall.workdir / "web.log"
        self.process: subprocess.Popen | None = None
        WebProc.started = [w for w in WebProc.started if w.log_path.exists()] + [self]
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> None:
        """Start hall-web; on a busy machine another process may take the free port first
        (a client's ephemeral port): then try another one, or wait for a fixed one."""
        for _ in range(5):
            mark = self.log_path.stat().st_size if self.log_path.exists() else 0
            self._launch()
            if not wait:
                return
            if wait_for(lambda m=mark: self._state(m), 20, "hall-web to serve") == "up":
                return
            self.process.wait(5)
            if self.fixed_port:  # a restart keeps its address: wait until it is free again
                wait_for(self._port_free, 20, f"port {self.port} to be free")
            else:
                self.port = free_port()
        raise AssertionError(f"hall-web found no free port: {self.log_tail()}")

    def _launch(self) -> None:
        args = [BIN / "hall-web", "--config", self.hall.config, "--broker", self.hall.broker.url,
                "--db", self.db, "--listen", f"127.0.0.1:{self.port}", *self.extra]
        if self.clock is not None:
            args += ["--clock", self.clock]
        env = {**os.environ, **self.hall.env("web")}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, cwd=self.hall.workdir)

    def _state(self, mark: int) -> str | None:
        """"up" once this hall-web answers its login page, "busy" if its port was taken."""
        if self.process.poll() is not None:
            text = self.log_path.read_bytes()[mark:].decode(errors="replace")
            assert "address already in use" in text, (
                f"hall-web exited {self.process.returncode}: {text[-3000:]}")
            return "busy"
        try:  # this process's own page, not whatever else may listen there
            status, body = self.get("/manage/login")
        except OSError:
            return None
        return "up" if status == 200 and "大厅管理登录" in body else None

    def _port_free(self) -> bool:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", self.port))
                return True
            except OSError:
                return False

    def stop(self) -> None:
        if self.process:
            stop_process(self.process)

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


class ManagerHttp:
    """A manager's cookie session with the console, sending what its forms and script send."""

    def __init__(self, web: WebProc, name: str = MANAGER[0], password: str = MANAGER[1]):
        self.web = web
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None
        self.status = self.login(name, password)

    def open(self, path: str, data: bytes | None = None, ctype: str | None = None):
        req = urllib.request.Request(self.web.url + path, data=data)
        if ctype:
            req.add_header("Content-Type", ctype)
        try:
            with self.opener.open(req, timeout=15) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def login(self, name: str, password: str) -> int:
        form = urllib.parse.urlencode({"name": name, "password": password}).encode()
        status, body = self.open("/manage/login", form, "application/x-www-form-urlencoded")
        found = re.search(r'name="csrf" value="([^"]+)"', body)
        self.csrf = html.unescape(found.group(1)) if found else None
        return status

    def action(self, action: str, args: dict | None = None) -> tuple[int, dict]:
        body = json.dumps({"csrf": self.csrf, "action_id": uuid.uuid4().hex, "action": action,
                           "args": args or {}}).encode()
        status, text = self.open("/manage/action", body, "application/json")
        return status, json.loads(text)

    def state(self) -> dict:
        status, text = self.open("/manage/state")
        assert status == 200, (status, text)
        return json.loads(text)


def chromium():
    """(playwright, browser): Debian's Chromium; a missing Playwright fails, never skips."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    return pw, pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def phone_page(browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                              locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True,
                              has_touch=True)
    return ctx.new_page()


def shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def login_from(web: WebProc, address: str, name: str, password: str) -> int:
    """One login POST from the loopback ``address`` (127.0.0.x): another desk of the hall."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=15,
                                      source_address=(address, 0))
    try:
        conn.request("POST", "/manage/login",
                     urllib.parse.urlencode({"name": name, "password": password}),
                     {"Content-Type": "application/x-www-form-urlencoded"})
        return conn.getresponse().status
    finally:
        conn.close()


def desk_page(browser):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                              timezone_id="Asia/Shanghai")
    return ctx.new_page()


def browser_login(page, web: WebProc, name: str = MANAGER[0], password: str = MANAGER[1]):
    page.goto(web.url + "/manage/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(web.url + "/manage")


class PlayedHub:
    """The hub as an outsider plays it: a paho client with the hub's broker user publishing its
    retained status and events by hand (docs/node-api.md), for alerts no real day makes fast."""

    def __init__(self, hall: Hall, epoch: str = "ab12cd34ef56ab78"):
        import paho.mqtt.client as mqtt

        self.epoch, self.seq, self.base = epoch, 0, "hall/demo"
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=f"demo-hub-{uuid.uuid4().hex}")
        env = hall.env("hub")
        self.client.username_pw_set(env["HALL_MQTT_USERNAME"], env["HALL_MQTT_PASSWORD"])
        self.client.connect("127.0.0.1", hall.broker.port, keepalive=30)
        self.client.loop_start()
        self.publish("node/hub/status", {"online": True, "version": "0.1.0"}, retain=True)
        self.publish("state/queue", {"at": MONDAY_10, "services": {}, "epoch": epoch},
                     retain=True)

    def publish(self, topic: str, payload: dict, retain: bool = False) -> None:
        info = self.client.publish(f"{self.base}/{topic}", json.dumps(payload), qos=1,
                                   retain=retain)
        info.wait_for_publish(10)

    def event(self, kind: str, data: dict, at: str = MONDAY_10) -> int:
        self.seq += 1
        self.publish(f"event/{kind}", {"seq": self.seq, "epoch": self.epoch, "at": at} | data)
        return self.seq

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class SseReader:
    """A page's event stream read as EventSource does (``data:`` lines), on its own thread."""

    def __init__(self, web: WebProc, path: str):
        import http.client
        import threading

        self.frames: list[dict] = []
        self.conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200, self.resp.status
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for raw in self.resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    self.frames.append(json.loads(line[6:]))
        except Exception:  # noqa: BLE001 - close() cut the stream under this thread
            return

    @property
    def last(self) -> dict | None:
        return self.frames[-1] if self.frames else None

    def close(self) -> None:
        import contextlib

        with contextlib.suppress(OSError):
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.conn.close()


class RequestSpy:
    """Counts the requests a node sends to the hub, seen on the wire with the hub's own broker
    user (which reads every node's request topic)."""

    def __init__(self, hall: Hall, node: str):
        import queue
        import threading

        import paho.mqtt.client as mqtt

        self.ops: list[str] = []
        self._lock = threading.Lock()
        subacks: queue.Queue = queue.Queue()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=f"demo-hub-spy-{uuid.uuid4().hex}")
        env = hall.env("hub")
        self.client.username_pw_set(env["HALL_MQTT_USERNAME"], env["HALL_MQTT_PASSWORD"])
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda c, u, mid, rcs, p: subacks.put(rcs)
        self.client.connect("127.0.0.1", hall.broker.port, keepalive=30)
        self.client.loop_start()
        self.client.subscribe(f"hall/demo/req/{node}", 0)
        codes = subacks.get(timeout=10)
        assert all(not c.is_failure for c in codes), codes

    def _on_message(self, _c, _u, msg) -> None:
        try:
            op = json.loads(msg.payload).get("op")
        except ValueError:
            op = None
        with self._lock:
            self.ops.append(op)

    def count(self, op: str) -> int:
        with self._lock:
            return sum(1 for o in self.ops if o == op)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
