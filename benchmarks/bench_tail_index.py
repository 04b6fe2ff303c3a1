"""Time theorems.heavy_tail.tail_index (medians over repeats, cold = fresh quadrature nodes).

Run: python benchmarks/bench_tail_index.py
"""

from __future__ import annotations

import statistics
import time

import theorems.heavy_tail as H


def bench(b: int, d: int, f: float, repeats: int = 7) -> tuple[float, float, float]:
    cold, warm = [], []
    alpha = float("nan")
    for r in range(repeats):
        eta = f * H.critical_step_size(b, d) * (1 + 1e-9 * r)  # new eta: nodes rebuilt (cold)
        H.formulas._nodes.cache_clear()
        t0 = time.perf_counter()
        alpha = H.tail_index(eta, b, d)
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        H.tail_index(eta, b, d)
        warm.append(time.perf_counter() - t0)
    return alpha, statistics.median(cold), statistics.median(warm)


def main() -> None:
    print(f"{'b':>3} {'d':>3} {'eta/eta_crit':>12} {'alpha':>10} {'cold ms':>9} {'warm ms':>9}")
    for b, d, f in [
        (1, 1, 0.5),
        (1, 1, 1.3),
        (4, 1, 1.1),
        (1, 2, 1.2),
        (3, 5, 0.8),
        (4, 10, 0.95),
        (16, 64, 0.9),
    ]:
        alpha, cold, warm = bench(b, d, f)
        print(f"{b:3d} {d:3d} {f:12.2f} {alpha:10.6f} {cold * 1e3:9.2f} {warm * 1e3:9.2f}")


if __name__ == "__main__":
    main()
