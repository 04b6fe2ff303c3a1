r"""Solvers of the diagonal-network model (Pesme, Pillaud-Vivien, Flammarion 2021; Woodworth et al. 2020).

* :func:`implicit_solution` -- $\arg\min\{\phi_\alpha(\beta) - \langle c,\beta\rangle : X\beta = y\}$
  by a log-domain dual damped Newton with continuation (a linear program for $\alpha = 0$);
* :func:`min_l1_interpolant`, :func:`min_l2_interpolant` -- the rich and kernel limits;
* :func:`bregman_limit` -- where gradient flow goes from any state $(w_+, w_-)$;
* :func:`gf_log_flow` -- gradient flow in log coordinates with $R_t = \int_0^t r$ as extra state;
* :func:`l1_uniqueness_margin` -- the dual certificate of uniqueness of the min-$\ell_1$ interpolant;
* :func:`large_alpha_expansion` -- $\hat\beta_\alpha\approx X^+y+\Pi_{\ker X}(X^+y)^3/(24\alpha^4)$.

Importing this module registers no claim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize

from sim._validate import as_vector
from sim.diagonal_kernels import log_alpha as _log_alpha
from theorems.diagonal_networks.formulas import (
    _EXP_MAX,
    _LOG2,
    _data,
    derivations,
    kernel_projector,
)


# ===================================================================================== implicit problem
@dataclass
class ImplicitSolution:
    """Result of :func:`implicit_solution` with ``full_output=True``.

    Attributes
    ----------
    beta : the minimiser.
    nu : the dual variable ($\\beta = 2\\alpha^2\\sinh(X^\\top\\nu + 4c)$); ``None`` for the LP.
    residual : $\\|X\\beta - y\\|$ (the convergence certificate; stationarity holds by construction).
    iterations : Newton iterations, all continuation stages included.
    stages : number of continuation stages (1 = direct solve).
    method : ``"newton"`` or ``"linprog"``.
    """

    beta: np.ndarray
    nu: np.ndarray | None
    residual: float
    iterations: int
    stages: int
    method: str
    history: list[float] = field(default_factory=list)


class SolverError(RuntimeError):
    """The dual Newton iteration failed to reach the requested feasibility."""


def _dual_eval(
    nu: np.ndarray, X: np.ndarray, y: np.ndarray, log_a2: np.ndarray, c4: np.ndarray | None
) -> tuple[float, np.ndarray, np.ndarray] | None:
    """F(nu) = sum 2 a^2 cosh z - y.nu, beta = 2 a^2 sinh z, h = 2 a^2 cosh z; None on overflow."""
    z = X.T @ nu
    if c4 is not None:
        z = z + c4
    az = np.abs(z)
    e = log_a2 + _LOG2 + az  # ln(2 a^2 e^{|z|})
    if not np.all(e < _EXP_MAX):
        return None
    big = 0.5 * np.exp(e)  # a^2 e^{|z|}
    em = np.exp(-2.0 * az)
    h = big * (1.0 + em)  # 2 a^2 cosh z
    beta = np.sign(z) * big * (-np.expm1(-2.0 * az))  # 2 a^2 sinh z
    F = float(h.sum() - y @ nu)
    if not math.isfinite(F):
        return None
    return F, beta, h


def _newton(
    X: np.ndarray,
    y: np.ndarray,
    log_a2: np.ndarray,
    c4: np.ndarray | None,
    nu0: np.ndarray,
    tol_abs: float,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Damped Newton on the dual; returns (nu, beta, iterations, converged)."""
    n = X.shape[0]
    nu = nu0.copy()
    ev = _dual_eval(nu, X, y, log_a2, c4)
    if ev is None:
        nu = np.zeros(n)
        ev = _dual_eval(nu, X, y, log_a2, c4)
        if ev is None:
            return nu, np.full(X.shape[1], np.nan), 0, False
    F, beta, h = ev
    for it in range(1, max_iter + 1):
        grad = X @ beta - y
        gnorm = float(np.linalg.norm(grad))
        if gnorm <= tol_abs:
            return nu, beta, it - 1, True
        H = (X * h) @ X.T
        ridge = 1e-14 * max(float(np.trace(H)) / n, 1e-300)
        H[np.diag_indices(n)] += ridge
        try:
            step = -scipy.linalg.cho_solve(
                scipy.linalg.cho_factor(H, check_finite=False), grad, check_finite=False
            )
        except (np.linalg.LinAlgError, ValueError):
            step = -np.linalg.lstsq(H, grad, rcond=None)[0]
        dec = float(grad @ step)  # < 0: directional derivative of F
        t = 1.0
        accepted = False
        while t > 1e-14:
            trial = nu + t * step
            ev = _dual_eval(trial, X, y, log_a2, c4)
            if ev is not None:
                F_t, beta_t, h_t = ev
                if F_t <= F + 1e-4 * t * dec:
                    accepted = True
                elif abs(t * dec) < 1e-10 * (1.0 + abs(F)):
                    # Armijo is blind below F's cancellation level: accept any step that
                    # improves feasibility (the convergence certificate).
                    accepted = float(np.linalg.norm(X @ beta_t - y)) < gnorm
                if accepted:
                    nu, F, beta, h = trial, F_t, beta_t, h_t
                    break
            t *= 0.5
        if not accepted:
            return nu, beta, it, False
    grad = X @ beta - y
    return nu, beta, max_iter, bool(np.linalg.norm(grad) <= tol_abs)


