"""[web] trusted_proxies (docs/booking.md "Deployment"): hall-web believes X-Forwarded-For from
the proxies hall.toml names, plus --trusted-proxy; a bad entry fails with the key named; the
shipped nginx site publishes only /book and its static files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web.ratelimit import client_address, parse_proxies
from wire.config import load_config
from wire.section import ConfigError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "hall.toml").read_text(encoding="utf-8")


def _with(tmp_path, line: str):
    path = tmp_path / "hall.toml"
    path.write_text(EXAMPLE.replace("[web]\n", f"[web]\n{line}\n", 1), encoding="utf-8")
    return load_config(path)


def test_trusted_proxies_are_read_and_believed(tmp_path):
    assert load_config(ROOT / "examples" / "hall.toml").web.trusted_proxies == ()
    cfg = _with(tmp_path, 'trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]')
    assert cfg.web.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    proxies = parse_proxies([*cfg.web.trusted_proxies, "192.168.1.2"])
    assert client_address("10.1.2.3", "203.0.113.5", proxies) == "203.0.113.5"
    assert client_address("192.168.1.2", "203.0.113.6", proxies) == "203.0.113.6"
    assert client_address("192.168.1.3", "203.0.113.6", proxies) == "192.168.1.3"


def test_a_bad_trusted_proxy_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"trusted_proxies.*'nginx'"):
        _with(tmp_path, 'trusted_proxies = ["nginx"]')
    with pytest.raises(ConfigError, match="trusted_prox"):
        _with(tmp_path, 'trusted_proxy = ["127.0.0.1"]')   # a typo: did you mean


def test_the_nginx_site_publishes_only_the_booking_and_ticket_pages():
    site = (ROOT / "examples" / "nginx-book.conf").read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in site.splitlines())
    blocks = re.findall(r"location\s+(?:=\s*)?(\S+)\s*\{((?:[^{}]|\{[^{}]*\})*)\}", code)
    proxied = sorted(path for path, body in blocks if "proxy_pass" in body)
    assert proxied == ["/book", "/book/", "/static/book.js", "/static/ticket.js",
                       "/static/web.css", "/t/"]
    assert re.search(r"location\s+/\s*\{\s*return 404;", code)
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in code
    assert "/manage" not in code
