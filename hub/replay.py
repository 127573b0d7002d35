"""``events.replay``: the county asks a site's hub for a range of its event log (docs/county.md).

The bridge to the county is transport, not truth: Mosquitto drops a bridge's queue beyond
``max_queued_messages`` and on a restart. The hub's log is the truth, so the county collector
asks for what it misses and the hub answers with the events themselves (bounded per request).

A read of the log: nothing is stored and nothing is kept in memory (a retry reads again; the
replies are large). Only the public part of each event leaves the hall, as on ``event/{kind}``:
private keys (``_id_hash``, ``_carry`` …) stay in ``hall.db``.

The reply says the hub's ``epoch`` and ``last_seq``, so the county also learns of events whose
live copies were lost at the end of the stream, and ``restored_from`` when this database was
restored from the county (hub.restore): its events up to that seq are the county's own copy of
the old epoch and are never sent again.
"""

from __future__ import annotations

import json

from hub.engine.args import Args
from hub.store import Store
from wire.contract import BadRequest, HubError, encode, error_reply, ok_reply
from wire.vocab import MAX_SEQ, REPLAY_MAX, public

# bytes of events per reply: each event fits MAX_PAYLOAD (16 KiB), and the whole answer must
# pass the brokers' max_packet_size (256 KiB in systemd/mosquitto/hallstack.conf); a range that
# holds more is answered in part and the county asks on from where the answer ends
REPLY_BYTES = 192 * 1024


def restored_from(store: Store) -> dict | None:
    """``{"epoch", "seq"}`` when this database was restored from the county, else None."""
    raw = store.meta("restored_from")
    return json.loads(raw) if raw else None


def answer(msg: dict, store: Store) -> dict:
    """The reply to one ``events.replay`` request (the desk authorized it: hub.ops)."""
    req_id = msg.get("id")
    try:
        extra = set(msg) - {"id", "op", "args", "ttl_ms"}
        if extra:
            raise BadRequest(f"unknown request fields: {', '.join(sorted(extra))[:200]}")
        return ok_reply(req_id, read(store, msg.get("args", {})))
    except HubError as exc:
        return error_reply(req_id, exc)


def read(store: Store, args: object) -> dict:
    """Events ``from_seq``..``to_seq`` (at most REPLAY_MAX) of the epoch ``epoch``; none when the
    hub's epoch is another one (that database is gone: the county learns the new epoch)."""
    if not isinstance(args, dict):
        raise BadRequest("args must be a JSON object")
    a = Args(args)
    epoch = a.str("epoch", required=False, max_len=16)
    first = a.int("from_seq", min=1, max=MAX_SEQ)
    last = a.int("to_seq", min=0, max=MAX_SEQ)
    a.done()
    base = restored_from(store)
    result = {"epoch": store.epoch, "last_seq": store.last_seq(), "restored_from": base,
              "events": []}
    if epoch is not None and epoch != store.epoch:
        return result
    first = max(first, base["seq"] + 1 if base else 1)
    last = min(last, first + REPLAY_MAX - 1)
    rows = store.conn.execute("SELECT seq, at, kind, data FROM events WHERE seq BETWEEN ? AND ? "
                              "ORDER BY seq", (first, last))
    used = 0
    for seq, at, kind, data in rows:
        item = {"seq": seq, "at": at, "kind": kind,
                "data": public(json.loads(data))}
        used += len(encode(item))
        if used > REPLY_BYTES and result["events"]:
            break
        result["events"].append(item)
    return result
