"""Two conjectures about Adam and mirror descent, in one file, using only ``sim``'s public API.

Run:  theorems falsify docs/examples/adam_conjecture.py

1. "Adam (epsilon > 0, any momentum beta1 in [0, 0.95]) on separable data ends in the l2 max-margin
   direction, like GD." The late increment u = w(T) - w(T/10) is compared with the SVM direction,
   which we compute ourselves: with a single support vector z_s it is z_s/||z_s||^2.
2. "Exponentiated gradient (mirror descent with the entropy potential) from the uniform start finds the
   minimum-l1 nonnegative interpolant." (Plausible: EG is 'the l1 geometry'. It is false: EG reaches the
   KL projection of the start, Gunasekar et al. 2018.)
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import linprog

import sim
from sim.optimizers import EntropyPotential, adam, mirror_descent
from theorems import Check, Citation, Context, claim

NOTES = Citation(authors="A. Researcher", year=2026, title="Notebook conjectures on optimizers", where="p. 7")


# ------------------------------------------------------------------ 1. Adam and the max margin
def separable_data(inst: dict) -> np.ndarray:
    """Label-absorbed data: one support vector z_s = (1, a) and far points with margins >= 2 under
    z_s/||z_s||^2 (so z_s is the only support vector of the SVM)."""
    rng = np.random.default_rng(inst["seed"])
    zs = np.array([1.0, inst["a"]])
    w2 = zs / (zs @ zs)
    far = []
    while len(far) < 4:
        z = rng.uniform([2.0, 0.5], [25.0, 5.0])
        if z @ w2 >= 2.0:
            far.append(z)
    return np.vstack([zs, far])


def angle(a: np.ndarray, b: np.ndarray) -> float:
    r = a - (a @ b) / (b @ b) * b
    return float(np.arctan2(np.linalg.norm(r) * np.linalg.norm(b), a @ b))


@claim(
    id="mine.adam_l2_margin",
    paper=NOTES,
    status="conjecture",
    kind="equality",
    statement="Adam with eps > 0 and beta1 in [0, 0.95] on separable data converges in direction to the "
    "l2 max-margin direction (late increment within 0.01 rad of z_s/||z_s||^2).",
    strategy=st.fixed_dictionaries(
        {
            "a": st.sampled_from([1.5, 2.0, 3.0]),
            "beta1": st.sampled_from([0.0, 0.9, 0.95]),
            "seed": st.integers(0, 2**16),
        }
    ),
    examples={"dev": 3, "ci": 10, "thorough": 50},
    tolerance="0.01 rad on the angle of the late increment w(T) - w(T/10), T = 2e4.",
)
def adam_l2_margin(inst: dict, ctx: Context) -> Check:
    Z = separable_data(inst)
    problem = sim.LinearClassifier.from_margins_data(Z, loss="logistic", reduction="sum")
    opt = adam(0.01, beta1=inst["beta1"], beta2=0.99, eps=1e-2)
    T = 20_000
    run = sim.train(
        problem,
        opt,
        np.zeros(2),
        T,
        checkpoints=[T // 10],
        recorder=sim.Recorder(loss=True, loss_integral=False, iterates=True),
    )
    w = run.records["iterates"][:, 0]  # at 0, T/10, T
    if not np.all(np.diff(run.records["loss"][:, 0]) < 0):
        return Check.inconclusive("the loss did not decrease between checkpoints")
    u = w[2] - w[1]
    return Check.upper(angle(u, Z[0] / (Z[0] @ Z[0])), 0.01)


# ------------------------------------------------------------------ 2. EG and the l1 norm
@claim(
    id="mine.eg_min_l1",
    paper=NOTES,
    status="conjecture",
    kind="equality",
    statement="Exponentiated gradient from the uniform start w0 = 1/d converges to the minimum-l1 "
    "nonnegative interpolant.",
    strategy=st.fixed_dictionaries(
        {"n": st.integers(1, 3), "extra": st.integers(1, 4), "seed": st.integers(0, 2**16)}
    ),
    examples={"dev": 5, "ci": 20, "thorough": 100},
    tolerance="1e-6 relative on the l1 norm (EG is run to ||Xw - y|| < 1e-10).",
)
def eg_min_l1(inst: dict, ctx: Context) -> Check:
    rng = np.random.default_rng(inst["seed"])
    n, d = inst["n"], inst["n"] + inst["extra"]
    X = rng.uniform(0.0, 1.0, (n, d))
    y = X @ rng.uniform(0.5, 1.5, d)
    problem = sim.LeastSquares(X, y)
    eta = 0.5 * n / (np.linalg.norm(X, 2) ** 2 * np.abs(y).max())
    run = sim.train(
        problem,
        mirror_descent(eta, EntropyPotential()),
        np.full(d, 1.0 / d),
        20_000,
        recorder=sim.Recorder(every=20_000, loss=False, loss_integral=False),
    )
    w = run.theta[0]
    if np.abs(X @ w - y).max() > 1e-10:
        return Check.inconclusive("EG did not interpolate within 20000 steps")
    lp = linprog(np.ones(d), A_eq=X, b_eq=y, bounds=(0, None), method="highs")
    return Check.close(w.sum(), lp.fun, rtol=1e-6)
