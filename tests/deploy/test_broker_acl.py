"""hall-broker-config without a broker: topics per user, $7$ hashes, env files, bad input."""

from __future__ import annotations

import base64
import grp
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from deploy import paths
from deploy.broker_acl import (
    PASSWORD_RE,
    BrokerConfigError,
    broker_users,
    check_broker_url,
    generate,
    hash_password,
    main,
    new_password,
    parse_env,
    render_acl,
    render_env,
    verify_password,
)
from wire.config import ConfigError, parse_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hall.toml"
URL = "mqtt://hallhub.lan:1883"
node_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,30}", fullmatch=True)


def small_hall(nodes: list[dict]) -> dict:
    return {"hall": {"id": "h1", "name": "测试大厅"},
            "services": [{"id": "A", "name": "企业开办"}],
            "windows": [{"number": 1, "services": ["A"]}, {"number": 2, "services": ["A"]}],
            "nodes": nodes}


def run(tmp_path, *extra, config=EXAMPLE):
    return main(["--config", str(config), "--broker", URL,
                 "--credentials", str(tmp_path / "cred"), "--passwd", str(tmp_path / "passwd"),
                 "--acl", str(tmp_path / "acl"), *extra])


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# -- who may read and write what -------------------------------------------------------------
def test_each_node_writes_only_its_own_topics(hall_config):
    users = {u.username: u for u in broker_users(hall_config)}
    assert set(users) == {"hub", *hall_config.nodes}
    k = users["kiosk-1"]
    assert k.writes == ("hall/demo/req/kiosk-1", "hall/demo/node/kiosk-1/status",
                        "hall/demo/node/kiosk-1/health")
    assert k.reads == ("hall/demo/resp/kiosk-1", "hall/demo/event/#", "hall/demo/state/#")
    for name, u in users.items():
        if name == "hub":
            continue
        assert all(name in topic.split("/") for topic in u.writes), u
        assert not any("/req/" in topic for topic in u.reads), u  # requests carry ID numbers
    assert users["admin-1"].reads[-2:] == ("hall/demo/node/+/status", "hall/demo/node/+/health")
    assert users["rater-3"].env_name == "window-3.env"


def test_hub_reads_requests_and_status_and_writes_replies_events_state(hall_config):
    hub = broker_users(hall_config)[0]
    assert hub.username == "hub" and hub.role == "hub"
    assert set(hub.reads) == {"hall/demo/req/+", "hall/demo/node/+/status",
                              "hall/demo/node/+/health", "hall/demo/hub/probe"}
    assert set(hub.writes) == {"hall/demo/resp/#", "hall/demo/event/#", "hall/demo/state/#",
                               "hall/demo/node/hub/status", "hall/demo/node/hub/health",
                               "hall/demo/hub/probe", "hall/demo/req/+"}


def test_acl_text_has_no_anonymous_lines_and_one_block_per_user(hall_config):
    users = broker_users(hall_config)
    text = render_acl(hall_config, users)
    rules = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert rules[0] == "user hub"  # nothing before the first user: anonymous gets nothing
    assert [ln for ln in rules if ln.startswith("user ")] == [f"user {u.username}" for u in users]
    assert all(ln.startswith(("user ", "topic read ", "topic write ")) for ln in rules)


def test_a_node_named_like_the_hub_user_is_refused():
    with pytest.raises(ConfigError, match="'hub' is the hub's own id"):
        parse_config(small_hall([{"id": "hub", "role": "kiosk"}]), "t.toml")
    cfg = parse_config(small_hall([{"id": "hallhub", "role": "kiosk"}]), "t.toml")
    with pytest.raises(BrokerConfigError, match="'hallhub' is the hub's own broker user"):
        broker_users(cfg, hub_user="hallhub")
    assert broker_users(cfg, hub_user="hub")[0].username == "hub"
    with pytest.raises(BrokerConfigError, match="hub user"):
        broker_users(cfg, hub_user="hub:x")


