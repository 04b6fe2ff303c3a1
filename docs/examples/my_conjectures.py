"""Two conjectures about least squares, written the way a user writes their own (one file).

Run:  theorems falsify docs/examples/my_conjectures.py
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import linprog

from sim import LeastSquares, Recorder, gd
from theorems import Check, Citation, Context, claim

NOTES = Citation(authors="A. Researcher", year=2026, title="Notebook conjectures", where="p. 3")

# Underdetermined Gaussian least-squares problems: n samples, d = n + extra features.
instances = st.fixed_dictionaries(
    {
        "n": st.integers(2, 6),
        "extra": st.integers(1, 6),
        "seed": st.integers(0, 2**32 - 1),
    }
)


def make_problem(inst: dict) -> LeastSquares:
    rng = np.random.default_rng(inst["seed"])
    n, d = inst["n"], inst["n"] + inst["extra"]
    return LeastSquares(rng.standard_normal((n, d)), rng.standard_normal(n))


def min_l1_norm(X: np.ndarray, y: np.ndarray) -> float:
    """min ||b||_1 s.t. X b = y, as a linear program over b = p - q with p, q >= 0."""
    d = X.shape[1]
    res = linprog(np.ones(2 * d), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs")
    return float(res.fun)


@claim(
    id="mine.gd_finds_min_l1",
    paper=NOTES,
    status="conjecture",
    kind="equality",
    statement="GD from zero on underdetermined least squares converges to the minimum-l1 interpolant.",
    strategy=instances,
    tolerance="1e-6 relative: GD is run to a loss below 1e-20 and the LP is solved by HiGHS.",
)
def gd_finds_min_l1(inst: dict, ctx: Context) -> Check:
    """Run GD from zero to interpolation and compare its l1 norm with the LP optimum."""
    prob = make_problem(inst)
    lr = 1.0 / np.linalg.eigvalsh(prob.X.T @ prob.X / prob.n_samples).max()
    res = gd(prob, np.zeros(prob.n_params), lr, 20_000, recorder=Recorder(every=20_000))
    if res.final_loss[0] > 1e-20:
        return Check.inconclusive("GD did not interpolate within 20000 steps")
    l1_gd = float(np.abs(res.theta[0]).sum())
    l1_min = min_l1_norm(prob.X, prob.y)
    return Check.close(l1_gd, l1_min, rtol=1e-6)


@claim(
    id="mine.min_norm_beats_l1_in_l2",
    paper=NOTES,
    status="conjecture",
    kind="comparison",
    statement="The minimum-l2 interpolant never has a larger l2 norm than any other interpolant "
    "(here: the LP's minimum-l1 interpolant).",
    strategy=instances,
    tolerance="1e-9 absolute on the norms.",
)
def min_norm_beats_l1_in_l2(inst: dict, ctx: Context) -> Check:
    """Compare ||X^+ y||_2 with the l2 norm of the min-l1 interpolant."""
    prob = make_problem(inst)
    d = prob.n_params
    res = linprog(
        np.ones(2 * d),
        A_eq=np.hstack([prob.X, -prob.X]),
        b_eq=prob.y,
        bounds=(0, None),
        method="highs",
    )
    b_l1 = res.x[:d] - res.x[d:]
    return Check.upper(np.linalg.norm(prob.min_norm_solution()), np.linalg.norm(b_l1), tol=1e-9)
