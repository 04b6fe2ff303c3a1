"""Instances of the engine's self-checks: hypothesis strategies and the problems they describe.

* :data:`gbm_instances` -- geometric Brownian motion ``dX = mu X dt + sigma X dW``: ``mu`` in [-1, 1],
  ``sigma`` in [0.3, 1] (the two calculi differ by ``e^{-sigma^2 T / 2}``, visible from 0.3);
* :data:`ou_instances` -- Ornstein-Uhlenbeck ``dX = -theta X dt + sigma dW``: ``theta`` in [1, 2],
  ``sigma`` in [0.5, 1.5];
* :data:`ls_instances`, :func:`ls_problem` -- underdetermined Gaussian least squares, ``d = n + extra``.

Importing this module registers no claim.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from sim import LeastSquares
from theorems.strategies import seeds

gbm_instances = st.fixed_dictionaries(
    {
        "mu": st.floats(-1.0, 1.0),
        "sigma": st.floats(0.3, 1.0),
        "seed": seeds(),
    }
)

ou_instances = st.fixed_dictionaries(
    {
        "theta": st.floats(1.0, 2.0),
        "sigma": st.floats(0.5, 1.5),
        "seed": seeds(),
    }
)

ls_instances = st.fixed_dictionaries(
    {
        "n": st.integers(2, 6),
        "extra": st.integers(3, 10),  # d = n + extra > n: underdetermined and well enough conditioned
        "seed": seeds(),
    }
)


def ls_problem(inst: dict) -> LeastSquares:
    """Gaussian ``X`` (n x d) and ``y`` from the instance's seed, ``d = n + extra``."""
    rng = np.random.default_rng(inst["seed"])
    n, d = inst["n"], inst["n"] + inst["extra"]
    return LeastSquares(rng.standard_normal((n, d)), rng.standard_normal(n))
