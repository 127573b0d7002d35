"""hall.toml's [standby] (wire.standby): absent is one hub; each mistake is named with its key."""

from __future__ import annotations

import tomllib

import pytest

from tests.conftest import EXAMPLE
from wire.config import ConfigError, parse_config

GOOD = """
[standby]
etcd = ["http://10.0.0.1:2379", "http://10.0.0.2:2379", "http://10.0.0.3:2379"]
floating_address = "10.0.0.100/24"
[standby.machines]
hub-a = "10.0.0.1"
hub-b = "10.0.0.2"
"""


def parse(extra: str):
    return parse_config(tomllib.loads(EXAMPLE.read_text(encoding="utf-8") + extra), "hall.toml")


def test_absent_is_one_hub_and_a_good_section_is_read():
    assert not parse("").standby.enabled
    st = parse(GOOD).standby
    assert st.enabled and st.lease_ttl_s == 3 and st.copy_port == 7420
    assert st.peer_of("hub-a") == ("hub-b", "10.0.0.2")


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('hub-b = "10.0.0.2"\n', ""), "exactly two hub machines"),
    (lambda t: t.replace('"10.0.0.2"\n', '"pi-b.local"\n'), "hub-b: must be an IP address"),
    (lambda t: t.replace(', "http://10.0.0.3:2379"', ""), "three etcd members"),
    (lambda t: t.replace('"10.0.0.100/24"', '"10.0.0.300"'), "floating_address"),
    (lambda t: t.replace("[standby.machines]", "lease_ttl = 3\n[standby.machines]"),
     "did you mean 'lease_ttl_s'"),
    (lambda t: t.replace("[standby.machines]", "lease_ttl_s = 1\n[standby.machines]"),
     "lease_ttl_s"),
])
def test_each_mistake_is_named(edit, message):
    with pytest.raises(ConfigError, match=message):
        parse(edit(GOOD))
