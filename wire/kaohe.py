"""``[kaohe]``: the weights and scoring rules of the month's 考核 (docs/kaohe.md).

Each item is a sub-table ``[kaohe.<item>]`` with a ``weight`` and the numbers of its rule; an
item left out keeps its default (stated once, here, and in docs/kaohe.md). Every item scores
0–100; the total is the weighted mean.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from wire.schema import key, read
from wire.section import Section


@dataclass(frozen=True)
class KaoheItem:
    """One item: its ``weight`` and ``points`` (the rule's step: points taken per 差评, per 10 %
    over the norm, or per percent of the calls; ``late_points`` per 差评 followed up late)."""

    weight: float = key(min=0, max=1000, default_is="the item's (above)")
    points: float = key(0.0, min=0, max=100, default_is="the item's (above)")
    late_points: float = key(0.0, min=0, max=100, default_is="the item's (above)")


#: item -> (weight, points, late_points); the rules themselves are in report/kaohe.py
DEFAULTS: dict[str, KaoheItem] = {
    "volume": KaoheItem(30),                 # 办件量: 100 × own / the best peer's
    "satisfaction": KaoheItem(25),           # 满意率: 100 × satisfied / rated
    "bad_rating": KaoheItem(15, 10, 10),     # 差评: −10 each, −10 more if followed up late
    "handling": KaoheItem(10, 10),           # 办理时长: −10 per 10 % over the service's norm
    "on_post": KaoheItem(10),                # 在岗: 100 × (on post − paused) / on post
    "over_limit": KaoheItem(5, 2),           # 超时等候: −2 per percent of its calls over the limit
    "no_show": KaoheItem(5, 2),              # 过号: −2 per percent of its calls skipped
}


@dataclass(frozen=True)
class KaoheRules:
    """The 考核's items in report order."""

    items: dict[str, KaoheItem] = field(default_factory=lambda: dict(DEFAULTS), hash=False)


def read_kaohe(s: Section) -> KaoheRules:
    """``[kaohe]`` as rules; an unknown item or key fails with the closest known name."""
    items = {}
    for name, d in DEFAULTS.items():
        items[name] = read(KaoheItem, s.table(name), defaults=asdict(d))
    s.check_unused()
    if not any(i.weight for i in items.values()):
        s.fail("the items' weights must not all be 0")
    return KaoheRules(items)