@given(st.lists(node_ids, min_size=1, max_size=6, unique=True))
@settings(max_examples=50, deadline=None)
def test_acl_for_any_node_ids(ids):
    ids = [i for i in ids if i != "hub"] or ["k"]
    cfg = parse_config(small_hall([{"id": i, "role": "kiosk"} for i in ids]), "t.toml")
    users = broker_users(cfg)
    text = render_acl(cfg, users)
    for i in ids:
        block = text.split(f"\nuser {i}\n")[1].split("\n\n")[0].splitlines()
        assert f"topic write hall/h1/req/{i}" in block
        assert f"topic read hall/h1/resp/{i}" in block
        assert [ln for ln in block if ln.startswith("topic write")] == [
            f"topic write hall/h1/req/{i}", f"topic write hall/h1/node/{i}/status",
            f"topic write hall/h1/node/{i}/health"]


# -- $7$ password hashes --------------------------------------------------------------------
@given(st.text(min_size=1, max_size=64), st.binary(min_size=12, max_size=12),
       st.integers(min_value=1, max_value=300))
@settings(max_examples=60, deadline=None)
def test_hash_round_trip(password, salt, iterations):
    encoded = hash_password(password, salt, iterations)
    _, seven, its, salt_b64, digest_b64 = encoded.split("$")
    assert seven == "7" and int(its) == iterations
    assert base64.b64decode(salt_b64) == salt and len(base64.b64decode(digest_b64)) == 64
    assert verify_password(password, encoded)
    assert not verify_password(password + "x", encoded)


def test_known_vector():
    # PBKDF2-HMAC-SHA512("secret", 12 zero bytes, 101), computed independently with openssl below
    encoded = hash_password("secret", bytes(12), 101)
    assert encoded.startswith("$7$101$AAAAAAAAAAAAAAAA$")
    if shutil.which("openssl"):
        out = subprocess.run(
            ["openssl", "kdf", "-keylen", "64", "-kdfopt", "digest:SHA512", "-kdfopt",
             "pass:secret", "-kdfopt", "hexsalt:" + "00" * 12, "-kdfopt", "iter:101", "PBKDF2"],
            capture_output=True, text=True, check=True).stdout.strip().replace(":", "")
        assert base64.b64decode(encoded.split("$")[4]).hex().upper() == out.upper()


@pytest.mark.parametrize("bad", ["", "$6$101$a$b", "$7$x$AAAA$AAAA", "$7$101$!!$AAAA", "plain",
                                 "$7$0$AAAA$AAAA", "$7$99999999999$AAAA$AAAA"])
def test_malformed_hash_is_an_error(bad):
    with pytest.raises(ValueError):
        verify_password("x", bad)


@pytest.mark.skipif(not shutil.which("mosquitto_passwd"), reason="mosquitto_passwd not installed")
def test_hashes_agree_with_mosquitto_passwd(tmp_path):
    path = tmp_path / "pw"
    path.touch()
    password = new_password()
    subprocess.run(["mosquitto_passwd", "-b", str(path), "kiosk-1", password], check=True)
    user, encoded = path.read_text().strip().split(":", 1)
    assert user == "kiosk-1" and encoded.startswith("$7$101$")
    assert verify_password(password, encoded)
    assert not verify_password(new_password(), encoded)


# -- env files --------------------------------------------------------------------------------
@given(node_ids, st.from_regex(PASSWORD_RE, fullmatch=True),
       st.one_of(st.none(), st.integers(1, 999)))
@settings(max_examples=60, deadline=None)
def test_env_round_trip(node, password, window):
    from deploy.broker_acl import BrokerUser

    user = BrokerUser(node, "rater" if window else "kiosk", window, (), ())
    values = parse_env(render_env(user, password, URL), "x.env")
    assert values["HALL_MQTT_USERNAME"] == node == values["HALL_NODE"]
    assert values["HALL_MQTT_PASSWORD"] == password and values["HALL_BROKER"] == URL
    assert values.get("HALL_WINDOW") == (str(window) if window else None)


@pytest.mark.parametrize("text", ["HALL_MQTT_PASSWORD", "PATH=/tmp", "HALL_NODE=a\nHALL_NODE=b",
                                  "export HALL_NODE=a"])
def test_unexpected_env_lines_are_refused(text):
    with pytest.raises(BrokerConfigError, match="x.env:"):
        parse_env(text, "x.env")


