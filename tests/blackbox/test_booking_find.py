"""查询我的预约 from outside (docs/booking.md "查询我的预约"): a raw web node's ``booking.find``
finds a booking only with both its ID number and its phone, answers a wrong ID and a wrong phone
alike, and stops guessing per ID and per phone; hall-web's /book/find, as a process, draws the
same page for both mistakes and stops an address that keeps guessing."""

from __future__ import annotations

import http.client
import re
import urllib.parse

from .booking_parts import TUE, booking_args, valid_id
from .web_parts import WebProc

PHONE = "13800000071"


def _book(web, n: int, phone: str, start: str = "09:00") -> dict:
    made = web.request("booking.make", booking_args("A", TUE, start, valid_id(n), phone))
    assert made["ok"], made
    return made["result"]


def test_the_op_needs_both_halves_answers_alike_and_stops_guessing(hall):
    web = hall.node("web")
    made = _book(web, 71, PHONE)
    wrong_phone = web.request("booking.find", {"id_number": valid_id(71), "phone": "13800000072"})
    wrong_id = web.request("booking.find", {"id_number": valid_id(72), "phone": PHONE})
    assert not wrong_phone["ok"] and not wrong_id["ok"]
    assert wrong_phone["error"] == wrong_id["error"]   # code and message: nothing tells which
    assert wrong_phone["error"]["code"] == "not_found"
    found = web.request("booking.find", {"id_number": valid_id(71), "phone": PHONE})
    assert found["ok"], found
    [b] = found["result"]["bookings"]
    assert b["code"] == made["code"] and b["token"] != made["token"]
    old = web.request("booking.show", {"code": made["code"], "token": made["token"]})
    assert old["error"]["code"] == "not_found"          # the lost link is dead, the new one opens
    assert web.request("booking.show", {"code": b["code"], "token": b["token"]})["ok"]
    # a kiosk may not look citizens up
    assert hall.node("kiosk-1").request("booking.find", {
        "id_number": valid_id(71), "phone": PHONE})["error"]["code"] == "forbidden"

    # guessing the phone of a known ID number: stopped after the ID's few tries (2 used above)
    codes = [web.request("booking.find", {"id_number": valid_id(71),
                                          "phone": f"1390000{i:04d}"})["error"]["code"]
             for i in range(5)]
    assert codes == ["not_found"] * 3 + ["rate_limited"] * 2
    # ... even the right pair now waits (the bucket is the ID's, not the guess's)
    assert web.request("booking.find", {"id_number": valid_id(71), "phone": PHONE}
                       )["error"]["code"] == "rate_limited"
    # guessing the ID number of a known phone: stopped after the phone's few tries (2 used)
    codes = [web.request("booking.find", {"id_number": valid_id(100 + i), "phone": PHONE}
                         )["error"]["code"] for i in range(5)]
    assert codes == ["not_found"] * 3 + ["rate_limited"] * 2
    # another citizen is not affected
    other = web.request("booking.find", {"id_number": valid_id(90), "phone": "13800000090"})
    assert other["error"]["code"] == "not_found"


class Browser:
    """A phone's browser by hand: the CSRF cookie, url-encoded forms, a proxy's header."""

    def __init__(self, web: WebProc, address: str):
        self.web, self.address, self.cookie = web, address, ""

    def open(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.web.port, timeout=15)
        headers = {"X-Forwarded-For": self.address}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = urllib.parse.urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            set_cookie = r.getheader("Set-Cookie") or ""
            if set_cookie.startswith("book_csrf="):
                self.cookie = set_cookie.split(";", 1)[0]
            return r.status, r.read().decode()
        finally:
            conn.close()

    def find(self, id_number: str, phone: str) -> tuple[int, str]:
        _, page = self.open("GET", "/book/find")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        return self.open("POST", "/book/find", {"csrf": csrf, "id_number": id_number,
                                                "phone": phone})


def _said(page: str) -> str:
    found = re.search(r'role="alert">([^<]*)<', page)
    return found.group(1) if found else ""


def test_the_page_draws_both_mistakes_alike_and_stops_an_address(hall):
    made = _book(hall.node("web"), 81, "13800000081")
    web = WebProc(hall, extra=("--trusted-proxy", "127.0.0.1"))
    try:
        phone = Browser(web, "203.0.113.81")
        status_p, wrong_phone = phone.find(valid_id(81), "13800000082")
        status_i, wrong_id = phone.find(valid_id(82), "13800000081")
        assert status_p == status_i == 404
        assert _said(wrong_phone) == _said(wrong_id) != ""
        status, page = phone.find(valid_id(81), "13800000081")
        assert status == 200
        link = re.search(r'href="(/book/' + made["code"] + r'/[\w-]+)"', page).group(1)
        assert phone.open("GET", link)[0] == 200
        # the address's allowance of look-ups (right or wrong) runs out: 3 used above
        statuses = [phone.find(valid_id(200 + i), f"1370000{i:04d}")[0] for i in range(4)]
        assert statuses == [404, 404, 429, 429]
        assert "操作过于频繁" in phone.find(valid_id(81), "13800000081")[1]
        assert Browser(web, "203.0.113.82").find(valid_id(83), "13800000083")[0] == 404
    finally:
        web.stop()


def test_hall_toml_names_the_trusted_proxy_without_a_flag(make_hall):
    """The shipped unit's command line (no --trusted-proxy) behind nginx on the same Pi:
    hall.toml's [web] trusted_proxies makes each citizen address count on its own."""
    hall = make_hall(lambda text: text.replace(
        "[web]\n", '[web]\ntrusted_proxies = ["127.0.0.1"]\n', 1))
    hall.start_hub()
    web = WebProc(hall)
    try:
        first = Browser(web, "203.0.113.91")
        statuses = [first.find(valid_id(300 + i), f"1360000{i:04d}")[0] for i in range(6)]
        assert statuses == [404] * 5 + [429]
        assert Browser(web, "203.0.113.92").find(valid_id(400), "13600000400")[0] == 404
    finally:
        web.stop()
