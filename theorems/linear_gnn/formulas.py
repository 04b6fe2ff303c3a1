r"""The linear-rate bound of Xu, Zhang, Jegelka, Kawaguchi (ICML 2021), Theorem 1 [restated], and its
multiscale (skip-connection) form [reconstructed]. No claims are registered here.

For a :class:`sim.gnn.LinearGNN` with heads :math:`l \in \mathcal H` (``{H}`` without skip connections,
``{0..H}`` with them) the prediction on the training nodes is :math:`f_I = \sum_l W_lP_lG_l` with
:math:`G_l = X(S^l)_{*I}`. With the stacked features :math:`G = [G_l]_{l\in\mathcal H}`:

* :math:`L^* = \|Y(I - G^+G)\|_F^2` (the global minimum over all heads, attained when the ``P_l`` have
  full column rank);
* :math:`\sigma_{\min}` = the smallest **nonzero** singular value of :math:`G`;
* :math:`\lambda(t) = \min_{l\in\mathcal H}\lambda_{\min}(P_l^\top P_l)` (``P_0 = I``);
* gradient flow on :math:`L = \|f_I - Y\|_F^2` (no 1/2) satisfies
  :math:`L_T - L^* \le (L_0 - L^*)\exp(-4\sigma_{\min}^2\int_0^T\lambda(t)\,dt)`.

Proof (re-derived, :func:`derive_gronwall` checks its two algebraic steps in sympy): only the heads
are used, :math:`\dot L \le -\sum_l\|\nabla_{W_l}L\|^2` with :math:`\nabla_{W_l}L = 2RG_l^\top P_l^\top`, so
:math:`\sum_l\|\nabla_{W_l}L\|^2 \ge 4\lambda\|RG^\top\|^2 \ge 4\lambda\sigma_{\min}^2\|RG^+G\|^2 =
4\lambda\sigma_{\min}^2(L - L^*)` because :math:`R(I - G^+G) = -Y(I - G^+G)` is constant; then
Grönwall. With 1/2 in the loss, 2 replaces 4.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.gnn import LinearGNN


@dataclass(frozen=True)
class RateConstants:
    """``sigma_min`` (smallest nonzero singular value of the stacked features), ``sigma_max``,
    ``rank`` and ``L_star`` (the global minimum of the loss), for one :class:`sim.gnn.LinearGNN`."""

    sigma_min: float
    sigma_max: float
    rank: int
    L_star: float


def rate_constants(gnn: LinearGNN) -> RateConstants:
    """The instance constants of the bound. ``L_star`` is computed by a least-squares solve
    (``lstsq``) and cross-checked against the projection formula ``||Y (I - G^+ G)||^2``."""
    if not isinstance(gnn, LinearGNN):
        raise TypeError(f"gnn must be a sim.gnn.LinearGNN, got {type(gnn).__name__}")
    G = gnn.features()
    s = np.linalg.svd(G, compute_uv=False)
    tol = s[0] * max(G.shape) * np.finfo(float).eps
    nz = s[s > tol]
    M = np.linalg.lstsq(G.T, gnn.Y.T, rcond=None)[0].T  # argmin_M ||M G - Y||
    L_ls = float(np.sum((M @ G - gnn.Y) ** 2))
    L_proj = float(np.sum((gnn.Y @ (np.eye(G.shape[1]) - np.linalg.pinv(G) @ G)) ** 2))
    scale = float(np.sum(gnn.Y**2))
    if abs(L_ls - L_proj) > 1e-9 * max(scale, 1.0):
        raise RuntimeError(f"L* disagrees between lstsq ({L_ls}) and the projection ({L_proj})")
    return RateConstants(float(nz.min()), float(s[0]), int(nz.size), max(L_ls, 0.0))


def head_spectra(gnn: LinearGNN, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(lambda_min, lambda_max)`` of ``P_l^T P_l`` (min resp. max over the heads) for parameters of
    shape (..., p), e.g. recorded iterates (T, R, p); one batched eigenvalue call per head."""
    th = np.asarray(thetas, dtype=float)
    flat = th.reshape(-1, th.shape[-1])
    P = gnn.products(gnn.unpack(flat))
    lo = np.full(flat.shape[0], np.inf)
    hi = np.full(flat.shape[0], -np.inf)
    for level in gnn.heads:
        if level == 0:
            ev = np.ones((flat.shape[0], 1))
        else:
            ev = np.linalg.eigvalsh(np.matmul(P[level].transpose(0, 2, 1), P[level]))
        lo = np.minimum(lo, ev[:, 0])
        hi = np.maximum(hi, ev[:, -1])
    return lo.reshape(th.shape[:-1]), hi.reshape(th.shape[:-1])


def linear_rate_bound(
    gnn: LinearGNN, loss0: Any, lambda_integral: Any, constants: RateConstants | None = None
) -> np.ndarray:
    r"""Theorem 1 of Xu et al. (2021) [restated]: the bound on :math:`L_T` (not on :math:`L_T - L^*`),
    :math:`L^* + (L_0 - L^*)\exp(-4\sigma_{\min}^2\int_0^T\lambda_{\min}dt)`, elementwise in
    ``loss0`` and ``lambda_integral`` (broadcast). With skip connections this is the multiscale form
    [reconstructed]. ``constants`` defaults to :func:`rate_constants`.
    """
    c = constants or rate_constants(gnn)
    L0 = np.asarray(loss0, dtype=float)
    integral = np.asarray(lambda_integral, dtype=float)
    if np.any(integral < 0) or not np.all(np.isfinite(integral)):
        raise ValueError("lambda_integral must be finite and >= 0")
    return c.L_star + (L0 - c.L_star) * np.exp(-4.0 * c.sigma_min**2 * integral)


@functools.cache
def derive_gronwall() -> dict[str, Any]:
    r"""sympy checks of the proof's steps (all entries 0):

    * ``grad_W``: :math:`\partial_W\|WPG - Y\|_F^2 - 2RG^\top P^\top` for symbolic 2x2 ``W``, ``P``,
      ``G``, ``Y``;
    * ``ode``: :math:`y(t) = y_0\exp(-c\int_0^t\lambda)` solves :math:`\dot y = -c\lambda(t)y`
      (equality case of Grönwall) for :math:`\lambda(t) = a + b\sin t`.
    """
    import sympy as sp

    def mat(name: str) -> Any:
        return sp.Matrix(2, 2, sp.symbols(f"{name}0:4", real=True))

    W, P, G, Y = mat("w"), mat("p"), mat("g"), mat("y")
    R = W * P * G - Y
    L = sum(x**2 for x in R)
    grad = sp.Matrix(2, 2, [sp.diff(L, W[i, j]) for i in range(2) for j in range(2)])
    t, s, a, b, c, y0 = sp.symbols("t s a b c y0", real=True)
    lam = a + b * sp.sin(s)
    y = y0 * sp.exp(-c * sp.integrate(lam, (s, 0, t)))
    return {
        "grad_W": [sp.expand(x) for x in grad - 2 * R * G.T * P.T],
        "ode": sp.simplify(sp.diff(y, t) + c * lam.subs(s, t) * y),
    }
