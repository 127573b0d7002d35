"""22.7: a call board follows the hub's epochs. After a fresh database the hub numbers events from
1 again; every call of the new epoch is announced and shown, even where its seq was heard before.

The test plays the hub itself (a raw paho client as broker user ``hub``), so the seqs are its to
choose; the real ``hall-callboard`` is judged by its simulated speaker's WAV files (read back
into the hall's clips) and its LED screens' serial bytes.
"""

from .board_parts import Board, board_devices, called, clip_names, write_clips
from .outside import HALL

WORDS = ["请", "号", "到", "窗口", "办理", "号到"]


def test_a_new_epoch_with_overlapping_seqs_is_announced_and_shown(make_hall, bb_workdir):
    folder = bb_workdir / "board"
    hall = make_hall(lambda text: board_devices(text, folder))
    by_half = write_clips(folder / "clips", clip_names(hall.config, WORDS))
    board = Board(hall, folder)
    try:
        hub, topic = hall.node("hub"), f"hall/{HALL}/event/called"

        def call(epoch, seq, no, window):
            hub.client.publish(topic, called(epoch, seq, no, window,
                                              f"请{no}号到{window}号窗口办理"), 1)
        first = [(1, "A001", 1), (2, "A002", 2), (3, "A003", 3)]
        for seq, no, window in first:
            call("e1", seq, no, window)
        board.wait_said("A003", by_half)
        # the hub's database is replaced: a new epoch, numbered from 1 again ...
        second = [(1, "C001", 4), (2, "C002", 5), (3, "C003", 6)]
        for seq, no, window in second:
            call("e2", seq, no, window)
        call("e2", 2, "C002", 5)  # ... a redelivery of its seq 2: said and shown once
        call("e2", 4, "C004", 7)  # a seq neither epoch used: the end of the test
        said = board.wait_said("C004", by_half)
        assert said == ["A001", "A002", "A003", "C001", "C002", "C003", "C004"]
        for _, no, window in first + second + [(4, "C004", 7)]:
            flashed = [text for mode, text in board.led(window) if mode == "flash"]
            assert len(flashed) == 1 and no in flashed[0], (window, board.led(window))
    finally:
        board.stop()
