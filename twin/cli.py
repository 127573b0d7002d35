"""``hall-twin --db PATH --day YYYY-MM-DD``: replay a recorded day (being built)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("hall-twin: not built yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
