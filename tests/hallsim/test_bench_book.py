"""hallsim.bench_book runs end to end: bookers through hall-web's /book form all booked, each
answer timed (the figure itself is docs/booking.md's; no speed is asserted here)."""

from hallsim import bench_book


def test_the_booking_bench_books_every_booker(tmp_path):
    out = bench_book.run(bookers=6, rounds=2, work=tmp_path)
    assert [(r["booked"], r["refused"], r["n"]) for r in out["rounds"]] == [(6, 0, 6)] * 2
    assert all(r["p99_ms"] > 0 for r in out["rounds"])

