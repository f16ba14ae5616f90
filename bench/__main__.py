"""`make bench`: run every benchmark; figures go to bench/results/."""

from __future__ import annotations

import sys

from bench import finder


def main() -> int:
    finder.main(sys.argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
