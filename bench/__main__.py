"""`make bench`: run every benchmark (or the ones named: `python -m bench search`); figures go to bench/results/."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import consultations, durability, equeue, finder, load, pages, programme, redaction, search, server, stack

BENCHMARKS: dict[str, Callable[[list[str]], None]] = {
    "finder": finder.main,
    "search": search.main,
    "consultations": consultations.main,
    "equeue": equeue.main,
    "load": load.main,
    "redaction": redaction.main,
    "durability": durability.main,
    "pages": pages.main,
    "programme": programme.main,
    "server": server.main,
    "stack": stack.main,
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"Unknown benchmark: {', '.join(unknown)}. Choose from: {', '.join(BENCHMARKS)}.", file=sys.stderr)
        return 2
    for name in names:
        BENCHMARKS[name]([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