def min_l1_interpolant(X: Any, y: Any, weights: Any = None) -> np.ndarray:
    r"""$\arg\min\{\sum_i w_i|\beta_i| : X\beta = y\}$ by linear programming (HiGHS).

    The $\alpha\to0$ limit of :func:`implicit_solution` for a uniform $\alpha$ (Woodworth et al. 2020);
    a vector $\alpha = \varepsilon^{\kappa}$ gives weights $\kappa_i$. Written as $\beta = p - q$,
    $p, q\ge0$. The minimiser need not be unique; HiGHS returns a vertex.
    """
    X, y = _data(X, y)
    d = X.shape[1]
    w = np.ones(d) if weights is None else as_vector(weights, "weights", d)
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    res = scipy.optimize.linprog(
        np.concatenate([w, w]), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs"
    )
    if res.status != 0:
        raise SolverError(f"linprog failed: {res.message}")
    return res.x[:d] - res.x[d:]


def min_l2_interpolant(X: Any, y: Any) -> np.ndarray:
    r"""$X^+y$, the $\alpha\to\infty$ (kernel-regime) limit of :func:`implicit_solution`."""
    X, y = _data(X, y)
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _require_consistent(X: np.ndarray, y: np.ndarray, tol: float) -> None:
    r"""Raise a ValueError when $X\beta = y$ has no solution ($y \notin \mathrm{range}(X)$): the
    least-squares residual then exceeds the certificate every solver here is held to."""
    resid = float(np.linalg.norm(X @ np.linalg.lstsq(X, y, rcond=None)[0] - y))
    if resid > tol * (1.0 + float(np.linalg.norm(y))):
        raise ValueError(
            f"X beta = y has no solution: y is not in the range of X (least-squares residual "
            f"{resid:.3g}, rank {np.linalg.matrix_rank(X)} < n = {X.shape[0]}); the implicit "
            "problem needs an interpolating beta"
        )


