"""Speed of ``theorems.diagonal_networks.implicit_solution`` (argmin of the hyperbolic entropy).

Run: ``python benchmarks/bench_implicit_solution.py``. Reference size n=40, d=100 (s=5), the size of the
paper's experiments. Compares with a generic constrained solver (scipy SLSQP on the primal) where that
is feasible, and reports Newton iterations, continuation stages and the feasibility certificate.
Not run by pytest.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.optimize

from theorems import diagonal_networks as dn


def best_of(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def slsqp(X, y, alpha):
    res = scipy.optimize.minimize(
        lambda b: dn.potential(b, alpha), np.linalg.lstsq(X, y, rcond=None)[0],
        jac=lambda b: dn.potential_grad(b, alpha), method="SLSQP",
        constraints=[{"type": "eq", "fun": lambda b: X @ b - y, "jac": lambda b: X}],
        options={"ftol": 1e-14, "maxiter": 2000})
    return res.x


def main() -> None:
    inst = dn.sparse_regression(40, 100, 5, 0)
    X, y = inst.X, inst.y
    dn.implicit_solution(X, y, 1.0)  # warm-up (imports, BLAS)
    print(f"{'alpha':>10} {'ms (best of 7)':>15} {'iters':>6} {'stages':>7} {'||Xb-y||':>10}"
          f" {'SLSQP ms':>9} {'|b - b_slsqp|':>13}")
    for a in (10.0, 1.0, 0.5, 0.1, 1e-2, 1e-4, 1e-8, 1e-16, 1e-64, 0.0):
        out = dn.implicit_solution(X, y, a, full_output=True)
        t = best_of(lambda a=a: dn.implicit_solution(X, y, a))
        cmp = ""
        if a >= 0.1:
            t0 = time.perf_counter()
            ref = slsqp(X, y, a)
            ts = time.perf_counter() - t0
            cmp = f"{ts * 1e3:9.1f} {np.linalg.norm(ref - out.beta):13.2e}"
        print(f"{a:10.0e} {t * 1e3:15.2f} {out.iterations:6d} {out.stages:7d} {out.residual:10.1e} {cmp}")
    alpha = dn.alpha_vector(100, 0.3, 0.3, 1)
    t = best_of(lambda: dn.implicit_solution(X, y, alpha))
    print(f"vector alpha (a=0.3, spread 0.3): {t * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