@pytest.mark.parametrize("url", ["tcp://h:1883", "mqtt://", "mqtt://h:99999", "mqtt://u:p@h",
                                 "mqtt://h/x", "mqtt://h 1883", "mqtt://h\nX=1", "h:1883"])
def test_bad_broker_urls_are_refused(url):
    with pytest.raises(BrokerConfigError, match="broker must look like"):
        check_broker_url(url)


def test_good_broker_urls_pass():
    for url in ("mqtt://127.0.0.1:1883", "mqtt://hallhub.lan", "mqtt://[fd00::2]:1883",
                "mqtts://hallhub.lan:8883"):
        check_broker_url(url)


# -- the whole run ----------------------------------------------------------------------------
def test_run_writes_bundles_with_safe_modes(tmp_path, hall_config):
    assert run(tmp_path) == 0
    cred = tmp_path / "cred"
    assert stat.S_IMODE(cred.stat().st_mode) == 0o700
    expected = {"hub": "hub.env", "kiosk-1": "kiosk.env", "board-1": "callboard.env",
                "admin-1": "admin.env", "rater-12": "window-12.env"}
    for user, name in expected.items():
        path = cred / user / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert parse_env(path.read_text(), str(path))["HALL_MQTT_USERNAME"] == user
    assert parse_env((cred / "hub" / "hub.env").read_text(), "")["HALL_BROKER"] == \
        "mqtt://127.0.0.1:1883"
    passwd = dict(ln.split(":", 1) for ln in (tmp_path / "passwd").read_text().splitlines())
    assert set(passwd) == {"hub", *hall_config.nodes}
    for user in passwd:
        (env,) = (cred / user).glob("*.env")
        password = parse_env(env.read_text(), "")["HALL_MQTT_PASSWORD"]
        assert verify_password(password, passwd[user])
    for path in (tmp_path / "passwd", tmp_path / "acl"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        if os.geteuid() == 0:  # Mosquitto reads them after dropping to its own user
            assert path.stat().st_gid == grp.getgrnam("mosquitto").gr_gid


def test_second_run_keeps_passwords_and_rotate_changes_one(tmp_path, capsys):
    assert run(tmp_path) == 0
    first = snapshot(tmp_path / "cred")
    assert run(tmp_path) == 0
    assert snapshot(tmp_path / "cred") == first
    assert "0 new, 17 kept" in capsys.readouterr().out
    assert run(tmp_path, "--rotate", "rater-3") == 0
    second = snapshot(tmp_path / "cred")
    changed = [k for k in first if first[k] != second[k]]
    assert changed == ["rater-3/window-3.env"]


def test_stale_bundles_are_reported_and_not_accepted(tmp_path, capsys):
    assert run(tmp_path) == 0
    (tmp_path / "cred" / "rater-99").mkdir()
    assert run(tmp_path) == 0
    assert "no longer accepted by the broker: rater-99" in capsys.readouterr().out
    assert "rater-99:" not in (tmp_path / "passwd").read_text()


def test_bad_config_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace('role = "kiosk"', 'role = "kisok"'))
    assert run(tmp_path, config=bad) == 2
    assert "must be one of" in capsys.readouterr().err
    assert not (tmp_path / "cred").exists() and not (tmp_path / "passwd").exists()


def test_damaged_credentials_refused_before_anything_changes(tmp_path, capsys):
    assert run(tmp_path) == 0
    env = tmp_path / "cred" / "kiosk-1" / "kiosk.env"
    env.write_text(env.read_text().replace("HALL_MQTT_PASSWORD=", "HALL_MQTT_PASSWORD=a b"))
    (tmp_path / "cred" / "rater-3" / "window-3.env").unlink()  # would get a new password
    before = snapshot(tmp_path)
    assert run(tmp_path) == 2
    assert "kiosk.env: HALL_MQTT_PASSWORD is not a generated password" in capsys.readouterr().err
    assert snapshot(tmp_path) == before
    assert run(tmp_path, "--rotate", "kiosk-1") == 0  # the way out the message names


