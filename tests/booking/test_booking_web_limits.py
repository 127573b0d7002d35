"""The web side of issue 26 item 5: per-address limits (X-Forwarded-For believed only from a
trusted proxy), no enumeration (a wrong code and a wrong token answer alike), CSRF, and
refusal pages that say why — driven over HTTP as a phone's browser sends its forms."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.booking.web_rig import BookRig
from web.ratelimit import Limiter, client_address, parse_proxies

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
TUESDAY = "2026-11-24"


def citizen_id(n: int) -> str:
    first = f"11010519900101{n:03d}"
    return first + "10X98765432"[sum(int(c) * w for c, w in zip(first, WEIGHTS)) % 11]


class Phone:
    """One browser: its cookies, and the headers its (proxied) requests carry."""

    def __init__(self, web, forwarded_for: str | None = None):
        self.web = web
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}

    def open(self, path: str, form: dict | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.web.url + path, data=data, headers=self.headers)
        try:
            with self.opener.open(req, timeout=15) as r:
                return r.status, r.geturl(), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, path, e.read().decode()

    def book(self, path: str, n: int, ack: bool = True) -> tuple[int, str, str]:
        """The form at ``path`` sent for citizen ``n``."""
        _, _, page = self.open(path)
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        form = {"csrf": found.group(1) if found else "", "name": "市民" + "甲乙丙丁戊己庚辛壬癸"[n % 10],
                "id_number": citizen_id(n), "phone": f"139{n:08d}"} | ({"ack": "1"} if ack else {})
        return self.open(path, form)


@pytest.fixture
def proxied(hall_config, broker, hall_clock, hub_service):
    """hall-web behind a reverse proxy at 127.0.0.1 (--trusted-proxy 127.0.0.1)."""
    rig = BookRig(hall_config, broker, hall_clock, hub_service.db_path,
                  proxies=parse_proxies(["127.0.0.1"])).start()
    yield rig
    rig.stop()


def test_the_citizen_address_is_believed_only_from_a_trusted_proxy():
    proxies = parse_proxies(["10.0.0.0/8", "127.0.0.1"])
    assert client_address("203.0.113.9", "1.2.3.4", proxies) == "203.0.113.9"  # not a proxy
    assert client_address("127.0.0.1", "1.2.3.4", proxies) == "1.2.3.4"
    # a phone's own header before the proxy's: the right-most untrusted hop counts
    assert client_address("127.0.0.1", "6.6.6.6, 1.2.3.4, 10.1.1.1", proxies) == "1.2.3.4"
    assert client_address("127.0.0.1", "not-an-address", proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", None, proxies) == "127.0.0.1"
    with pytest.raises(ValueError, match="--trusted-proxy"):
        parse_proxies(["proxy.example"])


def test_the_limiter_counts_a_sliding_window():
    now = [0.0]
    lim = Limiter({"write": (2, 60.0)}, clock=lambda: now[0])
    assert lim.allow("write", "a") and lim.allow("write", "a")
    assert not lim.allow("write", "a") and lim.allow("write", "b")
    assert lim.retry_after("write", "a") == 61
    now[0] = 60.0
    assert lim.allow("write", "a")


def test_a_wrong_code_and_a_wrong_token_look_alike_and_guessing_stops(proxied):
    me = Phone(proxied, "198.51.100.7")
    status, url, _ = me.book(f"/book/s/A/{TUESDAY}/0900", 1)
    assert status == 200 and "/book/" in url, url
    code, token = urllib.parse.urlparse(url).path.split("/")[2:4]
    bad_token = me.open(f"/book/{code}/{'0' * 32}")
    bad_code = me.open(f"/book/{'Z' * 8}/{token}")
    assert bad_token[0] == bad_code[0] == 404 and bad_token[2] == bad_code[2]
    assert code not in bad_token[2]
    for _ in range(8):                               # 10 misses in all
        assert me.open(f"/book/{'Z' * 8}/{'0' * 32}")[0] == 404
    status, _, page = me.open(f"/book/{code}/{token}")   # now even the right one waits
    assert status == 429 and "操作过于频繁" in page
    other = Phone(proxied, "198.51.100.8")               # another citizen is not affected
    assert other.open(f"/book/{code}/{token}")[0] == 200


def test_writes_are_limited_per_citizen_address_behind_the_proxy(proxied):
    one = Phone(proxied, "198.51.100.20")
    for _ in range(10):                              # unacknowledged forms: refused, counted
        status, _, page = one.book(f"/book/s/A/{TUESDAY}/1000", 2, ack=False)
        assert status == 400 and "请先阅读办理须知" in page
    status, _, page = one.book(f"/book/s/A/{TUESDAY}/1000", 2)
    assert status == 429 and "分钟后再试" in page
    status, url, _ = Phone(proxied, "198.51.100.21").book(f"/book/s/A/{TUESDAY}/1000", 2)
    assert status == 200 and "n=made" in url


def test_a_form_without_its_csrf_cookie_books_nothing(book_web):
    stranger = Phone(book_web)
    status, _, page = stranger.open(f"/book/s/A/{TUESDAY}/0930", {
        "csrf": "x" * 32, "name": "张三", "id_number": citizen_id(3), "phone": "13900000003",
        "ack": "1"})
    assert status == 403 and "页面已过期" in page
    status, _, page = Phone(book_web).open(f"/book/s/A/{TUESDAY}")
    assert status == 200 and "09:30–10:00</b><span>余 2" in page


def test_refusals_say_why(book_web):
    me = Phone(book_web)
    assert me.book(f"/book/s/A/{TUESDAY}/1100", 4)[0] == 200
    status, _, page = me.book(f"/book/s/A/{TUESDAY}/1130", 4)      # same person, same day
    assert status == 409 and "一人一事项一天限约一次" in page
    assert "可在已有预约的页面查看或改约" in page
    assert me.book(f"/book/s/A/{TUESDAY}/1100", 5)[0] == 200         # the slot's last place
    status, _, page = me.book(f"/book/s/A/{TUESDAY}/1100", 6)
    assert status == 409 and ("已约满" in page or "不开放" in page)
    status, _, page = me.open("/book/s/A/2026-11-28/0900")          # a Saturday
    assert status == 409 and "请选择其他时段" in page
