"""The hall config: the example loads; every mistake names the file, the key and the problem."""

from __future__ import annotations

import tomllib
from datetime import date, time

import pytest

from wire.config import ConfigError, load_config, parse_config
from wire.section import Section

EXAMPLE = "examples/hall.toml"


def example() -> dict:
    with open(EXAMPLE, "rb") as f:
        return tomllib.load(f)


def test_example_hall_has_what_the_standards_ask_for(hall_config):
    cfg = hall_config
    assert cfg.hall_id == "demo"
    assert len(cfg.windows) == 12
    assert [s.name for s in cfg.services.values()] == [
        "企业开办", "工程建设项目", "不动产登记", "社会保障", "社会事务", "公安户籍", "税务", "缴费"]
    assert any(w.kind == "comprehensive" for w in cfg.windows.values())
    assert cfg.node("kiosk-1").role == "kiosk" and cfg.node("board-1").role == "callboard"
    for n in range(1, 13):
        assert cfg.node(f"rater-{n}").window == n
    assert cfg.hours.sessions == ((time(9), time(12)), (time(13), time(17)))
    assert cfg.hours.is_open(date(2026, 11, 23), time(10))
    assert not cfg.hours.is_open(date(2026, 11, 23), time(12, 30))
    assert not cfg.hours.is_open(date(2026, 11, 22), time(10))  # Sunday
    assert cfg.hours.is_working_day(date(2026, 10, 10))  # 调休 Saturday
    assert not cfg.hours.is_working_day(date(2026, 10, 1))
    assert {s.post for s in cfg.staff.values()} == {"A", "B"}


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["hall"].pop("id"), "hall.id: is required"),
    (lambda d: d["hall"].update(timezone="Mars/Base"), "hall.timezone: unknown time zone"),
    (lambda d: d["hall"].update(id="演示"), "hall.id: must be ASCII"),
    (lambda d: d["queue"].update(policy="stric"), "did you mean 'strict'"),
    (lambda d: d["queue"].update(recall_cap="3"), "queue.recall_cap: must be an integer"),
    (lambda d: d["rating"].update(bind_s=True), "rating.bind_s: must be an integer"),
    (lambda d: d["rating"].update(folow_up_days=5), "rating.folow_up_days: unknown key (did you mean 'follow_up_days'?)"),
    (lambda d: d["services"][0].update(prefix="AB"), "services[0].prefix: must be one capital letter"),
    (lambda d: d["services"][1].update(prefix="A"), "services[1].id: duplicate"),
    (lambda d: d["windows"][0].update(services=["Z"]), "windows[0].services: unknown service 'Z'"),
    (lambda d: d["windows"][1].update(number=1), "windows[1].number: duplicate window number 1"),
    (lambda d: d["staff"][0].update(post="C"), "staff[0].post: must be one of A, B"),
    (lambda d: d["staff"][0].update(windows=[99]), "staff[0].windows: unknown window 99"),
    (lambda d: d["nodes"][3].pop("window"), "nodes[3].window: a rater node needs the window"),
    (lambda d: d["nodes"][0].update(window=1), "nodes[0].window: only rater nodes"),
    (lambda d: d["nodes"][0].update(role="printer"), "nodes[0].role: must be one of"),
    (lambda d: d["hours"].update(sessions=[["13:00", "12:00"]]), "hours.sessions: item 0"),
    (lambda d: d["hours"].update(working_days=["monday"]), "hours.working_days: unknown day"),
    (lambda d: d["queue"].update(call_template="请{ticket}号"), "queue.call_template: unknown placeholder"),
    (lambda d: d.update(extra={}), "extra: unknown key"),
    (lambda d: d["web"].update(public_url="ftp://x"), "web.public_url: must start with http"),
    (lambda d: d["web"]["users"][0].update(password="hall-demo"),
     "web.users[0].password: must be a salted hash"),
    (lambda d: d["web"]["users"][0].update(password="pbkdf2_sha256$1000$00$00"),
     "at least 100000 iterations"),
    (lambda d: d["web"]["users"][1].update(name="值班主任"), "web.users[1].name: duplicate"),
    (lambda d: d["web"]["users"][0].update(role="admin"), "web.users[0].role: must be one of"),
    (lambda d: d["web"].update(soon_ahead=-1), "web.soon_ahead"),
])
def test_a_bad_config_names_the_key_and_the_problem(mutate, expected):
    data = example()
    mutate(data)
    with pytest.raises(ConfigError) as err:
        parse_config(data, "hall.toml")
    assert str(err.value).startswith("hall.toml: ")
    assert expected in str(err.value)


def test_unreadable_and_invalid_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[hall\nid=1", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml: not valid TOML"):
        load_config(bad)


def test_unknown_node_is_a_config_error(hall_config):
    with pytest.raises(ConfigError, match="no node 'rater-99'"):
        hall_config.node("rater-99")


def test_section_validates_a_nodes_own_devices_table():
    s = Section({"printer": {"backend": "usbb", "width_mm": 90}}, "nodes.kiosk-1.devices", "h.toml")
    printer = s.table("printer")
    with pytest.raises(ConfigError, match=r"h.toml: nodes.kiosk-1.devices.printer.backend: .*did you mean 'usb'"):
        printer.str("backend", choices=("usb", "serial", "network", "simulated"))
    with pytest.raises(ConfigError, match=r"printer.width_mm: must be ≤ 80"):
        printer.int("width_mm", 80, min=58, max=80)


def test_a_clock_step_limit_below_5_s_is_refused():
    data = tomllib.loads(open(EXAMPLE, encoding="utf-8").read())
    assert parse_config(data, "hall.toml").alerts.clock_step_s == 60
    data["alerts"]["clock_step_s"] = 1
    with pytest.raises(ConfigError, match="clock_step_s"):
        parse_config(data, "hall.toml")
