"""hall-bench county as a city runs it: sites sharing site brokers, each with its own bridge
and county user, every site heard, the steady phase's events all landed and measured."""

from __future__ import annotations

from hallsim import bench_county


def test_a_small_city_lands_every_event_with_sites_sharing_brokers(tmp_path):
    out = bench_county.run(sites=5, visitors=2, cut=0, hour=0, folder=tmp_path, cut_s=0,
                           per_broker=2, rate=20, steady_s=1)
    assert (out["site_brokers"], out["bridges"], out["all_bridges_up"]) == (3, 5, True)
    steady = out["steady"]
    assert steady["published"] > 0 and steady["landed"] == steady["published"]
    assert steady["lag_max_s"] is not None  # measured; no figure asserted (a busy machine)
    assert out["caught_up"] and out["rows"] == out["rows_distinct"] == out["rows_expected"]
    assert out["pg_bytes_per_event"] > 0 and out["duplicates_seen"] == 0
