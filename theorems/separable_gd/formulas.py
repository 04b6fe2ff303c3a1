r"""The hard-margin SVM, the offset $\tilde w$ of Soudry et al. (2018), and sympy closed forms.

Notation (labels absorbed): $z_n = y_n x_n$, $Z$ the matrix with rows $z_n$.

* :func:`svm`: $\hat w = \arg\min\|w\|^2$ s.t. $Z w \ge 1$, with its dual
  $\min_{\alpha\ge0}\frac12\alpha^\top ZZ^\top\alpha - \mathbb 1^\top\alpha$ (L-BFGS-B),
  $\hat w = Z^\top\alpha$, tiny $\alpha$ zeroed and the KKT conditions checked.
* :func:`offset`: the constant $\tilde w$ of $w(t) = \hat w\log t + \tilde w + o(1)$ for GD with step
  $\eta$ on the sum loss: $\eta\,e^{-z_n^\top\tilde w} = \alpha_n$ on every support vector (mean loss:
  $\eta/N$ in place of $\eta$).
* :func:`direction_constant`:
  $c^* = \lim_t \log t\,\|w/\|w\| - \hat w/\|\hat w\|\| = \|P_{\hat w^\perp}\tilde w\|/\|\hat w\|$.
* :func:`designed_closed_forms`: sympy derivation of all of these on the spec's designed instance.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

DESIGNED_Z = np.array([[1.0, 0.0], [0.0, 2.0], [2.0, 1.0], [1.5, 1.5], [3.0, -0.2], [0.5, 3.0]])


@dataclass
class SVM:
    """``w`` the hard-margin SVM $\\hat w$, ``alpha`` the dual, ``support`` the indices with $\alpha_n > 0$,
    ``margin`` $= 1/\\|\\hat w\\|$, ``kkt`` the largest KKT residual (primal feasibility, complementary
    slackness, stationarity, dual feasibility; relative to $\\|\\hat w\\|$)."""

    w: np.ndarray
    alpha: np.ndarray
    support: np.ndarray
    margin: float
    kkt: float


def _as_Z(Z: Any) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2 or Z.size == 0:
        raise ValueError(f"Z must be a non-empty 2-D array (n, d), got shape {Z.shape}")
    if not np.all(np.isfinite(Z)):
        raise ValueError("Z contains non-finite values")
    return Z


def svm(Z: Any, *, kkt_tol: float = 1e-7) -> SVM:
    r"""The hard-margin SVM of label-absorbed data (rows $z_n = y_n x_n$), KKT-checked.

    Solves the dual by L-BFGS-B (ftol 1e-15), zeroes $\alpha_n < 10^{-9}\max\alpha$, then refines on the
    support set by solving $Z_S Z_S^\top\alpha_S = \mathbb 1$ (exact when the SV margins are active), and
    checks KKT: $Z\hat w \ge 1$, $\alpha_n(z_n^\top\hat w - 1) = 0$, $\alpha \ge 0$. Raises ValueError if
    the data are not linearly separable or KKT fails by more than ``kkt_tol``.
    """
    Z = _as_Z(Z)
    from scipy.optimize import linprog

    n, d = Z.shape
    feas = linprog(np.zeros(d), A_ub=-Z, b_ub=-np.ones(n), bounds=[(None, None)] * d, method="highs")
    if feas.status != 0:
        raise ValueError("the data are not linearly separable through the origin (Z w >= 1 infeasible)")
    K = Z @ Z.T
    res = minimize(
        lambda a: 0.5 * a @ K @ a - a.sum(),
        np.full(n, 1.0 / max(np.trace(K), 1e-300)),
        jac=lambda a: K @ a - 1.0,
        method="L-BFGS-B",
        bounds=[(0, None)] * n,
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000},
    )
    a = np.maximum(res.x, 0.0)
    a[a < 1e-9 * max(a.max(), 1e-300)] = 0.0
    S = np.flatnonzero(a > 0)
    # refine: on the support set the constraints are active, K_SS alpha_S = 1 (least squares if singular)
    aS = np.linalg.lstsq(K[np.ix_(S, S)], np.ones(S.size), rcond=None)[0]
    if np.all(aS > 0):
        a = np.zeros(n)
        a[S] = aS
    w = Z.T @ a
    q = Z @ w
    scale = max(1.0, float(np.linalg.norm(w)))
    kkt = (
        max(
            float(np.max(np.maximum(1.0 - q, 0.0))),
            float(np.max(np.abs(a * (q - 1.0)))),
            float(np.max(np.maximum(-a, 0.0))),
        )
        / scale
    )
    if kkt > kkt_tol:
        raise ValueError(f"SVM KKT residual {kkt:.2e} exceeds {kkt_tol:.0e}")
    return SVM(w, a, S, 1.0 / float(np.linalg.norm(w)), kkt)


def offset(
    Z: Any, eta: float, loss: str = "logistic", reduction: str = "sum", *, w0: Any = None
) -> np.ndarray:
    r"""$\tilde w$ with $\eta_{\rm eff}\,e^{-z_n^\top\tilde w} = \alpha_n$ for $n \in S$ (Soudry et al. 2018,
    Theorem 3, reconstructed), $\eta_{\rm eff} = \eta$ (``reduction="sum"``) or $\eta/N$ (``"mean"``).

    The logistic and exponential losses share $\tilde w$ (same exponential tail). If the support vectors
    span $\mathbb R^d$ the system fixes $\tilde w$; otherwise the part of $\tilde w$ orthogonal to their
    span is that of ``w0`` (GD never moves it), and ``w0`` is required.
    """
    if loss not in ("logistic", "exponential"):
        raise ValueError(f"loss must be 'logistic' or 'exponential', got {loss!r}")
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    if not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"eta must be finite and > 0, got {eta}")
    Z = _as_Z(Z)
    s = svm(Z)
    eff = eta if reduction == "sum" else eta / Z.shape[0]
    ZS = Z[s.support]
    rhs = np.log(eff / s.alpha[s.support])
    wt, *_ = np.linalg.lstsq(ZS, rhs, rcond=None)
    if np.linalg.matrix_rank(ZS) < Z.shape[1]:
        if w0 is None:
            raise ValueError("the support vectors do not span R^d: pass w0 (its orthogonal part stays)")
        w0 = np.asarray(w0, dtype=float)
        Q, _ = np.linalg.qr(ZS.T)
        wt = wt + (w0 - Q @ (Q.T @ w0))
    if np.abs(ZS @ wt - rhs).max() > 1e-9 * (1 + np.abs(rhs).max()):
        raise ValueError("the support-vector equations for w_tilde are inconsistent")
    return wt


def direction_constant(w_hat: np.ndarray, w_tilde: np.ndarray) -> float:
    r"""$c^* = \|P_{\hat w^\perp}\tilde w\|/\|\hat w\|$."""
    u = w_hat / np.linalg.norm(w_hat)
    return float(np.linalg.norm(w_tilde - (w_tilde @ u) * u) / np.linalg.norm(w_hat))


def predicted_direction_error(w_hat: np.ndarray, w_tilde: np.ndarray, t: Any) -> np.ndarray:
    r"""$\|w/\|w\| - \hat u\|$ for $w = \hat w\log t + \tilde w$ exactly: $2\sin(\phi/2)$ with
    $\phi = \mathrm{atan2}(\|P_\perp\tilde w\|, \|\hat w\|\log t + \hat u^\top\tilde w)$."""
    u = w_hat / np.linalg.norm(w_hat)
    a = float(w_tilde @ u)
    p = float(np.linalg.norm(w_tilde - a * u))
    phi = np.arctan2(p, np.linalg.norm(w_hat) * np.log(np.asarray(t, float)) + a)
    return 2.0 * np.sin(phi / 2.0)


@functools.cache
def designed_closed_forms() -> dict[str, Any]:
    r"""sympy on :data:`DESIGNED_Z` with symbolic $\eta$: the KKT system with support vectors $z_1, z_2$
    gives $\hat w = (1, \frac12)$, $\alpha = (1, \frac14)$, $M = \sum_S\alpha_n z_nz_n^\top = I$,
    $\tilde w = (\log\eta, \frac12\log(4\eta))$, $\sum\alpha/\eta = \frac5{4\eta}$ and $c^*(\eta)$; the non-SV
    margins under $\hat w$ (all $\ge 2$); ``shift`` $= \tilde w(\eta') - \tilde w(\eta) = \hat
    w\log(\eta'/\eta)$."""
    import sympy as sp

    eta, eta2 = sp.symbols("eta eta2", positive=True)
    Z = sp.Matrix([[sp.nsimplify(v) for v in row] for row in DESIGNED_Z.tolist()])
    ZS = Z[:2, :]
    w = ZS.solve(sp.Matrix([1, 1]))  # active constraints z_n^T w = 1 on the SVs
    alpha = (ZS.T).solve(w)  # stationarity w = Z_S^T alpha
    M = sp.zeros(2, 2)
    for i in range(2):
        M += alpha[i] * ZS[i, :].T * ZS[i, :]
    wt = ZS.solve(sp.Matrix([sp.log(eta / alpha[i]) for i in range(2)]))
    wt = sp.simplify(wt)
    u = w / sp.sqrt((w.T * w)[0])
    a = (u.T * wt)[0]
    perp = wt - a * u
    cstar = sp.sqrt(sp.simplify((perp.T * perp)[0])) / sp.sqrt((w.T * w)[0])
    wt2 = wt.subs(eta, eta2)
    return {
        "w_hat": w,
        "alpha": alpha,
        "M": sp.simplify(M),
        "w_tilde": wt,
        "loss_constant": sp.simplify(sum(alpha) / eta),
        "c_star": sp.simplify(cstar),
        "non_sv_margins": list(Z[2:, :] * w),
        "shift": sp.simplify(wt2 - wt - w * sp.log(eta2 / eta)),
        "eta": eta,
    }
