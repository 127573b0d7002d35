"""Pages take their news from events (issue 24.1, hall-web's side): once a page is open,
queue moves reach it with no ``ticket.lookup`` to the hub, and its 前面还有 N 人 is what the
hub itself answers for that ticket.

A raw kiosk and rater drive the real hub; the pages are raw SSE readers; the web node's
requests are counted on the wire by a client with the hub's broker user."""

from __future__ import annotations

from .outside import wait_for
from .web_parts import RequestSpy, SseReader, WebProc


def test_queue_moves_reach_open_pages_without_asking_the_hub(make_hall):
    hall = make_hall()
    hall.start_hub()
    web = WebProc(hall)
    kiosk, rater = hall.node("kiosk-1"), hall.node("rater-1")
    tickets = [kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]
               for _ in range(8)]
    spy = RequestSpy(hall, "web")
    pages = [SseReader(web, f"/t/{t['token']}/events") for t in tickets[3:]]
    wait_for(lambda: all(p.last for p in pages), 15, "every page's first view")
    assert [p.last["waiting_ahead"] for p in pages] == [3, 4, 5, 6, 7]
    opened = spy.count("ticket.lookup")
    assert rater.request("window.login", {"window": 1, "staff": "1001"})["ok"]
    for _ in range(4):
        assert rater.request("window.call_next", {"window": 1})["ok"]
        if _ < 3:
            assert rater.request("window.finish", {"window": 1})["ok"]

    def truth():
        return [kiosk.request("ticket.status", {"no": t["no"]})["result"]["ticket"]
                for t in tickets[3:]]
    expected = [v.get("waiting_ahead") for v in truth()]
    assert expected == [None, 0, 1, 2, 3]  # A004 is called now
    wait_for(lambda: [p.last.get("waiting_ahead") for p in pages] == expected, 15,
             f"the pages to show {expected}")
    assert pages[0].last["status"] == "called" and pages[0].last["window"] == 1
    for page, hub_view in zip(pages[1:], truth()[1:], strict=True):
        # the estimate scaled from the retained queue state: the hub's within its rounding
        assert abs(page.last["est_wait_s"] - hub_view["est_wait_s"]) <= 60, (page.last, hub_view)
    assert spy.count("ticket.lookup") == opened  # nothing asked after the pages opened
    for p in pages:
        p.close()
    spy.close()
    web.stop()


def test_green_channel_skips_requeues_and_transfers_keep_every_page_right(make_hall):
    hall = make_hall()
    hall.start_hub()
    web = WebProc(hall)
    kiosk, rater = hall.node("kiosk-1"), hall.node("rater-1")
    take = lambda **kw: kiosk.request("ticket.take", {"service": "A", **kw})["result"]["ticket"]  # noqa: E731
    tickets = [take() for _ in range(6)]
    spy = RequestSpy(hall, "web")
    pages = [SseReader(web, f"/t/{t['token']}/events") for t in tickets]
    wait_for(lambda: all(p.last for p in pages), 15, "every page's first view")
    opened = spy.count("ticket.lookup")
    assert rater.request("window.login", {"window": 1, "staff": "1001"})["ok"]
    assert rater.request("window.call_next", {"window": 1})["ok"]      # A001 called
    assert rater.request("window.skip", {"window": 1})["ok"]           # ... and not there
    tickets.append(take(priority="elderly"))                           # a green ticket
    assert rater.request("window.call_next", {"window": 1})["ok"]      # the green one first
    assert rater.request("window.transfer", {"window": 1, "service": "B"})["ok"]
    assert kiosk.request("ticket.requeue", {"no": tickets[0]["no"]})["ok"]  # A001 again, last
    assert rater.request("window.call_next", {"window": 1})["ok"]      # A002

    def truth():
        return [kiosk.request("ticket.status", {"no": t["no"]})["result"]["ticket"]
                for t in tickets[:6]]
    expected = [(v["status"], v.get("waiting_ahead")) for v in truth()]
    assert expected[0] == ("waiting", 4) and expected[1][0] == "called", expected

    def shown():
        return [(p.last["status"], p.last.get("waiting_ahead")) for p in pages]
    wait_for(lambda: shown() == expected, 15, f"the pages to show {expected}")
    assert spy.count("ticket.lookup") == opened
    for p in pages:
        p.close()
    spy.close()
    web.stop()
