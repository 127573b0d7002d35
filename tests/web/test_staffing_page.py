"""The console's 排班建议 page shows the plan hall-twin staffing wrote beside the database, as
printable tables, to a logged-in user only; without a plan (or with a broken file) it says so."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest
from starlette.applications import Starlette

from report import staffing as plan_file
from tests.helpers import eventually
from web import staffing

COOKIE = "hall_session=ok"
PLAN = {"week_of": "2026-11-30", "weeks": 4, "limit_s": 1800, "windows_in_hall": 12,
        "hours": [9, 10], "made": "2026-11-27T18:00:00+08:00",
        "days": [{"date": "2026-11-30", "weekday": 0, "basis": ["2026-11-23"],
                  "design_day": "2026-11-23", "same_weekday": True, "tickets": 420,
                  "total": [3, 12],
                  "services": {"F": {"name": "公安户籍", "windows": [2, 12], "short": True,
                                     "p90_min": [12.5, None]},
                               "H": {"name": "缴费", "windows": [1, 0], "short": False,
                                     "p90_min": [3.0, None]}}}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(tmp_path, hall_config):
    import uvicorn

    user = SimpleNamespace(user="值班主任", csrf="c" * 16, role="manager")
    console = SimpleNamespace(
        cfg=hall_config, db_path=str(tmp_path / "hall.db"),
        session=lambda request: user if request.cookies.get("hall_session") == "ok" else None)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=staffing.routes(console)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert eventually(lambda: server.started, timeout=10)
    yield f"http://127.0.0.1:{port}/manage/staffing", tmp_path
    server.should_exit = True
    thread.join(10)


def get(url: str, cookie: str | None = None) -> tuple[int, str]:
    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(Stay()).open(req) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_the_plan_is_shown_to_a_logged_in_user_only(site):
    url, folder = site
    plan_file.write(folder / plan_file.FILE_NAME, PLAN)
    assert get(url)[0] == 303
    status, page = get(url, COOKIE)
    assert status == 200
    assert "排班建议（2026-11-30 起一周）" in page and "2026-11-30 周一" in page
    assert "<th scope=\"col\">09时</th>" in page and "公安户籍" in page
    assert "<td>12+</td>" in page   # every window of the hall and still over the limit
    assert "合计" in page and 'id="print"' in page and "staffing.css" in page


def test_without_a_plan_the_page_says_how_to_make_one(site):
    url, folder = site
    status, page = get(url, COOKIE)
    assert status == 200 and "hall-twin staffing" in page
    (folder / plan_file.FILE_NAME).write_text("{not json", encoding="utf-8")
    status, page = get(url, COOKIE)
    assert status == 200 and "排班建议文件无法读取" in page
