"""hall-web through a real day (issue 24): pages and the console follow 日结 and a new epoch.

The hub is driven by raw paho nodes written from the docs, the console by its HTTP forms, the
ticket page is read from what Debian's Chromium renders (screenshots under tmp_path)."""

from __future__ import annotations

from .outside import HALL, MONDAY_10
from .web_parts import ManagerHttp, WebProc, phone_page, shot

TUESDAY_10 = "2026-11-24T10:00:00+08:00"



def take(hall, service: str = "A") -> dict:
    reply = hall.node("kiosk-1").request("ticket.take", {"service": service})
    assert reply["ok"] is True, reply
    return reply["result"]["ticket"]


def see(page, selector: str, text: str, timeout_s: float = 15) -> None:
    from playwright.sync_api import expect
    try:
        expect(page.locator(selector)).to_contain_text(text, timeout=timeout_s * 1000)
    except AssertionError as exc:  # the workdir goes with the test: say what hall-web logged
        logs = "".join(f"\n--- {w.log_path}\n{w.log_tail()}" for w in WebProc.started)
        raise AssertionError(f"{exc}{logs}") from None


def first_ticket_on_a_phone(make_hall, browser):
    """A hall with its hub and hall-web, A001 taken and its page open on a phone (nobody
    ahead): (hall, hub process, hall-web, the take's ticket, the page)."""
    hall = make_hall()
    hub = hall.start_hub()
    web = WebProc(hall)
    mine = take(hall)
    page = phone_page(browser)
    page.goto(f"{web.url}/t/{mine['token']}")
    see(page, "#ahead", "前面没有人等候")
    return hall, hub, web, mine, page


def test_a_day_closed_by_the_manager_shows_on_the_open_page_and_on_reload(make_hall, browser,
                                                                          tmp_path):
    hall = make_hall()
    hall.start_hub()
    web = WebProc(hall)
    take(hall)
    mine = take(hall)
    page = phone_page(browser)
    page.goto(f"{web.url}/t/{mine['token']}")
    see(page, "#ahead", "前面还有 1 人")
    status, answer = ManagerHttp(web).action("close_day")
    assert status == 200 and answer["ok"], answer
    see(page, "#status", "今日已结束办理")  # the open page, without a reload
    see(page, "#ahead", "当日未叫到")
    see(page, "#est", "次日重新取号")
    shot(page, tmp_path, "day-closed-open-page")
    page.reload()
    see(page, "#status", "今日已结束办理")
    see(page, "#est", "预约")
    shot(page, tmp_path, "day-closed-reload")
    page.context.close()
    web.stop()


def test_yesterdays_ticket_closed_by_the_hub_says_which_day_ended(make_hall, browser, tmp_path):
    hall, hub, web, mine, page = first_ticket_on_a_phone(make_hall, browser)
    watcher = hall.node("admin-1", f"hall/{HALL}/event/day_closed")
    hub.terminate()
    hub.wait(10)
    hall.start_hub(None, clock=TUESDAY_10, log_name="hub-tuesday")  # its close-out of Monday
    assert wait_closed(watcher), "the hub did not close Monday"
    see(page, "#status", "已结束办理")  # the open page
    web.stop()
    web.clock = TUESDAY_10
    web.start()
    page.reload()  # the next morning's scan of Monday's QR
    see(page, "#status", "2026-11-23 已结束办理")
    see(page, "#est", "次日重新取号")
    shot(page, tmp_path, "yesterday-closed")
    page.context.close()
    web.stop()


def wait_closed(watcher) -> bool:
    from .outside import wait_for
    return bool(wait_for(lambda: watcher.events_of("day_closed"), 20, "day_closed"))


def test_a_new_epoch_voids_open_pages_and_the_consoles_longest_wait(make_hall, browser,
                                                                    tmp_path):
    hall, hub, web, mine, page = first_ticket_on_a_phone(make_hall, browser)
    manager = ManagerHttp(web)
    longest = {s["service"]: s["longest_s"] for s in manager.state()["services"]}
    assert longest["A"] is not None
    hub.terminate()
    hub.wait(10)
    for suffix in ("", "-wal", "-shm"):  # the SD card is lost: a fresh database, a new epoch
        lost = hall.workdir / f"hall.db{suffix}"
        if lost.exists():
            lost.rename(hall.workdir / f"lost.db{suffix}")
    # serving the hall from a new database is the operator's act (docs/one-hub.md)
    (hall.workdir / "hall.db.take-over").touch()
    hall.start_hub(log_name="hub-fresh", clock=MONDAY_10)
    take(hall, "B")  # the new database's first event reaches hall-web
    see(page, "#status", "此号已失效")
    see(page, "#est", "重新取号")
    shot(page, tmp_path, "new-epoch")

    from .outside import wait_for

    def forgotten():
        services = {s["service"]: s for s in manager.state()["services"]}
        return services["A"]["longest_s"] is None and services["B"]["longest_s"] is not None
    wait_for(forgotten, 15, "the console to drop the lost database's waiting tickets")
    page.context.close()
    web.stop()
