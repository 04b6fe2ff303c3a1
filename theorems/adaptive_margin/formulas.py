r"""Margin problems for adaptive optimizers (Wang, Meng, Chen, Liu 2021): weighted SVMs and angles.

* :func:`weighted_svm`: $\hat w_H = \arg\min w^\top H^{-1}w$ s.t. $Zw \ge 1$, $H = \mathrm{diag}(h)$, $h > 0$:
  map $\tilde z = H^{1/2}z$, solve the plain SVM for $u$ (:func:`theorems.separable_gd.svm`), $w = H^{1/2}u$.
  KKT: $H^{-1}w = Z^\top\alpha$, $\alpha \ge 0$, complementary slackness.
* :func:`single_sv_direction`: with a single support vector $z_s$, $\hat w_H = Hz_s/(z_s^\top Hz_s)$
  (:func:`derive_single_sv` derives it with sympy); $H = I$ gives $\hat w_2 = z_s/\|z_s\|^2$.
* :func:`angle`: $\mathrm{atan2}(\|a\wedge b\|, a\cdot b)$, accurate for small angles.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from theorems.separable_gd.formulas import SVM, svm


def angle(a: Any, b: Any) -> float:
    """The angle between two vectors by atan2 (no arccos of a value near 1)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    cross = np.sqrt(max(float(a @ a) * float(b @ b) - float(a @ b) ** 2, 0.0))
    # ||a||^2||b||^2 - (a.b)^2 cancels for small angles: use the projection residual instead
    if a @ a > 0 and b @ b > 0:
        r = a - (a @ b) / (b @ b) * b
        cross = float(np.linalg.norm(r) * np.linalg.norm(b))
    return float(np.arctan2(cross, float(a @ b)))


def weighted_svm(Z: Any, h: Any) -> SVM:
    r"""$\hat w_H = \arg\min w^\top\mathrm{diag}(h)^{-1}w$ s.t. $Zw \ge 1$ (an AdaGrad limit's margin problem,
    $h = h_\infty$ the limiting conditioner). Returns the :class:`~theorems.separable_gd.SVM` record with
    ``w`` mapped back and ``kkt`` the largest residual of the weighted KKT system."""
    Z = np.asarray(Z, dtype=float)
    h = np.asarray(h, dtype=float)
    if h.shape != (Z.shape[1],) or not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ValueError(f"h must be a positive finite vector of length {Z.shape[1]}")
    s = svm(Z * np.sqrt(h))
    w = np.sqrt(h) * s.w
    q = Z @ w
    stat = np.abs(w / h - Z.T @ s.alpha).max() / max(1.0, np.abs(w / h).max())
    kkt = max(s.kkt, float(np.maximum(1 - q, 0).max()), float(np.abs(s.alpha * (q - 1)).max()), stat)
    return SVM(w, s.alpha, s.support, 1.0 / float(np.sqrt(w @ (w / h))), kkt)


def single_sv_direction(z: Any, h: Any) -> np.ndarray:
    r"""$Hz/(z^\top Hz)$: the weighted SVM when $z$ is the only support vector."""
    z = np.asarray(z, dtype=float)
    h = np.asarray(h, dtype=float)
    return h * z / float(z @ (h * z))


@functools.cache
def derive_single_sv() -> dict[str, Any]:
    r"""sympy, $d = 2$: minimise $w^\top H^{-1}w$ on the line $z^\top w = 1$ (Lagrange), symbolic $z$, $h$;
    returns the solution and its residual (0) against $Hz/(z^\top Hz)$."""
    import sympy as sp

    z1, z2, h1, h2, lam = sp.symbols("z1 z2 h1 h2 lam", positive=True)
    w1, w2 = sp.symbols("w1 w2", real=True)
    Lag = w1**2 / h1 + w2**2 / h2 - lam * (z1 * w1 + z2 * w2 - 1)
    sol = sp.solve([sp.diff(Lag, w1), sp.diff(Lag, w2), z1 * w1 + z2 * w2 - 1], [w1, w2, lam], dict=True)[0]
    den = z1**2 * h1 + z2**2 * h2
    return {
        "w": (sol[w1], sol[w2]),
        "residual": [sp.simplify(sol[w1] - h1 * z1 / den), sp.simplify(sol[w2] - h2 * z2 / den)],
    }
