"""Instances of the template paper: a hypothesis strategy and the builder that turns a dict into arrays.

An instance is a small dict of plain numbers (so counterexamples are short and replayable):
``n > d`` (an invertible ``H``), the step as a fraction ``f`` of the stability edge ``2 / lambda_max``,
the number of steps ``k`` and a ``seed`` (drawn by hypothesis: never an unseeded generator).
Importing this module registers no claim.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from sim import LeastSquares
from theorems.strategies import fraction, seeds


@st.composite
def overdetermined(
    draw,
    d: tuple[int, int] = (1, 5),
    extra: tuple[int, int] = (2, 10),
    f: tuple[float, float] = (0.05, 0.95),
    k: tuple[int, int] = (1, 50),
) -> dict:
    """``{"n", "d", "f", "k", "seed"}`` with ``n = d + extra > d``."""
    d_ = draw(st.integers(*d))
    return {
        "n": d_ + draw(st.integers(*extra)),
        "d": d_,
        "f": draw(fraction(*f)),
        "k": draw(st.integers(*k)),
        "seed": draw(seeds()),
    }


def build(inst: dict) -> tuple[LeastSquares, np.ndarray, float, int]:
    """``(problem, theta0, lr, k)`` of an instance: Gaussian X, y and theta0 from the seed."""
    rng = np.random.default_rng(inst["seed"])
    X = rng.standard_normal((inst["n"], inst["d"]))
    prob = LeastSquares(X, rng.standard_normal(inst["n"]))
    lr = inst["f"] * 2.0 / float(np.linalg.eigvalsh(X.T @ X / inst["n"]).max())
    return prob, rng.standard_normal(inst["d"]), lr, int(inst["k"])