def implicit_solution(
    X: Any,
    y: Any,
    alpha: Any,
    *,
    c: Any = None,
    tol: float = 1e-10,
    max_iter: int = 200,
    full_output: bool = False,
) -> np.ndarray | ImplicitSolution:
    r"""$\hat\beta_\alpha = \arg\min\{\phi_\alpha(\beta) - \langle c,\beta\rangle : X\beta = y\}$.

    With $c = 0$ this is the limit of gradient flow from $w_\pm = \alpha$ (Woodworth et al. 2020) and,
    at $\alpha = \alpha_\infty$, the limit of stochastic gradient flow (Pesme, Pillaud-Vivien,
    Flammarion 2021, reconstructed). The offset $c$ serves the exact discrete-SGD limit.

    Method: damped Newton on the smooth, strictly convex dual
    $F(\nu) = \sum_i 2\alpha_i^2\cosh z_i - y^\top\nu$, $z = X^\top\nu + 4c$, whose stationary point gives
    $\beta = 2\alpha^2\sinh z$ (KKT). Everything is evaluated in the log domain ($\alpha^2$ is never
    formed), overflow at a trial point counts as $F = +\infty$, and near the optimum (where $F$ suffers
    cancellation) a step is accepted when it reduces $\|X\beta - y\|$. For small $\alpha$ the solve
    continues from a comfortable scale down a ladder in $\ln\alpha$, warm-starting $\nu$ rescaled by the
    ratio of $\ln(1/\alpha)$. ``alpha = 0`` returns the minimum-$\ell_1$ interpolant (linear program).

    Parameters
    ----------
    X : array (n, d), full row rank (n <= d).
    y : array (n,)
    alpha : float or array (d,), positive; or 0 (min-l1 limit).
    c : array (d,), optional linear offset.
    tol : float
        Convergence certificate $\|X\beta - y\|\le \mathrm{tol}\,(1 + \|y\|)$.
    max_iter : int
        Newton iterations per continuation stage.
    full_output : bool
        Return an :class:`ImplicitSolution` instead of the array.

    Returns
    -------
    array (d,) or ImplicitSolution

    Raises
    ------
    ValueError, TypeError
        Bad shapes or values; ValueError "X beta = y has no solution" when y is not in range(X).
        :class:`SolverError` if the certificate is not reached.
    """
    X, y = _data(X, y)
    n, d = X.shape
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    la = _log_alpha(alpha, d, allow_zero=True)
    c4 = None if c is None else 4.0 * as_vector(c, "c", d)
    _require_consistent(X, y, tol)
    if np.all(np.isneginf(la)):
        if c4 is not None:
            raise ValueError("alpha = 0 (min-l1 limit) does not support an offset c")
        beta = min_l1_interpolant(X, y)
        res = float(np.linalg.norm(X @ beta - y))
        out = ImplicitSolution(beta, None, res, 0, 1, "linprog")
        return out if full_output else out.beta
    tol_abs = tol * (1.0 + float(np.linalg.norm(y)))
    log_a2 = 2.0 * la
    # Comfortable scale: alpha^2 ~ the typical size of the interpolant.
    scale = float(np.max(np.abs(min_l2_interpolant(X, y)))) if np.any(y) else 1.0
    log_comfort = 0.5 * math.log(max(scale, 1e-300))
    total_it = 0
    stages = 1
    hist: list[float] = []
    nu, beta, it, ok = _newton(X, y, log_a2, c4, np.zeros(n), tol_abs, max_iter)
    total_it += it
    if not ok and float(np.mean(la)) < log_comfort:
        # Continuation: alpha_k = alpha * exp(s_k), s_k from s_0 (mean ln alpha at the comfortable
        # scale) down to 0, in rungs of a factor 1e4 in alpha.
        s0 = log_comfort - float(np.mean(la))
        n_rungs = max(2, int(math.ceil(s0 / math.log(10000.0))))
        shifts = np.linspace(s0, 0.0, n_rungs + 1)
        nu = np.zeros(n)
        prev_m = None
        for s in shifts:
            la_k = la + s
            m = max(1.0, float(np.mean(-la_k)) - log_comfort + 1.0)
            if prev_m is not None:
                nu = nu * (m / prev_m)
            nu, beta, it, ok = _newton(X, y, 2.0 * la_k, c4, nu, tol_abs, max_iter)
            total_it += it
            stages += 1
            hist.append(float(np.linalg.norm(X @ beta - y)))
            prev_m = m
        # The last stage is the target; its certificate is checked below.
    resid = float(np.linalg.norm(X @ beta - y)) if np.all(np.isfinite(beta)) else math.inf
    if not (resid <= tol_abs):
        raise SolverError(
            f"implicit_solution did not converge: ||X beta - y|| = {resid:.3g} > {tol_abs:.3g} "
            f"(min alpha = {math.exp(float(la.min())):.3g}, {total_it} iterations)"
        )
    out = ImplicitSolution(beta, nu, resid, total_it, stages, "newton", hist)
    return out if full_output else out.beta


