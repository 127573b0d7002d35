"""hall-bench county's steady phase: every site publishing at a hall's pace, and how long each
event takes until the county holds it without a gap (its lag).

The city's events go out round-robin over the sites at ``rate`` events/s in all (a site's
next event every ``sites / rate`` s); a poller reads each site's gapless mark (``site_epochs.
contig``, saved by the collector in the transaction that lands the event) every ``POLL_S`` and
takes an event as landed at the first poll that shows it: the lag is that moment minus its
publication, to within ``POLL_S``.
"""

from __future__ import annotations

import collections
import threading
import time

POLL_S = 0.1


def steady(sims: dict, db: str, rate: float, seconds: float) -> dict:
    """Publish for ``seconds`` at ``rate``; wait (up to 120 s) until every event is held."""
    import psycopg

    pending = {s: collections.deque() for s in sims}  # site -> (seq, published) in order
    lags: list[float] = []
    done = threading.Event()

    def poll() -> None:
        with psycopg.connect(db, autocommit=True) as conn:
            while not done.is_set():
                now = time.monotonic()
                for site, contig in conn.execute("SELECT site, contig FROM site_epochs"):
                    queue = pending.get(site)
                    while queue and queue[0][0] <= contig:
                        lags.append(now - queue.popleft()[1])
                time.sleep(POLL_S)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    names = list(sims)
    start, n = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        site = names[n % len(names)]
        seq = sims[site].next_event()
        pending[site].append((seq, time.monotonic()))
        n += 1
        pause = start + n / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)  # the pace of the city, not a synchronisation
    sent_s = time.monotonic() - start
    deadline = time.monotonic() + 120
    while any(pending.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    done.set()
    poller.join(5)
    lags.sort()

    def q(p: float) -> float | None:
        return round(lags[min(len(lags) - 1, int(p * len(lags)))], 2) if lags else None

    return {"rate_per_s": rate, "published": n, "publish_rate_per_s": round(n / sent_s, 1),
            "landed": len(lags), "lag_p50_s": q(0.5), "lag_p99_s": q(0.99),
            "lag_max_s": round(lags[-1], 2) if lags else None,
            "within_2s": round(sum(1 for x in lags if x <= 2.0) / len(lags), 4) if lags else None}
