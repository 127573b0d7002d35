"""The black-box hall itself: a kiosk written from the docs takes a ticket from the real hub."""

from .outside import HALL


def test_a_raw_kiosk_takes_a_ticket_and_the_file_holds_it(hall):
    kiosk = hall.node("kiosk-1", f"hall/{HALL}/event/issued")
    reply = kiosk.request("ticket.take", {"service": "A"})
    assert reply["ok"] is True, reply
    assert reply["result"]["ticket"]["no"] == "A001"
    rows = hall.db_rows("SELECT no FROM tickets")
    assert [r["no"] for r in rows] == ["A001"]
