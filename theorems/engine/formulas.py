r"""The exact solution of geometric Brownian motion in either calculus, derived with sympy.

$\log X$ has constant drift (Itô's formula: $\mu - \sigma^2/2$; Stratonovich: $\mu$) and additive noise
$\sigma\,dW$, so $X_t = X_0\exp(\mathrm{drift}\,t + \sigma W_t)$. Importing this module registers no claim.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theorems.core.symbolic import ito_drift, lambdify_cached, stratonovich_drift

# Exact GBM solutions, derived: log X has constant drift (Itô's formula) and additive noise sigma dW.
_x, _mu, _sigma = sp.symbols("x mu sigma", positive=True)
LOG_GBM_DRIFT = {
    "ito": ito_drift(sp.log(_x), _x, _mu * _x, _sigma * _x),  # mu - sigma^2/2
    "stratonovich": stratonovich_drift(sp.log(_x), _x, _mu * _x),  # mu
}


def gbm_exact(
    x0: np.ndarray, t: float, w_t: np.ndarray, mu: float, sigma: float, calculus: str
) -> np.ndarray:
    """X_t = X_0 exp(drift(log X) t + sigma W_t), with the drift of log X derived by sympy."""
    drift = lambdify_cached(LOG_GBM_DRIFT[calculus], (_mu, _sigma))(mu, sigma)
    return x0 * np.exp(drift * t + sigma * w_t)
