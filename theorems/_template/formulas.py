r"""Closed forms of the template paper, derived with sympy. Importing this module registers no claim.

One eigen-direction of $H$ with eigenvalue $\lambda$ carries the error $e_k$ of GD:
$e_{k+1} = (1 - \eta\lambda)e_k$, so $e_k = (1 - \eta\lambda)^k e_0$ (solved by ``sympy.rsolve`` in
:func:`derivations`); :func:`gd_closed_form` applies it in the eigenbasis of $H$.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np


@functools.cache
def derivations() -> dict[str, Any]:
    """The sympy derivations behind the closed forms (cached): ``gd_error`` is $e_k$ solved from the
    one-step recurrence, ``flow_error`` the gradient-flow error at time $t = \\eta k$."""
    import sympy as sp

    k = sp.Symbol("k", integer=True, nonnegative=True)
    eta, lam, e0 = sp.symbols("eta lambda e0", positive=True)
    e = sp.Function("e")
    gd_error = sp.rsolve(e(k + 1) - (1 - eta * lam) * e(k), e(k), {e(0): e0})
    return {
        "symbols": {"k": k, "eta": eta, "lambda": lam, "e0": e0},
        "gd_error": gd_error,
        "flow_error": e0 * sp.exp(-lam * eta * k),
    }


def _eig(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvalues and eigenvectors of H = X^T X / n and the minimiser theta*."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],) or not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError(
            f"X must be a finite (n, d) matrix and y a finite length-n vector, got {X.shape}, {y.shape}"
        )
    lam, V = np.linalg.eigh(X.T @ X / X.shape[0])
    if lam.min() <= 0:
        raise ValueError("H = X^T X / n must be positive definite (n > d, full column rank)")
    return lam, V, np.linalg.solve(X.T @ X, X.T @ y)


def gd_closed_form(X: Any, y: Any, theta0: Any, lr: float, k: int) -> np.ndarray:
    r"""$\theta_k = \theta^\star + (I - \eta H)^k(\theta_0 - \theta^\star)$: GD's k-th iterate."""
    lam, V, star = _eig(X, y)
    return star + V @ ((1.0 - lr * lam) ** k * (V.T @ (np.asarray(theta0, dtype=float) - star)))


def flow_closed_form(X: Any, y: Any, theta0: Any, t: float) -> np.ndarray:
    r"""$\theta(t) = \theta^\star + e^{-tH}(\theta_0 - \theta^\star)$: gradient flow at time $t$."""
    lam, V, star = _eig(X, y)
    return star + V @ (np.exp(-t * lam) * (V.T @ (np.asarray(theta0, dtype=float) - star)))