@pytest.mark.parametrize("args, message", [
    (["--rotate", "kiosk-9"], "no broker user kiosk-9"),
    (["--hub-broker", "mqtt://h/x"], "broker must look like"),
    (["--hub-user", "kiosk-1"], "node id 'kiosk-1' is the hub's own broker user"),
])
def test_bad_arguments_write_nothing(tmp_path, capsys, args, message):
    assert run(tmp_path, *args) == 2
    assert message in capsys.readouterr().err
    assert snapshot(tmp_path) == {}


def test_generate_refuses_an_unknown_group_when_root(tmp_path, hall_config):
    if os.geteuid() != 0:
        pytest.skip("the group is only applied when run as root")
    with pytest.raises(BrokerConfigError, match="group 'no-such-group' does not exist"):
        generate(hall_config, tmp_path / "c", tmp_path / "p", tmp_path / "a", URL,
                 group="no-such-group")
    assert list(tmp_path.iterdir()) == []


@given(st.text(max_size=120))
@settings(max_examples=200, deadline=None)
def test_any_text_is_a_hash_or_a_value_error(text):
    try:
        assert verify_password("x", text) in (True, False)
    except ValueError:
        pass


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_text_is_an_env_file_or_a_clear_error(text):
    try:
        values = parse_env(text, "x.env")
    except BrokerConfigError as exc:
        assert str(exc).startswith("x.env:")
    else:
        assert set(values) <= {"HALL_BROKER", "HALL_NODE", "HALL_WINDOW", "HALL_MQTT_USERNAME",
                               "HALL_MQTT_PASSWORD"}


# -- TLS ---------------------------------------------------------------------------------------
def tls_run(tmp_path, *extra):
    return run(tmp_path, "--broker", "mqtts://hallhub.lan:8883", "--tls-dir",
               str(tmp_path / "tls"), *extra)


def test_an_mqtts_broker_needs_a_tls_folder_and_writes_nothing_without(tmp_path, capsys):
    assert run(tmp_path, "--broker", "mqtts://hallhub.lan:8883") == 2
    assert "--tls-dir" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_mqtts_broker_gives_every_node_the_hall_ca(tmp_path):
    assert tls_run(tmp_path, "--tls-host", "10.0.0.2") == 0
    tls, cred = tmp_path / "tls", tmp_path / "cred"
    ca = (tls / "ca.crt").read_bytes()
    for env in cred.glob("*/*.env"):
        values = parse_env(env.read_text(), str(env))
        assert (env.parent / "ca.crt").read_bytes() == ca
        if env.parent.name == "hub":  # the hub stays on the plain listener of its own machine
            assert "HALL_MQTT_CA" not in values
        else:
            assert values["HALL_MQTT_CA"] == str(paths.CA_INSTALLED)
            assert values["HALL_BROKER"] == "mqtts://hallhub.lan:8883"
    cert = x509.load_pem_x509_certificate((tls / "broker.crt").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["hallhub.lan"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["10.0.0.2"]
    assert stat.S_IMODE((tls / "ca.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tls / "broker.key").stat().st_mode) == 0o640


def test_a_second_run_keeps_the_ca_and_a_new_name_remakes_only_the_broker_cert(tmp_path):
    assert tls_run(tmp_path) == 0
    tls = tmp_path / "tls"
    first = {p.name: p.read_bytes() for p in tls.iterdir()}
    assert tls_run(tmp_path) == 0
    assert {p.name: p.read_bytes() for p in tls.iterdir()} == first  # every node still trusts it
    assert tls_run(tmp_path, "--tls-host", "hallhub") == 0
    third = {p.name: p.read_bytes() for p in tls.iterdir()}
    assert third["ca.crt"] == first["ca.crt"] and third["ca.key"] == first["ca.key"]
    assert third["broker.crt"] != first["broker.crt"]


def test_a_damaged_ca_is_refused_and_nothing_is_written(tmp_path, capsys):
    assert tls_run(tmp_path) == 0
    (tmp_path / "tls" / "ca.key").write_text("not a key")
    before = snapshot(tmp_path / "cred")
    assert tls_run(tmp_path, "--rotate", "rater-3") == 2
    assert "hall CA is damaged" in capsys.readouterr().err
    assert snapshot(tmp_path / "cred") == before
