"""A ticket's page token reaches only the citizen: it goes out in the ``ticket.take`` reply to
the kiosk that prints it, and nowhere else (docs/node-api.md, "Who may learn what")."""

from __future__ import annotations

from .ops_parts import EVERYTHING, ROLE_NODES, heard
from .outside import HALL, wait_for


def test_ticket_status_by_number_does_not_give_the_token_away(hall):
    kiosk = hall.node("kiosk-1")
    token = kiosk.request("ticket.take", {"service": "A"})["result"]["ticket"]["token"]
    for role in ("kiosk", "callboard", "admin"):
        reply = hall.node(ROLE_NODES[role]).request("ticket.status", {"no": "A001"})
        assert reply["ok"], reply
        assert token not in str(reply), f"{role} learnt A001's token from ticket.status"
        assert "token" not in reply["result"]["ticket"]


def test_no_role_hears_a_token_but_the_kiosk_that_printed_it(hall):
    nodes = {role: hall.node(user, *EVERYTHING) for role, user in ROLE_NODES.items()}
    kiosk, board, admin, rater, web = (nodes[r] for r in ROLE_NODES)
    take = kiosk.request("ticket.take", {"service": "A"})
    token = take["result"]["ticket"]["token"]
    assert hall.node("web").request("ticket.lookup", {"token": token})["result"]["ticket"][
        "no"] == "A001"  # hall-web still reaches the ticket by the token the citizen brings
    by_admin = admin.request("ticket.take", {"service": "A"})["result"]["ticket"]
    assert "token" not in by_admin  # the admin desk prints no ticket page
    for node in nodes.values():  # every role asks what it may (the others are refused)
        node.request("ticket.status", {"no": "A001"})
        node.request("ticket.lookup", {"token": token})
        node.request("followup.list", {})
    assert rater.request("window.login", {"window": 1, "staff": "1001"})["ok"]
    assert rater.request("window.call_next", {"window": 1})["ok"]
    assert rater.request("window.finish", {"window": 1})["ok"]
    assert rater.request("rating.submit", {"window": 1, "score": 5})["ok"]
    web.request("ticket.lookup", {"token": token})
    board.request("ticket.requeue", {"no": "A001"})
    # the last word: an event every node hears after everything above
    assert web.request("manage.notice", {"text": "marker", "by": "值班主任"})["ok"]
    for node in nodes.values():
        wait_for(lambda n=node: n.events_of("notice"), what=f"{node.user} to hear the notice")
    mine = f'"id": "{take["id"]}"'
    for role, node in nodes.items():
        leaks = [(topic, text) for topic, text in heard(node)
                 if (token in text or '"token":' in text)
                 and not (role == "kiosk" and topic == f"hall/{HALL}/resp/kiosk-1"
                          and mine in text)]
        assert leaks == [], f"{role} heard a token: {leaks[:3]}"
