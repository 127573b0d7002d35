"""The hub process keeps to its memory budget: it never loads numpy or pandas (sqlite-utils
would import them when installed, 15 MB for values the hub never stores)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from hub.cli import without_dataframe_libraries
without_dataframe_libraries()
from hub.store import Store
store = Store(sys.argv[1])
with store.transaction():
    seq = store.append_event("2026-11-23T10:00:00+08:00", "issued", "kiosk-1", "r1",
                             {"ticket_id": "t1", "no": "A001"})
    store.upsert("tickets", {"ticket_id": "t1", "no": "A001", "window": None})
print(seq, store.conn.execute("SELECT no FROM tickets").fetchone()[0],
      sys.modules.get("numpy"), sys.modules.get("pandas"))
"""


def test_the_hub_stores_without_numpy_or_pandas_loaded(tmp_path):
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "hall.db")],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["1", "A001", "None", "None"]
