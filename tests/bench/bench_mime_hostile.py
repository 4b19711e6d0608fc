"""How long parse_email takes on the hostile shapes of tests/mime/test_mime_fuzz.py (long
encoded-word runs, unbalanced quotes and comments, empty parameters, boundary floods, deep
nesting): each shape's CPU time (process_time, best of 3), and the same shape at a quarter
of its size, so a super-linear parser shows as a ratio well above 4.

Run with `make bench` (not collected by pytest). Figures are printed, never asserted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mime.test_mime_fuzz import HOSTILE_SHAPES, check


def best_cpu_ms(raw: bytes) -> float:
    times = []
    for _ in range(3):
        started = time.process_time()
        check(raw)
        times.append((time.process_time() - started) * 1000)
    return min(times)


def main() -> None:
    print(f"{'shape':>5} {'octets':>10} {'CPU ms':>9} {'quarter ms':>11} {'ratio':>6}")
    for index, raw in enumerate(HOSTILE_SHAPES):
        whole = best_cpu_ms(raw)
        quarter = best_cpu_ms(raw[: len(raw) // 4])
        ratio = whole / quarter if quarter else float("inf")
        print(f"{index:>5} {len(raw):>10,} {whole:>9.1f} {quarter:>11.1f} {ratio:>6.1f}")


if __name__ == "__main__":
    main()
