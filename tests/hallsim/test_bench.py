"""hall-bench runs end to end and reports every figure with its sample count and the Mosquitto
ratio (a smoke run: the numbers themselves are for people, never asserted as speeds)."""

from __future__ import annotations

import json
import os

import pytest

from hallsim.bench import main

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def test_a_small_bench_run_reports_every_figure(tmp_path, capsys):
    report = tmp_path / "bench.json"
    assert main(["--runs", "30", "--seconds", "1", "--throughput-runs", "2", "--day-tickets", "300", "--restarts", "1",
                 "--web-pages", "40", "--web-seconds", "2", "--workdir", str(tmp_path / "work"),
                 "--json", str(report)]) == 0
    table = capsys.readouterr().out
    results = json.loads(report.read_text(encoding="utf-8"))
    for name in ("mosquitto_rtt", "mosquitto_rtt_paused", "disk_sync_paused", "call_latency",
                 "ticket_latency", "hub_restart"):
        assert results[name]["n"] >= 1 and results[name]["p50_ms"] > 0, name
        assert name in table
    assert results["call_latency"]["missed"] == 0
    assert results["ticket_latency"]["missed"] == 0
    assert results["hub_throughput"]["ok"] > 0 and results["hub_throughput"]["refused"] == 0
    assert len(results["hub_throughput"]["runs_ok_per_s"]) == 2
    assert results["hub_restart"]["tickets"] == 300
    for name in ("hub_rss", "hub_rss_full_day", "kiosk_rss", "callboard_rss", "rater_rss"):
        assert results[name]["mb"] > 5, name
    assert "×mosq" in table and "call floor" in table
    web = results["web_called_to_page"]
    assert web["n"] >= 1 and web["missed"] == 0 and web["pages"] == 40
    assert results["web_rss"]["mb"] > 5 and "web_called_to_page" in table
    if os.path.exists("/usr/bin/etcd"):  # the standby's figures (setup.sh installs etcd-server)
        for name in ("call_single", "call_standby", "ticket_single", "ticket_standby"):
            assert results[name]["n"] == 30 and name in table, name
        assert results["standby_rss"]["mb"] > 5 and "call_standby_ratio" in table


def test_the_web_figure_alone_at_a_steady_rate(tmp_path, capsys):
    report = tmp_path / "bench.json"
    assert main(["--web-only", "--runs", "20", "--web-pages", "40", "--web-rate", "4",
                 "--web-seconds", "3", "--workdir", str(tmp_path / "work"),
                 "--json", str(report)]) == 0
    table = capsys.readouterr().out
    results = json.loads(report.read_text(encoding="utf-8"))
    steady = results["web_steady_called_to_page"]
    assert steady["calls"] >= 1 and steady["missed"] == 0 and steady["rate_per_s"] == 4
    assert results["web_steady_people_ahead"]["n"] >= 1
    assert results["web_steady_rows"]["rows"] == 0   # no hub read for a page after it opened
    assert "web_steady_people_ahead" in table and "call_latency" not in results


def test_the_load_ignores_answers_to_requests_it_never_sent(hall_config, broker):
    """A busy hub still answers wait_answered()'s restart probes on kiosk-1's topic when the
    load starts: those answers are not the load's (they raised KeyError and failed the bench)."""
    from hallsim.bench_load import HallLoad

    load = HallLoad(hall_config, broker.url)
    try:
        load._reply(load.kiosk, {"id": "probe-109", "ok": False,
                                 "error": {"code": "no_ticket", "message": "今日没有A001号"}})
        assert load.counts == {"ok": 0, "refused": 0} and load.asked == 0
    finally:
        for node in load.nodes:
            node.client.disconnect()