def bregman_limit(X: np.ndarray, y: np.ndarray, wp: np.ndarray, wm: np.ndarray) -> np.ndarray:
    r"""Where gradient flow goes from the state $(w_+, w_-)$: one row per replica.

    GF from $w_\pm$ with $w_+w_- = \alpha_T^2$ is the mirror flow of $\phi_{\alpha_T}$ started at $\beta_T$,
    so its limit is $\arg\min_{X\beta=y}D_{\phi_{\alpha_T}}(\beta,\beta_T)$, i.e. ``implicit_solution``
    with $\alpha = \sqrt{|w_+w_-|}$ and offset $c = \Pi_{\ker X}\frac14\ln|w_+/w_-|$ (spec, pitfall 10).
    Used to finish a noisy run once its loss (and so its noise, $\propto\sqrt L$) is negligible.
    """
    P = kernel_projector(X)
    out = np.empty_like(wp)
    for r in range(wp.shape[0]):
        lp, lm = np.log(np.abs(wp[r])), np.log(np.abs(wm[r]))
        out[r] = implicit_solution(X, y, np.exp(0.5 * (lp + lm)), c=P @ (0.25 * (lp - lm)))
    return out


def gf_log_flow(
    X: Any, y: Any, alpha: Any, t_eval: Any, *, rtol: float = 1e-10, atol: float = 1e-12
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradient flow from $w_\pm = \alpha$ in log coordinates, with $R_t = \int_0^t r_s\,ds$ as state.

    Integrates $\frac{d}{dt}\ln w_\pm = \mp\frac1nX^\top r$, $\frac{d}{dt}R = r$ with
    $r = X(w_+^2 - w_-^2) - y$ (LSODA at ``rtol``/``atol``). GF in $w$ on
    $L = \frac1{4n}\|X\beta - y\|^2$ is exactly this ODE; its closed form (Pesme et al. 2021,
    reconstructed; Woodworth et al. 2020) is $\ln w_\pm(t) = \ln\alpha\mp\frac1nX^\top R_t$, so
    $w_+w_-\equiv\alpha^2$ and $\beta_t = 2\alpha^2\sinh(-\frac2nX^\top R_t)$. The invariants are
    linear in the state, so any Runge-Kutta or linear multistep solver keeps them to round-off: the
    solver checks the constants of the closed form, not its own accuracy.

    Parameters
    ----------
    X : array (n, d); y : array (n,); alpha : float or array (d,), positive.
    t_eval : array (T,), increasing times > 0.

    Returns
    -------
    (log_wp, log_wm, R) : arrays (T, d), (T, d), (T, n).
    """
    from scipy.integrate import solve_ivp

    X, y = _data(X, y)
    n, d = X.shape
    la = _log_alpha(alpha, d)
    t = np.asarray(t_eval, dtype=float)
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or t[0] <= 0 or np.any(np.diff(t) <= 0):
        raise ValueError("t_eval must be a non-empty increasing 1-d array of positive times")

    def rhs(_t: float, state: np.ndarray) -> np.ndarray:
        u, v = state[:d], state[d : 2 * d]
        r = X @ (np.exp(2.0 * u) - np.exp(2.0 * v)) - y
        g = X.T @ r / n
        return np.concatenate([-g, g, r])

    sol = solve_ivp(
        rhs,
        (0.0, float(t[-1])),
        np.concatenate([la, la, np.zeros(n)]),
        t_eval=t,
        rtol=rtol,
        atol=atol,
        method="LSODA",
    )
    if not sol.success:
        raise SolverError(f"gf_log_flow: {sol.message}")
    Y = sol.y.T
    return Y[:, :d], Y[:, d : 2 * d], Y[:, 2 * d :]


def l1_uniqueness_margin(X: Any, y: Any, beta: Any = None, *, support_tol: float = 1e-9) -> float:
    r"""Dual margin certifying that the minimum-$\ell_1$ interpolant is unique.

    For a minimiser $\beta$ of $\|\beta\|_1$ s.t. $X\beta = y$ with support $S$ (entries above
    ``support_tol`` times the largest), $\beta$ is the unique minimiser iff $X_S$ has full column rank
    and some $\nu$ has $X_S^\top\nu = \mathrm{sign}(\beta_S)$ and $\|X_{S^c}^\top\nu\|_\infty < 1$
    (Zhang, Yin, Cheng 2015). Returns $m = 1 - \min_\nu\|X_{S^c}^\top\nu\|_\infty$ over that affine set
    (one linear program): $m > 0$ certifies uniqueness; $-1$ if $X_S$ is rank deficient or the set is
    empty. The margin also sets the speed of the $\alpha\to0$ limit of :func:`implicit_solution`: the
    off-support coordinates decay roughly like $\alpha^{2m}$.

    Parameters
    ----------
    X : array (n, d); y : array (n,)
    beta : array (d,), optional; a minimum-l1 interpolant (default: :func:`min_l1_interpolant`).
    """
    X, y = _data(X, y)
    n, d = X.shape
    b = min_l1_interpolant(X, y) if beta is None else as_vector(beta, "beta", d)
    if not (isinstance(support_tol, (int, float)) and 0 < support_tol < 1):
        raise ValueError(f"support_tol must be in (0, 1), got {support_tol!r}")
    top = float(np.max(np.abs(b)))
    if top == 0.0:
        return 1.0  # y = 0: beta = 0 is the unique minimiser
    S = np.abs(b) > support_tol * top
    if np.linalg.matrix_rank(X[:, S]) < int(S.sum()):
        return -1.0
    Sc = ~S
    if not Sc.any():
        return 1.0
    m = int(Sc.sum())
    XcT = X[:, Sc].T
    ones = np.ones((m, 1))
    res = scipy.optimize.linprog(
        np.r_[np.zeros(n), 1.0],
        A_ub=np.vstack([np.hstack([XcT, -ones]), np.hstack([-XcT, -ones])]),
        b_ub=np.zeros(2 * m),
        A_eq=np.hstack([X[:, S].T, np.zeros((int(S.sum()), 1))]),
        b_eq=np.sign(b[S]),
        bounds=[(None, None)] * n + [(0, None)],
        method="highs",
    )
    if res.status != 0:
        return -1.0
    return float(1.0 - res.x[-1])


def large_alpha_expansion(X: Any, y: Any, alpha: float) -> np.ndarray:
    r"""First-order large-$\alpha$ expansion of $\hat\beta_\alpha$ for a uniform $\alpha$ (derived).

    $\nabla\phi_\alpha(\beta) = \frac{\beta}{8\alpha^2} - \frac{\beta^3}{192\alpha^6} + O(\beta^5)$
    (sympy, :func:`derivations`), and the minimiser satisfies $\Pi_{\ker X}\nabla\phi_\alpha(\hat\beta) = 0$;
    with $\hat\beta = X^+y + \delta$, $\delta\in\ker X$, this gives
    $$\hat\beta_\alpha = X^+y + \frac1{24\alpha^4}\Pi_{\ker X}(X^+y)^{3} + O(\alpha^{-8}),$$
    cubes elementwise. Consequently $\|\hat\beta_\alpha - X^+y\|/\|X^+y\|\le\|X^+y\|_\infty^2/(24\alpha^4)$
    to first order: the spec's bound $\|X^+y\|_\infty^2/\alpha^4$ holds with a factor $\ge24$ to spare.
    """
    X, y = _data(X, y)
    a = float(alpha)
    if not (a > 0 and math.isfinite(a)):
        raise ValueError(f"alpha must be a positive finite scalar, got {alpha!r}")
    dv = derivations()
    coef = float(dv["kernel_correction"].subs(dv["symbols"]["alpha"], 1)) / a**4
    b2 = min_l2_interpolant(X, y)
    return b2 + coef * (kernel_projector(X) @ b2**3)
