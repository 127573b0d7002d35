"""22.9: one call sentence. A hall that edits ``[queue] call_template`` hears and sees its own
sentence: the real hub calls a ticket, the real ``hall-callboard`` says it (its WAV read back into
the hall's clips) and flashes it on the window's LED screen (its serial bytes)."""

from .board_parts import Board, board_devices, clip_names, write_clips
from .outside import HALL

EDITED = "{no}号请到{window_name}"  # the ticket first, the window by its name
WORDS = ["请", "号", "到", "窗口", "办理", "号到", "号请到"]


def test_an_edited_call_template_is_said_and_shown(make_hall, bb_workdir):
    folder = bb_workdir / "board"

    def edit(text):
        old = 'call_template = "请{no}号到{window_name}办理"'
        assert text.count(old) == 1
        return board_devices(text.replace(old, f'call_template = "{EDITED}"'), folder)
    hall = make_hall(edit)
    by_half = write_clips(folder / "clips", clip_names(hall.config, WORDS))
    hall.start_hub()
    board = Board(hall, folder)
    try:
        kiosk = hall.node("kiosk-1")
        assert kiosk.request("ticket.take", {"service": "A"})["ok"]
        window = hall.node("rater-1", f"hall/{HALL}/event/called")
        assert window.request("window.login", {"window": 1, "staff": "1001"})["ok"]
        reply = window.request("window.call_next", {"window": 1})
        assert reply["ok"] and reply["result"]["ticket"]["no"] == "A001", reply
        board.wait_said("A001", by_half)
        (clips,) = board.said(by_half)
        assert clips == ["chime", "letter-A", "digit-0", "digit-0", "digit-1", "word-号请到",
                         "name-1"]
        (event,) = window.events_of("called")
        assert event["text"] == "A001号请到1号窗口"
        flashed = [text for mode, text in board.led(1) if mode == "flash"]
        assert flashed == [event["text"]]
    finally:
        board.stop()
