"""The county as shipped (issue 23 item 4): hall-county as its unit starts it waits for a
database that is down, tells systemd it lives only while it lands, says when each site was last
heard and that a site switched off at night is closed, flags events far from its clock; and
hall-county report county reports the sites it has, naming the one it has not."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from .county_parts import bridge_site, last_seq, start_landed, wait_landed, with_county_node
from .outside import HALL, wait_for

FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


@pytest.fixture
def notify(bb_workdir):
    """A socket playing systemd's NOTIFY_SOCKET: the datagrams hall-county sends."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = bb_workdir / "notify"
    sock.bind(str(path))
    sock.settimeout(0.2)
    got: list[str] = []

    def received(msg: str) -> bool:
        try:
            while True:
                got.append(sock.recv(4096).decode())
        except TimeoutError:
            pass
        return any(msg in g for g in got)
    yield str(path), received
    sock.close()


def test_a_database_down_at_start_is_waited_for_and_systemd_hears_it_live(county, make_hall,
                                                                          notify):
    hall = make_hall(with_county_node)
    bridge_site(county, hall, HALL)
    hall.start_hub()
    county.pg.halt()
    path, received = notify
    county.start_collector(env={"NOTIFY_SOCKET": path})
    wait_for(lambda: "waiting for the county database" in county.collector_log.read_text(), 20,
             "hall-county to say it waits")
    assert received("READY=1")
    wait_for(lambda: received("WATCHDOG=1"), 10, "WATCHDOG=1 while it waits")  # not stuck
    assert county.collector.poll() is None  # not exit 2 (RestartPreventExitStatus=2)
    county.pg.start()
    county.wait_subscribed()
    assert hall.node("kiosk-1").request("ticket.take", {"service": "A"})["ok"]
    wait_landed(county, HALL, last_seq(hall))
    assert county.collector_log.read_text().count("waiting for the county database") == 1


def _next_working_day(after: datetime) -> datetime:
    day = after + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_status_says_last_heard_closed_at_night_and_flags_a_far_clock(county, make_hall,
                                                                       bb_workdir):
    hall = make_hall(with_county_node)
    start_landed(county, hall)  # hub clock Monday 2026-11-23 10:00: days behind the county's
    wait_for(lambda: "behind the county's clock" in county.collector_log.read_text(), 10,
             "the far clock to be flagged")
    (row,) = county.rows("SELECT skewed, skew_s FROM sites WHERE site = %s", HALL)
    assert row[0] >= 1 and row[1] < -86400
    sites = bb_workdir / "sites"
    sites.mkdir()
    (sites / f"{HALL}.toml").write_text(hall.config.read_text())
    day = _next_working_day(datetime.now(UTC))

    def status_at(at: datetime):
        return county.run("hall-county", "status", "--db", county.db, "--sites", str(sites),
                          env={"LD_PRELOAD": FAKETIME,
                               "FAKETIME": f"@{at:%Y-%m-%d %H:%M:%S}"})
    night = status_at(day.replace(hour=15, minute=0))  # 23:00 in the hall: switched off
    line = next(ln for ln in night.stdout.splitlines() if ln.startswith(HALL))
    assert line.endswith("closed") and f"{datetime.now(UTC):%Y-%m-%d}" in line, night.stdout
    assert night.returncode == 0, night.stdout
    morning = status_at(day.replace(hour=3, minute=0))  # 11:00 in the hall: not heard since
    line = next(ln for ln in morning.stdout.splitlines() if ln.startswith(HALL))
    assert line.endswith("silent") and morning.returncode == 1, morning.stdout


def test_hall_report_county_reports_what_there_is_and_names_what_is_missing(county, make_hall,
                                                                            bb_workdir):
    hall = make_hall(with_county_node)
    start_landed(county, hall)
    town2 = bb_workdir / "town2.toml"
    town2.write_text(hall.config.read_text().replace(f'id = "{HALL}"', 'id = "town2"', 1))
    out = county.run("hall-county", "report", "county", "--db", county.db, "--config", str(hall.config),
                     "--config", str(town2), "--month", "2026-11")
    assert out.returncode == 1, out.stderr
    assert HALL in out.stdout and "未完整计入：town2（县级库中没有该站点的数据）" in out.stdout


def test_a_collector_that_lands_nothing_stops_telling_systemd_it_lives(county, make_hall,
                                                                       notify):
    import psycopg

    hall = make_hall(with_county_node)
    bridge_site(county, hall, HALL)
    hall.start_hub()
    path, received = notify
    county.start_collector(env={"NOTIFY_SOCKET": path})
    county.wait_subscribed()
    kiosk = hall.node("kiosk-1")
    assert kiosk.request("ticket.take", {"service": "A"})["ok"]
    wait_landed(county, HALL, last_seq(hall))
    wait_for(lambda: received("WATCHDOG=1"), 10, "WATCHDOG=1 while it lands")
    with psycopg.connect(county.db) as dba:  # a long transaction holds the table: nothing lands
        dba.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        assert kiosk.request("ticket.take", {"service": "A"})["ok"]
        # hall-county gives up (systemd restarts it) instead of pretending to live
        wait_for(lambda: county.collector.poll() is not None, 30, "hall-county to give up")
        assert county.collector.returncode not in (0, 2)
    county.start_collector()  # as systemd restarts it: it lands what it missed
    wait_landed(county, HALL, last_seq(hall))
