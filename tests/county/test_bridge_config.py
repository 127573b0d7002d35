"""hall-broker-config county: the county broker's users and ACL, each site's bridge."""

from __future__ import annotations

import pytest

from deploy import broker_acl, broker_cli, paths
from deploy.broker_acl import BrokerConfigError, verify_password
from deploy.broker_bridge import generate, render_bridge, render_county_acl


def test_a_site_writes_only_its_own_prefix_and_reads_only_its_requests():
    acl = render_county_acl(["town-a", "village-b"])
    blocks = {b.splitlines()[0]: b.splitlines()[1:] for b in acl.split("\n\n")[1:]}
    assert blocks["user town-a"] == ["topic write hall/town-a/event/#",
                                     "topic write hall/town-a/resp/county",
                                     "topic read hall/town-a/req/county"]
    assert blocks["user county"] == ["topic read hall/+/event/#", "topic read hall/+/resp/county",
                                     "topic write hall/+/req/county"]
    assert acl.split("\n\n")[0].startswith("#")  # nothing for anonymous before the first user


def test_the_bridge_carries_events_and_answers_out_and_requests_in_over_tls():
    pw = broker_acl.new_password()
    text = render_bridge("town-a", "mqtts://county.example:8883", pw)
    lines = text.splitlines()
    assert "connection county-town-a" in lines and "address county.example:8883" in lines
    assert f"remote_password {pw}" in lines and "remote_username town-a" in lines
    assert f"bridge_cafile {paths.BRIDGE_CA}" in lines
    assert "bridge_insecure false" in lines and "cleansession false" in lines
    assert [line for line in lines if line.startswith("topic ")] == [
        "topic hall/town-a/event/# out 1", "topic hall/town-a/resp/county out 1",
        "topic hall/town-a/req/county in 1"]
    assert "bridge_cafile" not in render_bridge("town-a", "mqtt://10.0.0.1:1883", pw)


def test_cli_writes_everything_and_keeps_passwords(tmp_path, capsys):
    args = ["county", "--county", "mqtt://10.0.0.1:1883", "--site", "town-a", "--site", "v-b",
            "--out", str(tmp_path)]
    assert broker_cli.main(args) == 0
    first = (tmp_path / "bridges" / "town-a.conf").read_text()
    passwd = dict(line.split(":", 1) for line in (tmp_path / "passwd").read_text().splitlines())
    assert sorted(passwd) == ["county", "town-a", "v-b"]
    pw = next(line.split()[1] for line in first.splitlines()
              if line.startswith("remote_password"))
    assert verify_password(pw, passwd["town-a"])
    env = (tmp_path / "county.env").read_text()
    assert "HALL_MQTT_USERNAME=county" in env
    assert (tmp_path / "county.env").stat().st_mode & 0o077 == 0
    assert broker_cli.main(args) == 0  # again: the sites' bridges keep working
    assert (tmp_path / "bridges" / "town-a.conf").read_text() == first
    assert (tmp_path / "county.env").read_text() == env


@pytest.mark.parametrize("sites", [["county"], ["a/b"], ["x", "x"], ["../etc"], []])
def test_bad_site_names_are_refused_before_writing(tmp_path, sites):
    with pytest.raises(BrokerConfigError):
        generate(sites, "mqtt://10.0.0.1:1883", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_damaged_bridge_file_is_refused(tmp_path, capsys):
    generate(["town-a"], "mqtt://10.0.0.1:1883", tmp_path)
    (tmp_path / "bridges" / "town-a.conf").write_text("remote_password short\n")
    assert broker_cli.main(["county", "--county", "mqtt://10.0.0.1:1883", "--site", "town-a",
                            "--out", str(tmp_path)]) == 2
    assert "town-a.conf" in capsys.readouterr().err


def test_an_mqtts_county_gets_its_ca_and_certificate_and_files_mosquitto_can_read(tmp_path):
    import grp
    import os

    out, tls = tmp_path / "out", tmp_path / "tls"
    assert broker_cli.main(["county", "--county", "mqtts://county.example:8883", "--site", "a",
                            "--out", str(out), "--tls-dir", str(tls)]) == 0
    assert (tls / "broker.crt").exists() and (tls / "ca.crt").exists()
    assert (out / "bridges" / "county-ca.crt").read_bytes() == (tls / "ca.crt").read_bytes()
    # the collector dials the county broker's loopback listener: no CA needed there
    assert "HALL_BROKER=mqtt://127.0.0.1:1883" in (out / "county.env").read_text()
    for name in ("passwd", "acl"):
        st = (out / name).stat()
        assert st.st_mode & 0o777 == 0o640
        if os.geteuid() == 0:  # Mosquitto drops to its user before it opens them
            assert st.st_gid == grp.getgrnam("mosquitto").gr_gid
