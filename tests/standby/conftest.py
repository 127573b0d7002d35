"""The standby hall in network namespaces, started and in sync (tests/standby/netns_parts.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.standby.netns_parts import StandbyHall, can_run, wait_for


def _hall(own_disk: bool = False):
    if (why := can_run()) is not None:
        pytest.skip(why)
    # a folder Mosquitto can reach after dropping to its user (pytest's tmp_path is 0700)
    workdir = Path(tempfile.mkdtemp(prefix="hallstack-sb-"))
    os.chmod(workdir, 0o755)
    h = StandbyHall(workdir)
    try:
        if own_disk:
            h.own_disk("hub-a")
        h.start_etcd()
        h.start_machine("hub-a")
        wait_for(lambda: h.serving() == "hub-a", 20, "hub-a to take the lease")
        h.start_machine("hub-b")
        wait_for(h.copy_in_sync, 20, "hub-b's copy to be in sync")
        # the serving hub keeps etcd's raft leader on the witness (docs/standby.md)
        wait_for(h.etcd_leader_is_witness, 20, "the witness to lead etcd")
        yield h
    finally:
        h.close()
        if not os.environ.get("KEEP_SB"):
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def standby_hall():
    """hub-a serving, hub-b's copy in sync, the witness leading etcd."""
    yield from _hall()


@pytest.fixture
def standby_hall_own_disk():
    """The same, with hub-a's database on its own ext4 disk (StandbyHall.own_disk)."""
    yield from _hall(own_disk=True)
