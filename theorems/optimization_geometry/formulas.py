r"""Exact limits of Gunasekar, Lee, Soudry, Srebro (2018): Bregman projections, max-margin directions,
min-norm interpolants; sympy unit cases.

* :func:`bregman_limit`: $\arg\min\{D_\psi(w, w_0) : Xw = y\}$ for $\psi$ quadratic ($\frac12 w^\top Qw$,
  closed form $w_0 + Q^{-1}X^\top(XQ^{-1}X^\top)^{-1}(y - Xw_0)$), entropy ($\sum w\log w - w$) or
  $\ell_p$ ($\frac1p\sum|w|^p$, e.g. $p = 3$). The KKT system is $\nabla\psi(w) = \nabla\psi(w_0) +
  X^\top\lambda$,
  $Xw = y$; $\lambda$ minimises the convex dual $\phi(\lambda) = \psi^*(\nabla\psi(w_0) +
  X^\top\lambda) - y^\top\lambda$
  (Newton with a backtracking line search; its gradient $Xw(\lambda) - y$ is the interpolation residual).
* :func:`max_margin`: $\gamma = \max_{\|w\|\le1}\min_n z_n^\top w$ and the maximiser for $\ell_1, \ell_\infty$
  (linear programs, HiGHS) and $\ell_2$ (the hard-margin SVM, :func:`theorems.separable_gd.svm`).
* :func:`min_norm_interpolant`: $\arg\min\|w\|_p$ s.t. $Xw = y$, $p \in \{1, 2, \infty\}$.
* :func:`unit_cases`: the spec's sympy cases ($X = [1\ 1]$, $y = 1$).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from theorems.separable_gd.formulas import svm


def _norm_key(norm: Any) -> float:
    key = {1: 1.0, 2: 2.0, "1": 1.0, "2": 2.0, "inf": np.inf, np.inf: np.inf}.get(norm)
    if key is None:
        raise ValueError(f"norm must be 1, 2 or inf, got {norm!r}")
    return key


def _check_Xy(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    if np.linalg.matrix_rank(X) < X.shape[0]:
        raise ValueError("X must have full row rank (n <= d, independent rows)")
    return X, y


def bregman_limit(X: Any, y: Any, w0: Any, potential: str = "quadratic", **params: Any) -> np.ndarray:
    r"""$\arg\min_w D_\psi(w, w_0)$ s.t. $Xw = y$, the limit of mirror descent with potential $\psi$ from
    $w_0$ whenever it converges to an interpolant, for any step sizes (Gunasekar et al. 2018, Sec. 2).

    ``potential``: ``"quadratic"`` (``Q``: a positive vector or an SPD matrix, default identity: GD),
    ``"entropy"`` (needs $w_0 > 0$ and a positive interpolant) or ``"lp"`` (``p > 1``; ``"l3"`` is
    $p = 3$). Raises ValueError if the projection does not exist or the dual solve does not reach
    $\|Xw - y\|_\infty \le 10^{-12}(1 + \|y\|_\infty)$.
    """
    X, y = _check_Xy(X, y)
    w0 = np.asarray(w0, dtype=float)
    if w0.shape != (X.shape[1],) or not np.all(np.isfinite(w0)):
        raise ValueError(f"w0 must be a finite vector of length {X.shape[1]}")
    if potential == "quadratic":
        Q = np.asarray(params.get("Q", np.ones(X.shape[1])), dtype=float)
        Qinv_Xt = (X / Q).T if Q.ndim == 1 else np.linalg.solve(Q, X.T)
        return w0 + Qinv_Xt @ np.linalg.solve(X @ Qinv_Xt, y - X @ w0)
    if potential == "entropy":
        if np.any(w0 <= 0):
            raise ValueError("the entropy potential needs w0 > 0")
        z0 = np.log(w0)

        def w_of(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            w = np.exp(z)
            return w, w  # w(z) and dw/dz

        def conj(z: np.ndarray) -> float:
            return float(np.exp(z).sum())
    elif potential in ("lp", "l3"):
        p = float(params.get("p", 3.0)) if potential == "lp" else 3.0
        if not p > 1:
            raise ValueError("p must be > 1")
        z0 = np.sign(w0) * np.abs(w0) ** (p - 1)
        qexp = 1.0 / (p - 1.0)

        def w_of(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            a = np.abs(z)
            # dw/dz is infinite at z = 0 for p > 2: floor |z| in the derivative only (Newton's metric)
            return np.sign(z) * a**qexp, qexp * np.maximum(a, 1e-12) ** (qexp - 1.0)

        def conj(z: np.ndarray) -> float:
            qq = p / (p - 1.0)
            return float((np.abs(z) ** qq).sum() / qq)
    else:
        raise ValueError(f"potential must be 'quadratic', 'entropy', 'lp' or 'l3', got {potential!r}")
    # start from the multiplier that maps the l2 projection: grad psi(w2) - grad psi(w0) ~ X^T lam
    w2 = w0 + np.linalg.pinv(X) @ (y - X @ w0)
    if potential == "entropy":
        w2 = np.maximum(w2, 1e-3 * w0)
        g2 = np.log(w2)
    else:
        g2 = np.sign(w2) * np.abs(w2) ** (p - 1)
    lam = np.linalg.lstsq(X.T, g2 - z0, rcond=None)[0]
    if not np.all(np.isfinite(lam)):
        lam = np.zeros(X.shape[0])
    tol = 1e-12 * (1.0 + np.abs(y).max())

    def phi(lm: np.ndarray) -> float:
        return conj(z0 + X.T @ lm) - float(y @ lm)

    for _ in range(200):
        w, dw = w_of(z0 + X.T @ lam)
        g = X @ w - y
        if np.abs(g).max() <= tol:
            return w
        Hs = (X * dw) @ X.T + 1e-300 * np.eye(X.shape[0])
        try:
            step = -np.linalg.solve(Hs, g)
        except np.linalg.LinAlgError:
            step = -g
        # accept the full Newton step if it reduces the residual (near the solution phi's decrease is
        # below round-off, so Armijo alone stalls); otherwise backtrack on phi (Armijo)
        w_new, _ = w_of(z0 + X.T @ (lam + step))
        if np.all(np.isfinite(w_new)) and np.abs(X @ w_new - y).max() < 0.5 * np.abs(g).max():
            lam = lam + step
            continue
        f0, t = phi(lam), 1.0
        while t > 1e-12 and not phi(lam + t * step) <= f0 + 1e-4 * t * float(g @ step):
            t *= 0.5
        lam = lam + t * step
    w, _ = w_of(z0 + X.T @ lam)
    if np.abs(X @ w - y).max() > tol:
        raise ValueError(
            f"no Bregman projection found for the {potential} potential (is y in the range "
            "of X over the potential's domain?)"
        )
    return w


@dataclass
class MaxMargin:
    r"""``w``: a maximiser with $\|w\| = 1$ in the chosen norm; ``gamma``: the max-margin value."""

    w: np.ndarray
    gamma: float
    norm: float


def max_margin(Z: Any, norm: Any = 2) -> MaxMargin:
    r"""$\gamma = \max_{\|w\|\le1}\min_n z_n^\top w$ and a maximiser, for label-absorbed data $z_n = y_nx_n$.

    $\ell_1$: LP over $w = u - v$, $u, v \ge 0$, $\sum(u + v) \le 1$; $\ell_\infty$: LP over $-1 \le w \le 1$;
    $\ell_2$: $\hat w/\|\hat w\|$, $\gamma = 1/\|\hat w\|$ from the hard-margin SVM. Raises ValueError
    when the
    data are not separable ($\gamma \le 0$). The $\ell_1$/$\ell_\infty$ maximiser may not be unique.
    """
    Z = np.asarray(Z, dtype=float)
    key = _norm_key(norm)
    n, d = Z.shape
    if key == 2.0:
        s = svm(Z)
        return MaxMargin(s.w / np.linalg.norm(s.w), float(s.margin), 2.0)
    if key == 1.0:
        # variables (u, v, gamma): max gamma s.t. Z(u - v) >= gamma, sum(u + v) <= 1
        c = np.r_[np.zeros(2 * d), -1.0]
        A = np.r_[np.c_[-Z, Z, np.ones(n)], [np.r_[np.ones(2 * d), 0.0]]]
        b = np.r_[np.zeros(n), 1.0]
        res = linprog(c, A_ub=A, b_ub=b, bounds=[(0, None)] * (2 * d) + [(None, None)], method="highs")
        w = res.x[:d] - res.x[d : 2 * d]
    else:
        c = np.r_[np.zeros(d), -1.0]
        res = linprog(
            c,
            A_ub=np.c_[-Z, np.ones(n)],
            b_ub=np.zeros(n),
            bounds=[(-1, 1)] * d + [(None, None)],
            method="highs",
        )
        w = res.x[:d]
    if res.status != 0 or -res.fun <= 0:
        raise ValueError("the data are not linearly separable (max margin <= 0)")
    return MaxMargin(w / np.linalg.norm(w, ord=key), float(-res.fun), key)


def min_norm_interpolant(X: Any, y: Any, norm: Any = 2) -> np.ndarray:
    r"""$\arg\min\|w\|_p$ s.t. $Xw = y$: $X^+y$ for $p = 2$; LPs for $p = 1$ ($w = u - v$) and
    $p = \infty$ (minimise $s$ with $-s \le w_i \le s$). The $\ell_1$/$\ell_\infty$ minimiser may not
    be unique."""
    X, y = _check_Xy(X, y)
    key = _norm_key(norm)
    n, d = X.shape
    if key == 2.0:
        return np.linalg.pinv(X) @ y
    if key == 1.0:
        res = linprog(np.ones(2 * d), A_eq=np.c_[X, -X], b_eq=y, bounds=[(0, None)] * (2 * d), method="highs")
        return res.x[:d] - res.x[d:]
    A = np.r_[np.c_[np.eye(d), -np.ones(d)], np.c_[-np.eye(d), -np.ones(d)]]
    res = linprog(
        np.r_[np.zeros(d), 1.0],
        A_ub=A,
        b_ub=np.zeros(2 * d),
        A_eq=np.c_[X, np.zeros(n)],
        b_eq=y,
        bounds=[(None, None)] * d + [(0, None)],
        method="highs",
    )
    return res.x[:d]


@functools.cache
def unit_cases() -> dict[str, Any]:
    r"""sympy, $X = [1\ 1]$, $y = 1$: solve the KKT system $\nabla\psi(w) = \nabla\psi(w_0) + \lambda(1, 1)$,
    $w_1 + w_2 = 1$ for the quadratic potential $Q = \mathrm{diag}(q_1, q_2)$ from 0 (expect
    $(q_2, q_1)/(q_1 + q_2)$), the entropy from $(a, b)$ (expect $(a, b)/(a + b)$) and GD from $(a, b)$
    (expect $(a, b) + \frac12(1 - a - b)(1, 1)$). Returns the solutions and residuals (0) against the
    expected closed forms."""
    import sympy as sp

    q1, q2, a, b = sp.symbols("q1 q2 a b", positive=True)
    lam = sp.Symbol("lam", real=True)
    quad = [lam / q1, lam / q2]  # Q w = 0 + lam (1, 1)
    lq = sp.solve(sp.Eq(quad[0] + quad[1], 1), lam)[0]
    wq = [sp.simplify(e.subs(lam, lq)) for e in quad]
    ent = [a * sp.exp(lam), b * sp.exp(lam)]  # log w = log w0 + lam
    le = sp.solve(sp.Eq(ent[0] + ent[1], 1), lam)[0]
    we = [sp.simplify(e.subs(lam, le)) for e in ent]
    gdw = [a + lam, b + lam]
    lg = sp.solve(sp.Eq(gdw[0] + gdw[1], 1), lam)[0]
    wg = [sp.simplify(e.subs(lam, lg)) for e in gdw]
    exp_q = [q2 / (q1 + q2), q1 / (q1 + q2)]
    exp_e = [a / (a + b), b / (a + b)]
    exp_g = [a + (1 - a - b) / 2, b + (1 - a - b) / 2]
    return {
        "quadratic": wq,
        "entropy": we,
        "gd": wg,
        "residuals": [sp.simplify(u - v) for u, v in zip(wq + we + wg, exp_q + exp_e + exp_g, strict=False)],
        "symbols": (q1, q2, a, b),
    }
