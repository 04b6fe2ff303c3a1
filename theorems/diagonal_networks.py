r"""Implicit bias of SGD for diagonal linear networks (Pesme, Pillaud-Vivien, Flammarion 2021).

S. Pesme, L. Pillaud-Vivien, N. Flammarion. *Implicit Bias of SGD for Diagonal Linear Networks: a Provable
Benefit of Stochasticity.* NeurIPS 2021, arXiv:2106.09524. The statements below are **reconstructed**
(see ``shared/claims/pesme2021_diagonal_networks.md``): the paper's text was not available, every
constant was re-derived here (sympy) and is checked numerically by the suite.

Conventions (the spec's P-convention): $\beta = w_+^2 - w_-^2$ elementwise, loss
$L(\beta) = \frac1{4n}\|X\beta - y\|^2$, initialisation $w_+ = w_- = \alpha\in\mathbb R^d_{>0}$ (a vector
$\alpha$ is supported everywhere), SDE time $t = \gamma k$.

Public numerics (used by other paper modules too):

* :func:`potential`, :func:`potential_grad` -- the hyperbolic-entropy potential $\phi_\alpha$;
* :func:`implicit_solution` -- $\arg\min\{\phi_\alpha(\beta) : X\beta = y\}$ (log-domain dual damped
  Newton with continuation; a linear program for $\alpha = 0$, the minimum-$\ell_1$ interpolant);
* :func:`min_l1_interpolant`, :func:`min_l2_interpolant`;
* :func:`effective_init` -- $\alpha_\infty = \alpha\odot\exp(-2\gamma\,\mathrm{diag}(X^\top X/n)\int L)$;
* :func:`discrete_log_shrink` -- the exact shrink of discrete (S)GD, $\frac12\sum_k\ln|1-(\gamma g_k)^2|$;
* :func:`sparse_regression` -- the sparse-regression instances of the paper's experiments
  (:func:`alpha_vector`, :func:`step_scale` for the initialisation and the step scale);
* :func:`derivations` -- the sympy derivations behind the closed forms;
* :func:`run_sgd`, :func:`run_gd`, :func:`run_sgf` (and :class:`Run`) -- fast replica-vectorised
  kernels for this model, re-exported from :mod:`sim.diagonal_kernels` where they live (checked step
  for step against ``sim.dynamics`` in the tests), recording the loss integral, the exact discrete
  shrink and the kernel offset; :func:`bregman_limit` -- the GF limit from any state;
* :func:`gf_log_flow` -- gradient flow in log coordinates with $R_t=\int_0^t r$ as extra state;
* :func:`l1_uniqueness_margin` -- the dual certificate of uniqueness of the min-$\ell_1$ interpolant;
* :func:`large_alpha_expansion` -- $\hat\beta_\alpha\approx X^+y+\Pi_{\ker X}(X^+y)^3/(24\alpha^4)$;
* :func:`setup`, :func:`sgd_runs`, :func:`sgf_runs`, :func:`gf_limit`, :func:`implicit_for` --
  cached instance builders and simulations used by the claims (instance dicts from
  ``theorems.strategies.diagonal``).

Claims (``pesme2021.*``): ``gf.closed_form``, ``gf.implicit_bias``, ``gf.loss_integral``,
``gf.monotone_in_alpha``, ``potential.asymptotics``, ``sgf.ito_product``, ``sgf.implicit_bias``,
``sgf.stratonovich_is_gf``, ``sgf.benefit``, ``sgf.matches_sgd``, ``sgd.limit_exact``,
``sgd.shrink_mean_matches_sgf``, ``sgd.batch_scaling``, ``bias.slower_is_stronger``,
``generalisation.sgf_beats_gf``, ``convergence`` and the conjectures ``conj.l1_monotone*``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize

from sim._validate import as_matrix, as_vector
from sim.diagonal_kernels import (  # noqa: F401 (re-exported: the kernels used to live here)
    SGF_NOISES,
    SGF_SCHEMES,
    Run,
    _noise_dimension,
    run_gd,
    run_sgd,
    run_sgf,
)
from sim.diagonal_kernels import log_alpha as _log_alpha
from theorems import Citation

PAPER = Citation(
    authors="S. Pesme, L. Pillaud-Vivien, N. Flammarion",
    year=2021,
    title="Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit of Stochasticity",
    venue="NeurIPS",
    arxiv="2106.09524",
    where="(reconstructed)",
)
WOODWORTH = Citation(
    authors="B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, "
            "N. Srebro",
    year=2020,
    title="Kernel and Rich Regimes in Overparametrized Models",
    venue="COLT",
    arxiv="2002.09277",
    where="implicit bias of gradient flow (P-convention, reconstructed)",
)
EVEN = Citation(
    authors="M. Even, S. Pesme, S. Gunasekar, N. Flammarion",
    year=2023,
    title="(S)GD over Diagonal Linear Networks: Implicit Bias, Large Stepsizes and Edge of Stability",
    venue="NeurIPS",
    arxiv="2302.08982",
    where="discrete (S)GD gain (P-convention, reconstructed)",
)

_LOG2 = math.log(2.0)
# exp() overflows float64 above ~709.78; stay clear of it in the dual.
_EXP_MAX = 700.0


# ===================================================================================== sympy
@functools.cache
def derivations() -> dict[str, Any]:
    r"""Symbolic derivations (sympy) of the closed forms used by this module, cached.

    Returns a dict of sympy expressions:

    ``phi``
        one coordinate of $\phi_\alpha(\beta) = \frac14[\beta\,\mathrm{arcsinh}\frac{\beta}{2\alpha^2}
        - \sqrt{\beta^2+4\alpha^4} + 2\alpha^2]$;
    ``grad_phi``
        $\partial_\beta\phi$, simplified: $\frac14\mathrm{arcsinh}(\beta/2\alpha^2)$;
    ``dphi_dalpha2``
        $\partial\phi/\partial(\alpha^2) = \frac14(2 - \sqrt{\beta^2+4\alpha^4}/\alpha^2) \le 0$;
    ``primal_from_dual``
        $\beta(z)$ solving $\nabla\phi_\alpha(\beta) = z/4$: $2\alpha^2\sinh z$;
    ``conjugate``
        $\phi^*(u) = \frac{\alpha^2}2(\cosh 4u - 1)$, with ``conjugate_check`` $= (\phi^*)'(u) - \beta(4u)$
        (simplifies to 0);
    ``ito_drift_log_wp``, ``ito_drift_log_wm``
        the Itô drifts of $\ln w_\pm$ for the SGF $dw_\pm = \mp g\,w_\pm dt \pm 2\sqrt{\gamma L/n}\,
        w_\pm\odot X^\top dB$, one coordinate with $D = \sum_i x_{ij}^2$: $\mp g - 2\gamma L D/n$;
    ``ito_drift_log_product``
        their sum $-4\gamma L D/n$ (the noise parts cancel: one shared Brownian motion);
    ``alpha_t``
        $\alpha\exp(-2\gamma (D/n) J)$ with $J = \int_0^t L$, from $w_+w_- = \alpha_t^2$;
    ``stratonovich_drift_log_product``
        the same sum under the Stratonovich chain rule: 0 (no shrink);
    ``phi_small_series``
        $\phi$ for $|\beta|\ll\alpha^2$ through $\beta^8$: $\frac{\beta^2}{16\alpha^2}
        - \frac{\beta^4}{768\alpha^6} + \frac{\beta^6}{10240\alpha^{10}}
        - \frac{5\beta^8}{458752\alpha^{14}}$;
    ``phi_large_series``
        $\phi$ for $|\beta|\gg\alpha^2$ in ``beta_abs`` $=|\beta|$: $\frac14[|\beta|(\ln|\beta|
        + 2\ln\frac1\alpha - 1) + 2\alpha^2 - \frac{\alpha^4}{|\beta|}] + \frac{\alpha^8}{8|\beta|^3}
        - \frac{\alpha^{12}}{6|\beta|^5}$;
    ``grad_phi_small_series``, ``kernel_correction``
        $\nabla\phi = \frac{\beta}{8\alpha^2} - \frac{\beta^3}{192\alpha^6} + \dots$ and the
        resulting first-order large-$\alpha$ correction coefficient $\frac1{24\alpha^4}$:
        $\hat\beta_\alpha = X^+y + \frac1{24\alpha^4}\Pi_{\ker X}(X^+y)^3 + O(\alpha^{-8})$;
    ``discrete_product``, ``discrete_log_shrink``
        one multiplicative (S)GD step, $(1-\gamma g)(1+\gamma g) = 1-(\gamma g)^2$, and its
        $\frac12\ln|1-(\gamma g)^2|$ with series $-\gamma^2g^2/2 - \gamma^4g^4/4 - \dots$
        (``discrete_log_shrink_series``).
    """
    import sympy as sp

    b = sp.Symbol("beta", real=True)
    a = sp.Symbol("alpha", positive=True)
    u = sp.Symbol("u", real=True)
    z = sp.Symbol("z", real=True)
    phi = (b * sp.asinh(b / (2 * a**2)) - sp.sqrt(b**2 + 4 * a**4) + 2 * a**2) / 4
    grad_phi = sp.simplify(sp.diff(phi, b))
    A2 = sp.Symbol("A2", positive=True)  # alpha^2
    dphi_dalpha2 = sp.simplify(sp.diff(phi.subs(a, sp.sqrt(A2)), A2).subs(A2, a**2))
    # Stationarity of the Lagrangian: grad phi(beta) = z / 4 (z = X^T nu, nu = 4 x multiplier).
    sols = sp.solve(sp.Eq(sp.sinh(4 * grad_phi), sp.sinh(z)), b)
    primal_from_dual = sp.simplify(sols[0])
    conjugate = a**2 / 2 * (sp.cosh(4 * u) - 1)
    conjugate_check = sp.simplify(sp.diff(conjugate, u) - primal_from_dual.subs(z, 4 * u))

    # Itô's lemma for f = ln w on one coordinate: df = (f' mu + f'' sigma^2 / 2) dt + f' sigma dB.
    w, g, gam, L, n, D, J = sp.symbols("w g gamma L n D J", positive=True)
    sigma2 = 4 * gam * L * D / n * w**2  # quadratic-variation rate of 2 sqrt(gam L/n) w (X^T dB)_j
    f = sp.log(w)

    def ito_drift(mu: Any) -> Any:
        return sp.simplify(sp.diff(f, w) * mu + sp.diff(f, w, 2) * sigma2 / 2)

    drift_p = ito_drift(-g * w)
    drift_m = ito_drift(+g * w)
    drift_prod = sp.simplify(drift_p + drift_m)
    # ln(w+ w-) = 2 ln alpha + int drift; L enters linearly, so int drift = drift(L -> J).
    alpha_t = sp.simplify(sp.exp((2 * sp.log(a) + drift_prod.subs(L, J)) / 2))
    strat_prod = sp.simplify(sp.diff(f, w) * (-g * w) + sp.diff(f, w) * (g * w))

    # Asymptotics of phi (one coordinate). phi = (alpha^2/2) q(x) with x = beta / (2 alpha^2) and
    # q(x) = x asinh x - sqrt(1 + x^2) + 1; for x -> +oo expand q(1/e) at e = 0 (asinh written as a
    # log: sympy has no asymptotic series of asinh at infinity); phi is even in beta.
    xq, eps = sp.Symbol("xq", positive=True), sp.Symbol("epsilon", positive=True)
    q = xq * sp.log(xq + sp.sqrt(1 + xq**2)) - sp.sqrt(1 + xq**2) + 1
    bp = sp.Symbol("beta_abs", positive=True)  # |beta|
    q_large = sp.expand(sp.series(q.subs(xq, 1 / eps), eps, 0, 6).removeO())
    phi_large = sp.expand(a**2 / 2 * q_large.subs(eps, 2 * a**2 / bp))
    xs = sp.Symbol("xs", real=True)
    q_small = sp.series(xs * sp.asinh(xs) - sp.sqrt(1 + xs**2) + 1, xs, 0, 10).removeO()
    phi_small = sp.expand(a**2 / 2 * q_small.subs(xs, b / (2 * a**2)))
    # Large alpha: grad phi = c1 beta + c3 beta^3 + ...; stationarity P_ker grad phi(beta) = 0 at
    # beta = X^+ y + delta (delta in ker X) gives delta = -(c3/c1) P_ker (X^+ y)^3 to first order.
    gser = sp.expand(sp.series(grad_phi, b, 0, 5).removeO())
    kernel_correction = sp.simplify(-gser.coeff(b, 3) / gser.coeff(b, 1))

    x = sp.Symbol("x", real=True)  # x = gamma * g
    discrete_product = sp.expand((1 - x) * (1 + x))
    discrete_log_shrink = sp.log(sp.Abs(discrete_product)) / 2
    series = sp.series(sp.log(1 - x**2) / 2, x, 0, 7).removeO()
    return {
        "symbols": {"beta": b, "alpha": a, "u": u, "z": z, "w": w, "g": g, "gamma": gam, "L": L,
                    "n": n, "D": D, "J": J, "x": x, "beta_abs": bp},
        "phi_small_series": phi_small,
        "phi_large_series": phi_large,
        "grad_phi_small_series": gser,
        "kernel_correction": kernel_correction,
        "phi": phi,
        "grad_phi": grad_phi,
        "dphi_dalpha2": dphi_dalpha2,
        "primal_from_dual": primal_from_dual,
        "conjugate": conjugate,
        "conjugate_check": conjugate_check,
        "ito_drift_log_wp": drift_p,
        "ito_drift_log_wm": drift_m,
        "ito_drift_log_product": drift_prod,
        "alpha_t": alpha_t,
        "stratonovich_drift_log_product": strat_prod,
        "discrete_product": discrete_product,
        "discrete_log_shrink": discrete_log_shrink,
        "discrete_log_shrink_series": series,
    }


@functools.cache
def _lambdified() -> dict[str, Any]:
    """numpy functions lambdified from :func:`derivations` (cached)."""
    import sympy as sp

    dv = derivations()
    s = dv["symbols"]
    # The shrink exponent per unit of gamma * (D/n) * J: ln(alpha_t / alpha) = coef * gamma * D/n * J.
    coef = sp.simplify(sp.log(dv["alpha_t"] / s["alpha"]) / (s["gamma"] * s["D"] / s["n"] * s["J"]))
    return {
        "phi": sp.lambdify((s["beta"], s["alpha"]), dv["phi"], "numpy"),
        "grad_phi": sp.lambdify((s["beta"], s["alpha"]), dv["grad_phi"], "numpy"),
        "primal_from_dual": sp.lambdify((s["z"], s["alpha"]), dv["primal_from_dual"], "numpy"),
        "shrink_coefficient": float(coef),  # -2
        "ito_drift_log_product": sp.lambdify((s["gamma"], s["L"], s["D"], s["n"]),
                                             dv["ito_drift_log_product"], "numpy"),
    }


def shrink_coefficient() -> float:
    r"""The constant $c$ in $\ln(\alpha_t/\alpha) = c\,\gamma\,\mathrm{diag}(X^\top X/n)\int_0^tL$.

    Derived symbolically by :func:`derivations` from the Itô SDE (it is $-2$ in the P-convention).
    """
    return _lambdified()["shrink_coefficient"]


# ===================================================================================== validation
# Arrays are validated by the engine's helpers (sim._validate): finite float64, the argument named;
# alpha by sim.diagonal_kernels.log_alpha (imported as _log_alpha), shared with the kernels.
def _data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` as a finite (n, d) matrix and a finite length-n vector."""
    X = as_matrix(X, "X")
    return X, as_vector(y, "y", X.shape[0])


# ===================================================================================== potential
def _asinh_half_ratio(beta: np.ndarray, log_alpha: np.ndarray) -> np.ndarray:
    r"""$\mathrm{arcsinh}(\beta/2\alpha^2)$ without forming $\alpha^2$ (it may underflow)."""
    ab = np.abs(beta)
    with np.errstate(divide="ignore"):
        lu = np.log(ab) - _LOG2 - 2.0 * log_alpha  # ln(|beta| / 2 alpha^2)
    big = lu > 300.0
    # asinh(e^u) = u + ln 2 + O(e^{-2u}) for large u; exp(lu) is finite where it is used.
    val = np.where(big, lu + _LOG2, np.arcsinh(np.exp(np.minimum(lu, 300.0))))
    return np.sign(beta) * val


def potential(beta: Any, alpha: Any) -> np.ndarray | float:
    r"""The hyperbolic-entropy potential $\phi_\alpha(\beta)$ of gradient flow (P-convention).

    $$\phi_\alpha(\beta) = \frac14\sum_i\Big[\beta_i\,\mathrm{arcsinh}\frac{\beta_i}{2\alpha_i^2}
    - \sqrt{\beta_i^2+4\alpha_i^4} + 2\alpha_i^2\Big],$$
    Woodworth et al. (2020)'s $Q_\alpha = 4\phi_\alpha$. Gradient flow from $w_\pm = \alpha$ converges to
    $\arg\min_{X\beta=y}\phi_\alpha$; SGF to $\arg\min_{X\beta=y}\phi_{\alpha_\infty}$
    (Pesme, Pillaud-Vivien, Flammarion 2021, reconstructed).

    Evaluated stably: $2\alpha^2-\sqrt{\beta^2+4\alpha^4} = -\beta^2/(2\alpha^2+\sqrt{\beta^2+4\alpha^4})$,
    and the arcsinh in the log domain, so tiny $\alpha$ (even $\alpha^2$ underflowing) is fine.

    Parameters
    ----------
    beta : array (..., d)
        One point or a stack of points (leading axes are kept).
    alpha : float or array (d,)
        Positive initialisation scale(s).

    Returns
    -------
    float or array (...)
        $\phi_\alpha(\beta)\ge0$ (summed over the last axis).
    """
    b = np.asarray(beta, dtype=float)
    if b.ndim == 0:
        raise ValueError("beta must have at least one dimension (..., d)")
    if not np.all(np.isfinite(b)):
        raise ValueError("beta must be finite")
    la = _log_alpha(alpha, b.shape[-1])
    a2 = np.exp(2.0 * la)
    ab = np.abs(b)
    hyp = np.hypot(b, 2.0 * a2)
    den = 2.0 * a2 + hyp
    with np.errstate(invalid="ignore", divide="ignore"):
        quad = np.where(den > 0, b * b / np.where(den > 0, den, 1.0), 0.0)
    terms = ab * np.abs(_asinh_half_ratio(b, la)) - quad
    out = 0.25 * np.sum(terms, axis=-1)
    return float(out) if out.ndim == 0 else out


def potential_grad(beta: Any, alpha: Any) -> np.ndarray:
    r"""$\nabla\phi_\alpha(\beta) = \frac14\,\mathrm{arcsinh}(\beta/2\alpha^2)$ (derived with sympy).

    Parameters
    ----------
    beta : array (..., d)
    alpha : float or array (d,), positive.
    """
    b = np.asarray(beta, dtype=float)
    if b.ndim == 0:
        raise ValueError("beta must have at least one dimension (..., d)")
    la = _log_alpha(alpha, b.shape[-1])
    return 0.25 * _asinh_half_ratio(b, la)


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


def _dual_eval(nu: np.ndarray, X: np.ndarray, y: np.ndarray, log_a2: np.ndarray,
               c4: np.ndarray | None) -> tuple[float, np.ndarray, np.ndarray] | None:
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


def _newton(X: np.ndarray, y: np.ndarray, log_a2: np.ndarray, c4: np.ndarray | None,
            nu0: np.ndarray, tol_abs: float, max_iter: int) -> tuple[np.ndarray, np.ndarray, int, bool]:
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
            step = -scipy.linalg.cho_solve(scipy.linalg.cho_factor(H, check_finite=False), grad,
                                           check_finite=False)
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
    res = scipy.optimize.linprog(np.concatenate([w, w]), A_eq=np.hstack([X, -X]), b_eq=y,
                                 bounds=(0, None), method="highs")
    if res.status != 0:
        raise SolverError(f"linprog failed: {res.message}")
    return res.x[:d] - res.x[d:]


def min_l2_interpolant(X: Any, y: Any) -> np.ndarray:
    r"""$X^+y$, the $\alpha\to\infty$ (kernel-regime) limit of :func:`implicit_solution`."""
    X, y = _data(X, y)
    return np.linalg.lstsq(X, y, rcond=None)[0]


def implicit_solution(X: Any, y: Any, alpha: Any, *, c: Any = None, tol: float = 1e-10,
                      max_iter: int = 200, full_output: bool = False
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
        Bad shapes or values. :class:`SolverError` if the certificate is not reached.
    """
    X, y = _data(X, y)
    n, d = X.shape
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    la = _log_alpha(alpha, d, allow_zero=True)
    c4 = None if c is None else 4.0 * as_vector(c, "c", d)
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
            f"(min alpha = {math.exp(float(la.min())):.3g}, {total_it} iterations)")
    out = ImplicitSolution(beta, nu, resid, total_it, stages, "newton", hist)
    return out if full_output else out.beta


# ===================================================================================== shrink
def effective_init(alpha: Any, gamma: float, X: Any, loss_integral: Any, *,
                   batch_size: int = 1) -> np.ndarray:
    r"""The effective initialisation of stochastic gradient flow (Pesme et al. 2021, reconstructed).

    $$\alpha_\infty = \alpha\odot\exp\Big(-2\frac{\gamma}{b}\,\mathrm{diag}\Big(\frac{X^\top X}n\Big)
    \int_0^\infty L(\beta_s)\,ds\Big),$$
    derived from the Itô SDE by :func:`derivations` ($w_+\odot w_- = \alpha_t^2$). Evaluated at a finite
    $\int_0^t L$ it gives $\alpha_t$. SGF then converges to ``implicit_solution(X, y, alpha_inf)``.

    Parameters
    ----------
    alpha : float or array (d,), positive.
    gamma : float, the SGD step size (> 0).
    X : array (n, d)
    loss_integral : float or array (R,)
        $\int L\,dt$ in SDE time ($t = \gamma k$), one per replica.
    batch_size : int, the mini-batch size $b$ (the noise covariance is divided by $b$).

    Returns
    -------
    array (d,) for a scalar ``loss_integral``, else (R, d).
    """
    X = as_matrix(X, "X")
    n, d = X.shape
    la = _log_alpha(alpha, d)
    if not (isinstance(gamma, (int, float, np.floating)) and gamma > 0 and math.isfinite(gamma)):
        raise ValueError(f"gamma must be a positive finite number, got {gamma!r}")
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    J = np.asarray(loss_integral, dtype=float)
    if J.ndim > 1 or np.any(~np.isfinite(J)) or np.any(J < 0):
        raise ValueError("loss_integral must be a finite non-negative scalar or 1-d array")
    diag = np.sum(X * X, axis=0) / n
    expo = shrink_coefficient() * (gamma / batch_size) * np.multiply.outer(J, diag)
    return np.exp(la + expo)


def discrete_log_shrink(gamma_g: Any) -> np.ndarray:
    r"""The exact shrink of multiplicative (S)GD, $\frac12\sum_k\ln|1-(\gamma g_k)^2|$ (derived).

    One step $w_\pm\leftarrow w_\pm\odot(1\mp\gamma g)$ multiplies $w_+\odot w_-$ by $1-(\gamma g)^2$,
    so $\ln(\alpha^{ex}_K/\alpha) = \frac12\sum_{k<K}\ln|1-(\gamma g_k)^2|$ (Even et al. 2023's gain in
    P form). ``gamma_g`` has the steps on axis 0; the sum is over that axis.
    """
    x = np.asarray(gamma_g, dtype=float)
    if x.ndim == 0:
        raise ValueError("gamma_g must have a leading step axis")
    with np.errstate(divide="ignore"):
        return 0.5 * np.sum(np.log(np.abs(1.0 - x * x)), axis=0)


# ===================================================================================== instances
@dataclass(frozen=True)
class SparseRegression:
    r"""A noiseless sparse-regression instance: $y = X\beta^\star$ with $\beta^\star$ $s$-sparse.

    ``test_error(beta)`` is $\|\beta - \beta^\star\|^2$ (isotropic test distribution).
    """

    X: np.ndarray
    y: np.ndarray
    beta_star: np.ndarray

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])

    @property
    def diag(self) -> np.ndarray:
        """$\\mathrm{diag}(X^\\top X/n)$, the shape of the SGF shrink."""
        return np.sum(self.X * self.X, axis=0) / self.n

    def test_error(self, beta: Any) -> np.ndarray:
        b = np.asarray(beta, dtype=float)
        return np.sum((b - self.beta_star) ** 2, axis=-1)

    def loss(self, beta: Any) -> np.ndarray:
        """$L(\\beta) = \\|X\\beta - y\\|^2 / 4n$ (rows of ``beta`` are replicas)."""
        b = np.asarray(beta, dtype=float)
        r = b @ self.X.T - self.y
        return np.sum(r * r, axis=-1) / (4 * self.n)


def sparse_regression(n: int, d: int, s: int, seed: int | np.random.SeedSequence, *,
                      col_scale: float = 0.0, mean: float = 0.0, zero_columns: int = 0,
                      beta_max: float = 3.0) -> SparseRegression:
    r"""Draw the paper's sparse-regression instance (the reference is $n=40$, $d=100$, $s=5$).

    $X_{ij}\sim\mathcal N(\mu, 1)$, then column $j$ scaled by $e^{\kappa U_j}$, $U_j\sim U[-1,1]$
    (``col_scale`` $=\kappa$, non-uniform $\mathrm{diag}(X^\top X)$); the last ``zero_columns`` columns
    set to 0; $\beta^\star$ supported on $s$ random non-zero columns with $\mathcal N(0,1)$ entries
    clipped to $|\beta^\star_i|\le$ ``beta_max``; $y = X\beta^\star$.

    Parameters
    ----------
    n, d, s : int, with 1 <= s <= d - zero_columns and n >= 1.
    seed : int or SeedSequence.
    """
    for name, v in (("n", n), ("d", d), ("s", s)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if not isinstance(zero_columns, (int, np.integer)) or not 0 <= zero_columns < d:
        raise ValueError(f"zero_columns must be an integer in [0, d), got {zero_columns!r}")
    if s > d - zero_columns:
        raise ValueError(f"s must be at most d - zero_columns = {d - zero_columns}, got {s}")
    if not beta_max > 0:
        raise ValueError(f"beta_max must be positive, got {beta_max!r}")
    rng = np.random.default_rng(seed)
    X = rng.normal(mean, 1.0, size=(n, d))
    if col_scale:
        X *= np.exp(col_scale * rng.uniform(-1.0, 1.0, size=d))
    if zero_columns:
        X[:, d - zero_columns:] = 0.0
    support = rng.choice(d - zero_columns, size=s, replace=False)
    beta_star = np.zeros(d)
    beta_star[support] = np.clip(rng.normal(size=s), -beta_max, beta_max)
    return SparseRegression(X, X @ beta_star, beta_star)


def alpha_vector(d: int, a: float, spread: float, seed: int | np.random.SeedSequence) -> np.ndarray:
    r"""A vector initialisation $\alpha = a\,e^{\sigma\mathcal N(0, I_d)}$ (``spread`` $=\sigma$)."""
    if not (a > 0 and math.isfinite(a)):
        raise ValueError(f"a must be positive and finite, got {a!r}")
    if spread < 0:
        raise ValueError(f"spread must be non-negative, got {spread!r}")
    rng = np.random.default_rng(seed)
    return a * np.exp(spread * rng.normal(size=d))


def step_scale(X: Any, beta_star: Any, alpha: Any) -> float:
    r"""A curvature scale $\gamma_0 = 1/(\max_i\|x_i\|^2\,\max_j\sqrt{\beta^{\star2}_j+4\alpha_j^4})$.

    The local curvature of the per-sample loss is about $\|x_i\|^2(w_+^2+w_-^2)$ (spec, pitfall 5);
    steps are drawn as fractions of this scale. It is a heuristic, not the paper's (unknown) constant;
    the convergence claim measures what fraction is actually safe.
    """
    X = as_matrix(X, "X")
    b = as_vector(beta_star, "beta_star", X.shape[1])
    a = np.exp(_log_alpha(alpha, X.shape[1]))
    rows = float(np.max(np.sum(X * X, axis=1)))
    return 1.0 / (rows * float(np.max(np.sqrt(b * b + 4 * a**4))))


# ===================================================================================== fast kernels
# Run, run_sgd, run_gd, run_sgf (and SGF_SCHEMES, SGF_NOISES) live in sim.diagonal_kernels (numerics
# only) and are imported at the top of this module, so they stay importable from here.


# ===================================================================================== claim helpers
def _key(inst: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in inst.items()))


@functools.lru_cache(maxsize=512)
def _setup_cached(key: tuple) -> tuple[SparseRegression, np.ndarray, float]:
    inst = dict(key)
    seed = int(inst["seed"])
    data = sparse_regression(int(inst["n"]), int(inst["d"]), int(inst["s"]),
                             np.random.SeedSequence([seed, 0]),
                             col_scale=float(inst.get("col_scale", 0.0)),
                             mean=float(inst.get("mean", 0.0)),
                             zero_columns=int(inst.get("zero_columns", 0)))
    if inst.get("standardize"):
        # Columns of norm sqrt(n): diag(X^T X / n) = 1, so the SGF shrink is uniform.
        norms = np.sqrt(np.sum(data.X**2, axis=0) / data.n)
        Xs = data.X / np.where(norms > 0, norms, 1.0)
        bs = data.beta_star * norms
        data = SparseRegression(Xs, Xs @ bs, bs)
    alpha = alpha_vector(data.d, float(inst["a"]), float(inst.get("spread", 0.0)),
                         np.random.SeedSequence([seed, 1]))
    gamma = float(inst.get("f", 1.0)) * step_scale(data.X, data.beta_star, alpha)
    return data, alpha, gamma


def setup(inst: dict) -> tuple[SparseRegression, np.ndarray, float]:
    """(data, alpha, gamma) of an instance dict from ``theorems.strategies.diagonal`` (cached)."""
    return _setup_cached(_key(inst))


def _sgf_limit(inst: dict, loss_integral: float) -> tuple[np.ndarray, np.ndarray]:
    """``(alpha_inf, argmin phi_{alpha_inf})`` on an instance's data for an SGF path with this loss
    integral: the effective initialisation and the limit it predicts."""
    data, alpha, gamma = setup(inst)
    a_inf = effective_init(alpha, gamma, data.X, loss_integral)
    return a_inf, implicit_for(inst, a_inf)


def _noise_seed(inst: dict, *tags: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(inst["seed"]), 2, *tags])


@functools.lru_cache(maxsize=256)
def _sgd_cached(key: tuple, R: int, t_max: float, tol: float, f_mult: float, tag: int,
                batch_size: int = 1) -> Run:
    inst = dict(key)
    data, alpha, gamma = _setup_cached(key)
    gamma *= f_mult
    return run_sgd(data.X, data.y, alpha, gamma, int(math.ceil(t_max / gamma)), n_replicas=R,
                   seed=_noise_seed(inst, 0, tag), tol_loss=tol, batch_size=batch_size)


def sgd_runs(inst: dict, R: int, *, t_max: float = 600.0, tol: float = 1e-20,
             f_mult: float = 1.0, tag: int = 0, batch_size: int = 1) -> Run:
    """SGD (mini-batches of ``batch_size`` drawn with replacement; batch 1 by default) on an
    instance, R replicas, until loss <= tol or time t_max (cached)."""
    return _sgd_cached(_key(inst), R, t_max, tol, f_mult, tag, int(batch_size))


@functools.lru_cache(maxsize=256)
def _sgf_cached(key: tuple, R: int, h_div: float, t_max: float, tol: float, scheme: str,
                noise: str, f_mult: float, tag: int) -> Run:
    inst = dict(key)
    data, alpha, gamma = _setup_cached(key)
    gamma *= f_mult
    h = gamma / h_div
    return run_sgf(data.X, data.y, alpha, gamma, h, int(math.ceil(t_max / h)), n_replicas=R,
                   seed=_noise_seed(inst, 1, tag), scheme=scheme, noise=noise, tol_loss=tol)


def sgf_runs(inst: dict, R: int, *, h_div: float = 2.0, t_max: float = 600.0, tol: float = 1e-20,
             scheme: str = "euler_maruyama", noise: str = "paper", f_mult: float = 1.0,
             tag: int = 0) -> Run:
    """SGF paths (step h = gamma / h_div) until loss <= tol or time t_max (cached)."""
    return _sgf_cached(_key(inst), R, h_div, t_max, tol, scheme, noise, f_mult, tag)


@functools.lru_cache(maxsize=256)
def _gf_cached(key: tuple, tol: float, t_max: float) -> tuple[np.ndarray, float, float, float]:
    """Gradient flow with the engine (sim.dynamics.gradient_flow, LSODA, rtol 1e-10)."""
    from sim import dynamics
    from sim.problems import DiagonalNetwork

    data, alpha, _ = _setup_cached(key)
    prob = DiagonalNetwork(data.X, data.y)
    theta = prob.init(alpha, 1)
    J, t, T = 0.0, 0.0, 1000.0
    while True:
        fr = dynamics.gradient_flow(prob, theta, T, t_eval=np.array([T]), rtol=1e-10, atol=1e-13,
                                    method="LSODA")
        theta = fr.final
        J += float(fr.loss_integral[-1, 0])
        t += T
        L = float(prob.loss(theta)[0])
        if L <= tol or t >= t_max:
            return prob.beta(theta)[0], J, L, t
        T *= 2


def gf_limit(inst: dict, *, tol: float = 1e-22, t_max: float = 2.0e5
             ) -> tuple[np.ndarray, float, float, float]:
    """Gradient flow from w+- = alpha by the engine's ODE solver: (beta_T, int_0^T L, L_T, T).

    The horizon adapts: it doubles (1000, 2000, 4000, ...) until L_T <= ``tol``, up to a total
    time ``t_max``. Slow instances (a small non-zero eigenvalue of the linearised flow at the
    limit) need ~7000 time units; LSODA makes the long horizons cheap."""
    return _gf_cached(_key(inst), tol, t_max)


@functools.lru_cache(maxsize=1024)
def _implicit_cached(key: tuple, log_alpha_bytes: bytes, c_bytes: bytes | None) -> np.ndarray:
    data, _, _ = _setup_cached(key)
    la = np.frombuffer(log_alpha_bytes)
    c = None if c_bytes is None else np.frombuffer(c_bytes)
    return implicit_solution(data.X, data.y, np.exp(la), c=c)


def implicit_for(inst: dict, alpha: np.ndarray, c: np.ndarray | None = None) -> np.ndarray:
    """``implicit_solution`` on an instance's data (cached by the exact bytes of alpha and c)."""
    la = np.ascontiguousarray(np.log(np.asarray(alpha, dtype=float)))
    cb = None if c is None else np.ascontiguousarray(np.asarray(c, dtype=float)).tobytes()
    return _implicit_cached(_key(inst), la.tobytes(), cb)


def kernel_projector(X: np.ndarray) -> np.ndarray:
    """The orthogonal projector onto ker X (d x d)."""
    _, sv, Vt = np.linalg.svd(X)
    rank = int(np.sum(sv > 1e-12 * sv.max()))
    N = Vt[rank:]
    return N.T @ N


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


def gf_log_flow(X: Any, y: Any, alpha: Any, t_eval: Any, *, rtol: float = 1e-10,
                atol: float = 1e-12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
        u, v = state[:d], state[d:2 * d]
        r = X @ (np.exp(2.0 * u) - np.exp(2.0 * v)) - y
        g = X.T @ r / n
        return np.concatenate([-g, g, r])

    sol = solve_ivp(rhs, (0.0, float(t[-1])), np.concatenate([la, la, np.zeros(n)]), t_eval=t,
                    rtol=rtol, atol=atol, method="LSODA")
    if not sol.success:
        raise SolverError(f"gf_log_flow: {sol.message}")
    Y = sol.y.T
    return Y[:, :d], Y[:, d:2 * d], Y[:, 2 * d:]


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
        A_ub=np.vstack([np.hstack([XcT, -ones]), np.hstack([-XcT, -ones])]), b_ub=np.zeros(2 * m),
        A_eq=np.hstack([X[:, S].T, np.zeros((int(S.sum()), 1))]), b_eq=np.sign(b[S]),
        bounds=[(None, None)] * n + [(0, None)], method="highs")
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


@functools.cache
def _potential_series() -> dict[str, tuple[Any, Any, Any]]:
    """mpmath functions (head, next term, next-but-one term) of the two expansions of one
    coordinate of phi (:func:`derivations`), keyed "small" (of (beta, alpha)) and "large" (of
    (|beta|, alpha))."""
    import sympy as sp

    dv = derivations()
    s = dv["symbols"]
    out = {}
    for name, expr, var, k1, k2 in (("small", dv["phi_small_series"], s["beta"], 6, 8),
                                    ("large", dv["phi_large_series"], s["beta_abs"], -3, -5)):
        nxt, nxt2 = expr.coeff(var, k1) * var**k1, expr.coeff(var, k2) * var**k2
        head = sp.expand(expr - nxt - nxt2)
        out[name] = tuple(sp.lambdify((var, s["alpha"]), e, "mpmath") for e in (head, nxt, nxt2))
    return out


# ===================================================================================== claims

from theorems import Check, claim  # noqa: E402
from theorems.strategies import diagonal as strat  # noqa: E402

_P_CONV = ("P-convention: beta = w+^2 - w-^2, L = |X beta - y|^2 / 4n, w+- (0) = alpha > 0 "
           "(vector), Gaussian X with n < d (full row rank a.s.), noiseless y = X beta*.")


def _fit_slope(hs: list[float], errs: list[float]) -> float:
    lh, le = np.log(np.asarray(hs)), np.log(np.maximum(np.asarray(errs), 1e-300))
    return float(np.polyfit(lh, le, 1)[0])


# ------------------------------------------------------------------------------ GF: implicit bias
_GF_STRATEGY = strat.sparse_instance(n=(3, 10), d_over_n=(1.3, 3.0), s_max_frac=0.5, a=(0.1, 2.0))


def _gf_check(inst: dict, which: str) -> Check:
    data, alpha, _ = setup(inst)
    beta_T, _, L_T, T = gf_limit(inst)
    if L_T > 1e-20:
        return Check.inconclusive(f"GF not converged by T={T:g} (L_T={L_T:.2g})", measured=L_T)
    if which == "implicit":
        pred = implicit_for(inst, alpha)
    elif which == "l2":
        pred = min_l2_interpolant(data.X, data.y)
    elif which == "l1":
        pred = min_l1_interpolant(data.X, data.y)
    else:  # arcsinh(beta / 2 alpha): alpha in place of alpha^2
        pred = implicit_for(inst, np.sqrt(alpha))
    tol = 1e-6 * (1.0 + float(np.linalg.norm(pred)))
    return Check.close(beta_T, pred, atol=tol, L_T=L_T, T=T, n=data.n, d=data.d)


@claim(
    id="pesme2021.gf.implicit_bias",
    paper=WOODWORTH,
    status="theorem",
    kind="equality",
    statement=r"Gradient flow on $L(w_+^2-w_-^2)$ from $w_\pm(0)=\alpha$ converges to "
              r"$\hat\beta_\alpha=\arg\min\{\phi_\alpha(\beta): X\beta=y\}$, the hyperbolic-entropy "
              r"interpolant (Woodworth et al. 2020; the GF baseline of Pesme et al. 2021).",
    strategy=_GF_STRATEGY,
    tolerance="max-norm 1e-6 (1 + |beta_hat|) once L(beta_T) <= 1e-20: the engine's LSODA runs at "
              "rtol 1e-10, the dual Newton certifies |X beta - y| <= 1e-10 (1+|y|); a non-converged "
              "flow is inconclusive, not a failure.",
    assumptions=_P_CONV + " a in [0.1, 2], n in [3, 10], d in [1.3n, 3n], s <= n/2.",
    closed_form=r"$\beta^{GF}_\infty=2\alpha^2\sinh(X^\top\nu)$ with $X\beta=y$ (KKT of "
                r"$\min\phi_\alpha$); $\nabla\phi_\alpha=\frac14\mathrm{arcsinh}(\beta/2\alpha^2)$.",
    examples={"dev": 3, "ci": 6, "thorough": 60},
)
def gf_implicit_bias(inst: dict, ctx) -> Check:
    """Gradient flow (sim.dynamics.gradient_flow, LSODA) against ``implicit_solution``."""
    return _gf_check(inst, "implicit")


@gf_implicit_bias.false_variant(
    "min_l2", "GF converges to the minimum-l2 interpolant X^+ y (kernel regime) for a <= 1.",
    strategy=strat.sparse_instance(n=(4, 8), a=(0.1, 1.0)), examples={"dev": 2, "ci": 3})
def _(inst, ctx):
    return _gf_check(inst, "l2")


@gf_implicit_bias.false_variant(
    "min_l1", "GF converges to the minimum-l1 interpolant (rich regime) for a >= 0.3.",
    strategy=strat.sparse_instance(n=(4, 8), a=(0.3, 2.0), s_max_frac=0.5),
    examples={"dev": 2, "ci": 3})
def _(inst, ctx):
    return _gf_check(inst, "l1")


@gf_implicit_bias.false_variant(
    "alpha_not_squared", "The potential with arcsinh(beta / 2 alpha) (alpha in place of alpha^2).",
    strategy=strat.sparse_instance(n=(4, 8), a=(0.1, 0.7)), examples={"dev": 2, "ci": 3})
def _(inst, ctx):
    return _gf_check(inst, "alpha")


# ------------------------------------------------------------------------------ GF: loss integral
def _gf_integral_check(inst: dict, factor: float) -> Check:
    data, alpha, _ = setup(inst)
    beta_T, J, L_T, T = gf_limit(inst)
    if L_T > 1e-20:
        return Check.inconclusive(f"GF not converged by T={T:g}", measured=L_T)
    phi_hat = potential(implicit_for(inst, alpha), alpha)
    return Check.close(J, factor * phi_hat, rtol=1e-6, L_T=L_T, T=T,
                       half_phi_star=0.5 * potential(data.beta_star, alpha),
                       bound_holds=bool(J <= 0.5 * potential(data.beta_star, alpha) * (1 + 1e-6)))


@claim(
    id="pesme2021.gf.loss_integral",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"Along gradient flow, $\int_0^\infty L(\beta_t)\,dt=\frac12\phi_\alpha(\hat\beta_\alpha)"
              r"\le\frac12\phi_\alpha(\beta^\star)$: the loss integral is half the potential of the limit.",
    strategy=_GF_STRATEGY,
    tolerance="relative 1e-6: the integral is an extra ODE state at rtol 1e-10 (x100 margin per "
              "decade of the horizon); the tail after L_T <= 1e-20 is negligible. The GF horizon "
              "doubles until L_T <= 1e-22 (up to t = 2e5; slowest instance seen: t = 7000), so only "
              "a flow that truly stalls is inconclusive.",
    assumptions=_P_CONV,
    closed_form=r"$\frac{d}{dt}D_{\phi_\alpha}(\beta^\star,\beta_t)=-2L(\beta_t)$ for every interpolator "
                r"$\beta^\star$; integrate and use $D_{\phi_\alpha}(\beta^\star,\beta_\infty)="
                r"\phi_\alpha(\beta^\star)-\phi_\alpha(\beta_\infty)$ (Bregman Pythagoras).",
    examples={"dev": 3, "ci": 6, "thorough": 60},
)
def gf_loss_integral(inst: dict, ctx) -> Check:
    """The engine's GF loss integral (extra ODE state) against potential(implicit_solution)/2."""
    return _gf_integral_check(inst, 0.5)


@gf_loss_integral.false_variant("no_half", "int L = phi_alpha(beta_hat) (without the 1/2).",
                                strategy=strat.sparse_instance(n=(4, 8)), examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _gf_integral_check(inst, 1.0)


@gf_loss_integral.false_variant("woodworth_q", "int L = Q_alpha / 2 = 2 phi_alpha (Woodworth's Q "
                                "without the 1/4).", strategy=strat.sparse_instance(n=(4, 8)),
                                examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _gf_integral_check(inst, 2.0)


# ------------------------------------------------------------------------------ GF: monotone in alpha
_MONO_STRATEGY = strat.sparse_instance(n=(3, 12), a=(0.01, 3.0), spread=(0.0, 0.5), d_over_n=(1.2, 3.0),
                                       s_max_frac=0.6)


def _alpha_pair(inst: dict) -> tuple[np.ndarray, np.ndarray]:
    _, alpha, _ = setup(inst)
    u = np.random.default_rng(np.random.SeedSequence([int(inst["seed"]), 7])).uniform(0, 2, alpha.size)
    return alpha, alpha * np.exp(-u)


def _min_potentials(inst: dict) -> tuple[float, float]:
    """``min phi`` over the interpolants at the instance's alpha and at the smaller alpha' of
    :func:`_alpha_pair`."""
    alpha, small = _alpha_pair(inst)
    return (potential(implicit_for(inst, alpha), alpha),
            potential(implicit_for(inst, small), small))


@claim(
    id="pesme2021.gf.monotone_in_alpha",
    paper=PAPER,
    status="derived",
    kind="monotone",
    statement=r"If $\alpha'\le\alpha$ coordinatewise then $\min_{X\beta=y}\phi_{\alpha'}\ge"
              r"\min_{X\beta=y}\phi_\alpha$; hence the gradient-flow loss integral "
              r"$\frac12\min\phi_\alpha$ is larger for a smaller initialisation "
              r"(smaller $\alpha$: slower GF).",
    strategy=_MONO_STRATEGY,
    tolerance="relative 1e-9 of min phi (the dual Newton's feasibility certificate is 1e-10).",
    assumptions=_P_CONV + " alpha' = alpha * exp(-U[0,2]) coordinatewise.",
    closed_form=r"$\partial\phi_\alpha(\beta)/\partial(\alpha_i^2)=\frac14(2-\sqrt{\beta_i^2+4\alpha_i^4}"
                r"/\alpha_i^2)\le0$ (sympy).",
    examples={"dev": 6, "ci": 12, "thorough": 200},
)
def gf_monotone_in_alpha(inst: dict, ctx) -> Check:
    """Compare the minimal potentials of two nested initialisations."""
    m_big, m_small = _min_potentials(inst)
    return Check.lower(m_small, m_big, tol=1e-9 * max(m_big, 1e-300))


@gf_monotone_in_alpha.false_variant(
    "smaller_alpha_faster", "A smaller initialisation gives a smaller GF loss integral "
    "(faster convergence).", examples={"dev": 2, "ci": 3})
def _(inst, ctx):
    m_big, m_small = _min_potentials(inst)
    return Check.upper(0.5 * m_small, 0.5 * m_big, tol=1e-9 * max(m_big, 1e-300))


# ------------------------------------------------------------------------------ SGF: Itô product
_ITO_STRATEGY = strat.sparse_instance(n=(4, 10), a=(0.3, 1.0), f=(0.5, 2.0), spread=(0.0, 0.4),
                                      col_scale=(0.0, 1.0))


def _ito_ladder(inst: dict, scheme: str, noise: str, R: int, K: int, levels=(16, 4, 1)):
    """One Brownian path, integrated at h = gamma/16, gamma/4, gamma (coarsened increments)."""
    from sim.noise import BrownianPath, coarsen

    data, alpha, gamma = setup(inst)
    m = _noise_dimension(noise, data.n, data.d)
    hmin = gamma / max(levels)
    fine = BrownianPath(_noise_seed(inst, 3), R, m, hmin).fine(K * max(levels))
    runs = {}
    for lv in levels:
        stride = max(levels) // lv
        runs[lv] = run_sgf(data.X, data.y, alpha, gamma, hmin * stride, K * lv, n_replicas=R,
                           increments=coarsen(fine, stride), scheme=scheme, noise=noise)
    return data, alpha, gamma, runs


def _ito_check(inst: dict, ctx, *, scheme="euler_maruyama", noise="paper", sign=-2.0,
               gram=False) -> Check:
    R = ctx.pick(dev=3, ci=4, thorough=8)
    K = 120
    data, alpha, gamma, runs = _ito_ladder(inst, scheme, noise, R, K)
    shape = (data.X.T @ data.X).sum(axis=1) / data.n if gram else data.diag
    hs, errs, effect = [], [], 0.0
    for lv, run in sorted(runs.items()):
        pred = sign * gamma * np.outer(run.loss_integral, shape)
        errs.append(float(np.max(np.abs(run.log_shrink - pred))))
        hs.append(gamma / lv)
        effect = max(effect, float(np.max(np.abs(2.0 * gamma * np.outer(run.loss_integral, data.diag)))))
    slope = _fit_slope(hs, errs)
    fine_err = errs[int(np.argmin(hs))]
    # Only a lower slope bound: the claim is that the error vanishes as h -> 0. A steeper fitted
    # slope (the coarse level h = gamma near the stability edge at f ~ 2 is far off, the fine ones
    # are close) is faster convergence, not a violation.
    ok = slope >= 0.3 and fine_err <= 0.5 * effect
    margin = min(slope - 0.3, (0.5 * effect - fine_err) / max(effect, 1e-300))
    return Check(ok, measured={"slope": slope, "err_finest": fine_err},
                 predicted={"slope": ">= 0.3", "err_finest": f"<= {0.5 * effect:.3g}"},
                 margin=margin, details={"h": hs, "errors": errs, "effect": effect, "R": R})


@claim(
    id="pesme2021.sgf.ito_product",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"Along the Itô SGF $dw_\pm=\mp\frac1n(X^\top r)\odot w_\pm dt\pm2\sqrt{\gamma L/n}\,"
              r"w_\pm\odot X^\top dB_t$ (one $n$-dimensional Brownian motion), pathwise "
              r"$w_+\odot w_-=\alpha_t^2$ with $\alpha_t=\alpha\odot\exp(-2\gamma\,\mathrm{diag}"
              r"(X^\top X/n)\int_0^tL\,ds)$.",
    strategy=_ITO_STRATEGY,
    tolerance="Euler-Maruyama on w over the ladder h = gamma, gamma/4, gamma/16 on ONE Brownian path "
              "(120 gamma of SDE time): the max error of ln(w+ w- / alpha^2) against the formula "
              "must shrink with fitted slope >= 0.3 (observed 0.5-1 typically, up to 3 when the coarse "
              "level h = gamma sits near the stability edge at f ~ 2; no upper bound: the identity "
              "asserts only that the error vanishes as h -> 0, so faster decay is not a violation, "
              "and the falsifying variants fail by slope ~ 0) and be below half the effect at the "
              "finest h. Deterministic given the seed.",
    assumptions=_P_CONV + " gamma = f gamma_0, f in [0.5, 2]; column scales e^{U[-1,1] k}, k <= 1.",
    closed_form=r"Itô (sympy): $d\ln w_\pm=\mp\frac1n X^\top r\,dt-2\gamma\frac Ln\mathrm{diag}(X^\top X)"
                r"dt\pm2\sqrt{\gamma L/n}X^\top dB$; summed: $d\ln(w_+w_-)=-4\gamma L\,"
                r"\mathrm{diag}(X^\top X)/n\,dt$.",
    examples={"dev": 2, "ci": 4, "thorough": 40},
)
def sgf_ito_product(inst: dict, ctx) -> Check:
    """Order test of the product identity under Euler-Maruyama (not built into the scheme).

    The log-coordinate Itô scheme satisfies the identity to round-off by construction; that
    structural check is in the tests, not here.
    """
    return _ito_check(inst, ctx)


_ITO_VARIANT = strat.fixed_family(n=6, d=12, s=2, a=0.6, f=1.5, spread=0.2, seeds=8)


@sgf_ito_product.false_variant("stratonovich_heun", "The Stratonovich SGF (Heun) shows the same "
                               "shrink.", strategy=_ITO_VARIANT, examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _ito_check(inst, ctx, scheme="heun")


@sgf_ito_product.false_variant("opposite_sign", "alpha_t = alpha exp(+2 gamma diag int L) (the "
                               "product grows).", strategy=_ITO_VARIANT, examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _ito_check(inst, ctx, sign=+2.0)


@sgf_ito_product.false_variant("gram_matrix", "The shrink uses X^T X 1 / n in place of "
                               "diag(X^T X) / n.", strategy=_ITO_VARIANT, examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _ito_check(inst, ctx, gram=True)


@sgf_ito_product.false_variant("independent_noise", "The identity also holds with independent "
                               "Brownian motions for w+ and w-.", strategy=_ITO_VARIANT,
                               examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _ito_check(inst, ctx, noise="independent")


# ------------------------------------------------------------------------------ SGF: implicit bias
_SGF_FAMILY = strat.fixed_family(n=6, d=12, s=2, a=1.0, f=1.5, spread=0.2, seeds=3)


@functools.lru_cache(maxsize=64)
def _sgf_ladder_cached(key: tuple, scheme: str, noise: str, R: int, levels: tuple[int, ...],
                       tol: float, t_max: float) -> dict[int, tuple[Run, np.ndarray]]:
    """Milstein/EM runs on one Brownian path per level (h = gamma / level), each finished by its
    Bregman limit once L <= tol. Returns {level: (run, finished limits)}."""
    from sim.noise import BrownianPath

    inst = dict(key)
    data, alpha, gamma = _setup_cached(key)
    top = max(levels)
    hmin = gamma / top
    m = _noise_dimension(noise, data.n, data.d)
    n_fine = int(math.ceil(t_max / hmin))
    out = {}
    for lv in levels:
        stride = top // lv
        path = BrownianPath(_noise_seed(inst, 4), R, m, hmin)
        inc = path.increments(n_fine // stride, stride=stride)
        run = run_sgf(data.X, data.y, alpha, gamma, gamma / lv, n_fine // stride, n_replicas=R,
                      increments=inc, scheme=scheme, noise=noise, tol_loss=tol, check_every=50)
        out[lv] = (run, bregman_limit(data.X, data.y, run.wp, run.wm))
    return out


def _sgf_limit_check(inst: dict, ctx, *, predict: str = "alpha_inf", noise: str = "paper",
                     levels: tuple[int, ...] = (4, 16)) -> Check:
    data, alpha, _ = setup(inst)
    R = ctx.pick(dev=1, ci=2, thorough=6)
    ladder = _sgf_ladder_cached(_key(inst), "milstein", noise, R, levels, 1e-10, 2000.0)
    beta_gf = implicit_for(inst, alpha)
    errs, effect, worst_L = [], math.inf, 0.0
    for lv in levels:
        run, limit = ladder[lv]
        if run.diverged.any():
            return Check.inconclusive(f"SGF diverged at h = gamma/{lv}")
        worst_L = max(worst_L, float(run.loss.max()))
        e = 0.0
        for r in range(R):
            a_inf, truth = _sgf_limit(inst, float(run.loss_integral[r]))
            if lv == max(levels):
                effect = min(effect, float(np.linalg.norm(truth - beta_gf)))
            if predict == "alpha_inf":
                pred = truth
            elif predict == "no_shrink":
                pred = beta_gf
            elif predict == "plus_sign":
                pred = implicit_for(inst, alpha * alpha / a_inf)
            else:  # "no_factor_two": the E-convention exponent applied to the P loss
                pred = implicit_for(inst, np.sqrt(alpha * a_inf))
            e = max(e, float(np.linalg.norm(limit[r] - pred)))
        errs.append(e)
    if worst_L > 1e-10:
        return Check.inconclusive(f"SGF not converged (L_T = {worst_L:.2g})", measured=errs)
    if len(errs) == 1:  # a single level: only the size test (used for grossly wrong models)
        return Check.upper(errs[0], 0.35 * effect, effect_vs_gf=effect, h_over_gamma=1 / levels[0])
    e_coarse, e_fine = errs
    # The error must shrink along the ladder unless it is already far below the effect at the
    # coarse level (then round-off/path noise dominates the comparison).
    shrinks = e_fine <= e_coarse / 1.5 or e_coarse <= 0.05 * effect
    ok = shrinks and e_fine <= 0.35 * effect
    margin = min(max((e_coarse / 1.5 - e_fine) / max(e_coarse, 1e-300),
                     (0.05 * effect - e_coarse) / effect), (0.35 * effect - e_fine) / effect)
    return Check(ok, measured={"err_gamma/4": e_coarse, "err_gamma/16": e_fine},
                 predicted={"shrinks_by": ">= 1.5x", "err_gamma/16": f"<= 0.35 x effect = "
                            f"{0.35 * effect:.3g}"}, margin=margin,
                 details={"effect_vs_gf": effect, "R": R, "scheme": "milstein"})


@claim(
    id="pesme2021.sgf.implicit_bias",
    paper=PAPER,
    status="theorem",
    kind="equality",
    statement=r"Almost surely, if the SGF converges to an interpolator with $\int_0^\infty L<\infty$, then "
              r"$\beta^{SGF}_\infty=\arg\min_{X\beta=y}\phi_{\alpha_\infty}(\beta)$ with the random "
              r"effective initialisation $\alpha_\infty=\alpha\odot\exp(-2\gamma\,\mathrm{diag}"
              r"(X^\top X/n)\int_0^\infty L(\beta_s)ds)$.",
    strategy=_SGF_FAMILY,
    tolerance="Per path, Milstein on w (an Itô scheme that does not hard-code the identity) at "
              "h = gamma/4 and gamma/16 on the same Brownian path, run to L <= 1e-10 and finished by "
              "the exact GF limit from the final state (the noise ~ sqrt(L) is then negligible; "
              "remaining shrink < 1e-8). The distance to argmin phi_{alpha_inf} must shrink >= 1.5x "
              "(order-1 scheme: 2.5-15x observed; waived when already < 0.05x the effect at "
              "gamma/4) and end below 0.35x the size of the effect |argmin phi_{alpha_inf} - "
              "argmin phi_alpha| (observed 0.02-0.08x). Wrong predictions plateau at their bias "
              "(1x, 2x, 0.5x the effect) instead.",
    assumptions=_P_CONV + " n=6, d=12, s=2, a=1, spread 0.2, gamma = 1.5 gamma_0 (about 1/3 of the "
                          "measured SGD edge): the regime where the effect is resolvable at h=gamma/16.",
    closed_form=r"$\ln(w_+/w_-)\in\mathrm{range}(X^\top)$ and $w_+w_-=\alpha_t^2$ give "
                r"$\beta_t=2\alpha_t^2\sinh(X^\top\nu_t)$: at interpolation, the KKT conditions of "
                r"$\min\phi_{\alpha_\infty}$.",
    examples={"dev": 1, "ci": 2, "thorough": 3},
)
def sgf_implicit_bias(inst: dict, ctx) -> Check:
    """Pathwise limit of the SGF against ``implicit_solution(X, y, effective_init(...))``."""
    return _sgf_limit_check(inst, ctx)


@sgf_implicit_bias.false_variant("no_shrink", "The SGF limit is the GF limit argmin phi_alpha.",
                                 examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _sgf_limit_check(inst, ctx, predict="no_shrink")


@sgf_implicit_bias.false_variant("plus_sign", "alpha_inf = alpha exp(+2 gamma diag int L).",
                                 examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _sgf_limit_check(inst, ctx, predict="plus_sign")


@sgf_implicit_bias.false_variant("no_factor_two", "alpha_inf = alpha exp(-gamma diag int L) (the "
                                 "E-convention exponent applied to the P loss).",
                                 examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _sgf_limit_check(inst, ctx, predict="no_factor_two")


@sgf_implicit_bias.false_variant("isotropic_noise", "The same holds for d-dimensional isotropic "
                                 "noise ~ w * dW with the same per-coordinate variance (checked at "
                                 "h = gamma/4 only: the miss is orders of magnitude).",
                                 examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _sgf_limit_check(inst, ctx, noise="isotropic", levels=(4,))


# ------------------------------------------------------------------------------ SGF: the benefit
_BENEFIT_STRATEGY = strat.sparse_instance(n=(5, 10), a=(0.3, 1.0), f=(0.5, 1.5), col_scale=(0.0, 1.5),
                                          zero_columns=1)


def _refined_sgf_runs(inst: dict, R: int, tol: float, t_max: float,
                      h_divs: tuple[float, ...] = (1.0, 2.0, 4.0)) -> tuple[Run, float]:
    """Milstein SGF paths at h = gamma / h_div, refining h while a path diverges or stalls.

    At h = gamma with gamma near 2 gamma_0 the explicit scheme itself can blow up on a path (the
    thorough run: 1 of 8 paths at f = 1.43, 1 of 6 at f = 1.67, 2 of 6 at f = 1.93); at h = gamma/2
    the same instances converge on every path. A scheme instability is not a property of the SGF,
    so the check uses the coarsest h at which every path converges (reported as h_div)."""
    for h_div in h_divs:
        run = sgf_runs(inst, R, h_div=h_div, scheme="milstein", tol=tol, t_max=t_max)
        if not run.diverged.any() and run.loss.max() <= tol:
            break
    return run, h_div


_BENEFIT_VARIANT = strat.fixed_family(n=5, d=9, s=1, a=0.5, f=1.0, spread=0.2, seeds=4,
                                      zero_columns=1)


def _benefit_check(inst: dict, ctx, variant: str = "") -> Check:
    data, alpha, _ = setup(inst)
    R = ctx.pick(dev=3, ci=4, thorough=8)
    run, h_div = _refined_sgf_runs(inst, R, 1e-10, 2000.0)
    if run.diverged.any() or run.loss.max() > 1e-10:
        return Check.inconclusive("SGF did not converge within its budget",
                                  measured=float(run.loss.max()))
    nz = np.any(data.X != 0, axis=0)
    realized = run.log_shrink  # ln(alpha_T / alpha) from w+ w-, per replica and coordinate
    beta_gf = implicit_for(inst, alpha)
    margins, obs = [], {"l1_sgf": [], "l1_gf": float(np.abs(beta_gf).sum()), "test_error_sgf": [],
                        "test_error_gf": float(data.test_error(beta_gf))}
    for r in range(R):
        a_inf, b_sgf = _sgf_limit(inst, float(run.loss_integral[r]))
        obs["l1_sgf"].append(float(np.abs(b_sgf).sum()))
        obs["test_error_sgf"].append(float(data.test_error(b_sgf)))
        scale = 1.0 + float(np.linalg.norm(beta_gf))
        dist = float(np.linalg.norm(b_sgf - beta_gf))
        if variant == "alpha_inf_above":
            margins.append(float(np.min(realized[r, nz])))  # claims ln(alpha_inf / alpha) >= 0
            continue
        if variant == "shrink_every_column":
            margins.append(float(-np.max(realized[r])))  # claims a strict shrink on every column
            continue
        if variant == "same_limit":
            margins.append((1e-8 * scale - dist) / scale)
            continue
        # The realised shrink of a discretised path carries the scheme's pathwise error, which can
        # exceed the effect on a coordinate (thorough: +7.7e-7 realised vs -2.9e-5 predicted at
        # h = gamma with int L ~ 1e-4; +0.063 vs -0.14 on a large-excursion path at f = 1.43): its
        # sign is reported, and the identity itself is pesme2021.sgf.ito_product's job (h -> 0).
        obs.setdefault("realised_wrong_sign", []).append(int(np.sum(realized[r, nz] >= 0)))
        m_zero = -float(np.max(np.abs(realized[r, ~nz]))) if (~nz).any() else 0.0  # == 0 exactly
        m_formula = float(np.min(np.log(alpha[nz] / a_inf[nz])))  # alpha_inf < alpha (formula)
        m_differ = (dist - 1e-8 * scale) / scale
        gap1 = potential(beta_gf, a_inf) - potential(b_sgf, a_inf)  # b_sgf optimal for phi_{a_inf}
        gap2 = potential(b_sgf, alpha) - potential(beta_gf, alpha)  # beta_gf optimal for phi_alpha
        tol_phi = 1e-9 * (1.0 + potential(beta_gf, alpha))
        # The gaps are second order in the distance of the limits: ~ delta^T H delta / 2 with
        # H = diag(1 / (4 sqrt(beta^2 + 4 a^4))) (Hessian of phi_a). When that predicted gap is
        # below the potential's precision tol_phi, a strict gap cannot be resolved: then the gaps
        # must only not be negative beyond precision (strictness follows from the limits differing,
        # m_differ > 0, and strict convexity); otherwise they must exceed tol_phi.
        delta = b_sgf - beta_gf
        q1 = 0.5 * float(np.sum(delta ** 2 / (4.0 * np.sqrt(b_sgf ** 2 + 4.0 * a_inf ** 4))))
        q2 = 0.5 * float(np.sum(delta ** 2 / (4.0 * np.sqrt(beta_gf ** 2 + 4.0 * alpha ** 4))))
        need1 = tol_phi if q1 > 10.0 * tol_phi else -tol_phi
        need2 = tol_phi if q2 > 10.0 * tol_phi else -tol_phi
        obs.setdefault("gaps_resolved", []).append(bool(q1 > 10.0 * tol_phi and q2 > 10.0 * tol_phi))
        obs.setdefault("potential_gaps", []).append([float(gap1), float(gap2)])
        # m_zero == 0 exactly is the claim (zero columns never move); anything else violates it.
        margins.append(min(m_formula, m_differ, gap1 - need1, gap2 - need2,
                           math.inf if m_zero == 0.0 else -1.0))
    margin = float(min(margins))
    obs["l1_sgf_below_gf"] = bool(max(obs["l1_sgf"]) <= obs["l1_gf"])
    obs["test_error_sgf_below_gf"] = bool(max(obs["test_error_sgf"]) <= obs["test_error_gf"])
    return Check(margin > 0, measured={"min_margin": margin}, predicted="> 0", margin=margin,
                 details={"R": R, "h_div": h_div, **obs})


@claim(
    id="pesme2021.sgf.benefit",
    paper=PAPER,
    status="theorem",
    kind="comparison",
    statement=r"Proven part of the headline: on every SGF path, $\alpha_\infty<\alpha$ on every "
              r"coordinate with a non-zero column of $X$ (equality on zero columns), the SGF limit "
              r"$\hat\beta_{\alpha_\infty}$ differs from the GF limit $\hat\beta_\alpha$, and each "
              r"limit has the lower potential of its own kind: "
              r"$\phi_{\alpha_\infty}(\hat\beta_{\alpha_\infty})<\phi_{\alpha_\infty}(\hat\beta_\alpha)$ and "
              r"$\phi_\alpha(\hat\beta_\alpha)<\phi_\alpha(\hat\beta_{\alpha_\infty})$; "
              r"$\phi_{\alpha_\infty}$ is closer to a weighted $\ell_1$ norm (weights "
              r"$\ln(1/\alpha_{\infty,i})$). Only observed, not proven: a smaller $\ell_1$ norm and a "
              r"smaller test error (see pesme2021.generalisation.* and pesme2021.conj.*).",
    strategy=_BENEFIT_STRATEGY,
    tolerance="Milstein paths (h = gamma, halved up to twice while a path diverges: a scheme "
              "instability near f = 2, not an SGF property; run to L <= 1e-10) give each path's int L; "
              "alpha_inf = alpha exp(-2 gamma diag(X^T X/n) int L) must be < alpha on non-zero "
              "columns, and the realised ln(w+ w- / alpha^2)/2 exactly 0 on the zero column. The "
              "realised shrink's sign on non-zero columns is reported, not asserted: at h = gamma its "
              "pathwise discretisation error can exceed the effect on a coordinate (thorough: +7.7e-7 "
              "realised vs -2.9e-5 predicted with int L ~ 1e-4; +0.063 vs -0.14 on a large-excursion "
              "path at f = 1.43); the identity is tested as h -> 0 by pesme2021.sgf.ito_product. Limits "
              "must differ by > 1e-8 (1+|beta_gf|) (solver accuracy 1e-10); potential gaps must "
              "exceed tol_phi = 1e-9 (1 + phi) when resolvable, i.e. when the second-order prediction "
              "delta^T H_phi delta / 2 exceeds 10 tol_phi; below that (tiny int L: shrink ~3e-7, limits "
              "1e-7 apart, gaps ~1e-15 on the thorough counterexample) the gaps need only be > "
              "-tol_phi, strictness then following from distinct limits and strict convexity. The l1 "
              "and test-error comparisons are reported, not asserted.",
    assumptions=_P_CONV + " one all-zero column, column scales e^{k U[-1,1]}, k <= 1.5.",
    closed_form=r"$\ln(\alpha_\infty/\alpha)=-2\gamma\,\mathrm{diag}(X^\top X/n)\int_0^\infty L<0$; "
                r"strict convexity of $\phi$ makes each argmin unique.",
    examples={"dev": 2, "ci": 4, "thorough": 40},
)
def sgf_benefit(inst: dict, ctx) -> Check:
    """Strict shrink, distinct limits and the two optimality gaps, per SGF path."""
    return _benefit_check(inst, ctx)


@sgf_benefit.false_variant("alpha_inf_above", "The SGF effective initialisation is larger than "
                           "alpha (opposite sign of the Itô correction).",
                           strategy=_BENEFIT_VARIANT, examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _benefit_check(inst, ctx, "alpha_inf_above")


@sgf_benefit.false_variant("shrink_every_column", "alpha_inf < alpha on every coordinate, zero "
                           "columns included.", strategy=_BENEFIT_VARIANT, examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _benefit_check(inst, ctx, "shrink_every_column")


@sgf_benefit.false_variant("same_limit", "SGF and GF have the same limit (to 1e-8).",
                           strategy=_BENEFIT_VARIANT, examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _benefit_check(inst, ctx, "same_limit")


# ------------------------------------------------------------------------------ SGD: exact limit
_SGD_STRATEGY = strat.sparse_instance(n=(5, 10), a=(0.3, 1.0), f=(0.5, 2.5), spread=(0.0, 0.4))


def _sgd_limit_check(inst: dict, ctx, mode: str = "exact") -> Check:
    data, alpha, _ = setup(inst)
    R = ctx.pick(dev=3, ci=4, thorough=8)
    run = sgd_runs(inst, R, tol=1e-20, t_max=3000.0)
    if run.diverged.any():
        return Check.inconclusive("an SGD replica diverged (step above the edge)")
    if run.loss.max() > 1e-20:
        return Check.inconclusive("SGD did not reach L <= 1e-20", measured=float(run.loss.max()))
    P = kernel_projector(data.X)
    preds = []
    for r in range(R):
        if mode == "exact":
            preds.append(implicit_for(inst, alpha * np.exp(run.log_shrink[r]), c=P @ run.c[r] / 4))
        elif mode == "no_offset":
            preds.append(implicit_for(inst, alpha * np.exp(run.log_shrink[r])))
        else:  # the SGF formula, treated as pathwise exact
            preds.append(_sgf_limit(inst, float(run.loss_integral[r]))[1])
    return Check.close(run.beta, np.asarray(preds), atol=1e-6, L_T=float(run.loss.max()), R=R)


@claim(
    id="pesme2021.sgd.limit_exact",
    paper=EVEN,
    status="derived",
    kind="equality",
    statement=r"Discrete SGD $w_\pm\leftarrow w_\pm\odot(1\mp\gamma g_k)$ converges to "
              r"$\arg\min_{X\beta=y}[\phi_{\alpha^{ex}_\infty}(\beta)"
              r"-\frac14\langle c_\perp,\beta\rangle]$ with the "
              r"exact shrink $\alpha^{ex}_\infty=\alpha\odot\exp(\frac12\sum_k\ln|1-(\gamma g_k)^2|)$ and "
              r"$c_\perp=\Pi_{\ker X}\sum_k[\ln|1-\gamma g_k|-\ln|1+\gamma g_k|+2\gamma g_k]$.",
    strategy=_SGD_STRATEGY,
    tolerance="max-norm 1e-6 once L <= 1e-20 (the residual level); shrink and offset accumulated "
              "step by step in float64 (error ~1e-12 sqrt(steps)).",
    assumptions=_P_CONV + " batch 1 with replacement, gamma = f gamma_0, f in [0.5, 2.5] "
                          "(sign flips |gamma g| > 1 allowed: |.| in the formula).",
    closed_form=r"$(1-x)(1+x)=1-x^2$ (sympy); $\ln\frac{w_+}{w_-}=-2\gamma\sum_kg_k+c$ with "
                r"$-2\gamma\sum g_k\in\mathrm{range}(X^\top)$.",
    examples={"dev": 3, "ci": 6, "thorough": 60},
)
def sgd_limit_exact(inst: dict, ctx) -> Check:
    """SGD limit against ``implicit_solution`` at the exact shrink with the kernel offset."""
    return _sgd_limit_check(inst, ctx)


@sgd_limit_exact.false_variant("sgf_formula_pathwise", "The SGD limit is argmin phi at the SGF "
                               "alpha_inf (formula with gamma sum L), to 1e-6.", examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _sgd_limit_check(inst, ctx, "sgf")


@sgd_limit_exact.false_variant(
    "no_offset", "The offset c_perp can be dropped (to 1e-6) at steps near half the edge.",
    strategy=strat.sparse_instance(n=(5, 10), a=(0.3, 1.0), f=(1.5, 2.5)), examples={"dev": 2, "ci": 3})
def _(inst, ctx):
    return _sgd_limit_check(inst, ctx, "no_offset")


# ------------------------------------------------------------------------------ SGD vs SGF shrink
_SHRINK_STRATEGY = strat.sparse_instance(n=(6, 12), a=(0.3, 1.0), f=(0.5, 1.0), spread=(0.0, 0.3))


def _shrink_stats(inst: dict, ctx) -> tuple[np.ndarray, np.ndarray, np.ndarray, Run]:
    data, alpha, gamma = setup(inst)
    R = ctx.pick(dev=48, ci=64, thorough=256)
    run = sgd_runs(inst, R, tol=1e-10, t_max=3000.0)
    live = ~run.diverged
    ex = -run.log_shrink.mean(axis=1)[live]
    sgf = (2 * gamma * data.diag.mean() * run.loss_integral)[live]
    corr = np.array([np.corrcoef(-run.log_shrink[r], data.diag)[0, 1] if data.diag.std() > 0 else 1.0
                     for r in np.flatnonzero(live)])
    return ex, sgf, corr, run


@claim(
    id="pesme2021.sgd.shrink_mean_matches_sgf",
    paper=PAPER,
    status="empirical",
    kind="equality",
    statement=r"For batch-1 SGD with $\gamma\le\gamma_0$ (about a fifth of the measured edge), the "
              r"SGF formula predicts the exact shrink only on average over coordinates and seeds, and "
              r"only roughly: $\mathbb E\,\mathrm{mean}_i\ln(\alpha_i/\alpha^{ex}_{\infty,i})=\rho\,"
              r"\mathbb E\,2\gamma\,\mathrm{mean}_i\mathrm{diag}_i\int L$ with $\rho\in[0.75,1.5]$. "
              r"Coordinatewise the realised shrink is only loosely aligned with "
              r"$\mathrm{diag}(X^\top X)$ (correlation 0.5-0.95).",
    strategy=_SHRINK_STRATEGY,
    tolerance="the (1 - level) t-interval of rho - 1 = mean(exact - formula) / mean(formula) over R "
              "seeds (48 at dev) must lie inside [-0.25, 0.5]; outside -> falsified; straddling -> "
              "inconclusive. The band is measured, not derived: rho was 0.86-1.33 (CI ends) for "
              "f <= 1 on this family and reached 1.5 at f ~ 2 (the SGF formula then underestimates "
              "the SGD shrink); the spec's 15% does not hold on every instance.",
    assumptions=_P_CONV + " f in [0.5, 1].",
    examples={"dev": 1, "ci": 3, "thorough": 40},
)
def sgd_shrink_mean_matches_sgf(inst: dict, ctx) -> Check:
    """Seed-averaged exact SGD shrink against the SGF formula evaluated on each SGD path."""
    from scipy import stats

    ex, sgf, corr, run = _shrink_stats(inst, ctx)
    if ex.size < 4:
        return Check.inconclusive("too many diverged replicas")
    diff = (ex - sgf) / sgf.mean()
    m, se = float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(diff.size))
    q = float(stats.t.ppf(1 - ctx.level / 2, diff.size - 1))
    lo, hi = m - q * se, m + q * se
    inside = -0.25 <= lo and hi <= 0.5
    outside = hi < -0.25 or lo > 0.5
    t_stat = max(-0.25 - m, m - 0.5) / max(se, 1e-300)
    p = float(stats.t.sf(t_stat, diff.size - 1))
    return Check.test(reject=outside, p_value=p, level=ctx.level, supports=inside,
                      measured=1 + m, predicted="[0.75, 1.5]", margin=min(lo + 0.25, 0.5 - hi),
                      ci=[1 + lo, 1 + hi], R=int(ex.size), coordinatewise_corr=float(corr.mean()))


@sgd_shrink_mean_matches_sgf.false_variant(
    "coordinatewise", "The exact shrink is proportional to diag(X^T X) coordinatewise "
    "(correlation >= 0.95 on every path).", examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    _, _, corr, _ = _shrink_stats(inst, ctx)
    return Check.lower(float(corr.min()), 0.95)


# ------------------------------------------------------------------------------ SGF vs SGD
_MATCH_STRATEGY = strat.sparse_instance(n=(6, 10), a=(0.3, 1.0), f=(0.5, 1.0), spread=(0.0, 0.3))


_MATCH_LOG_MARGIN = math.log(2.0)
_MATCH_SPREAD_MARGIN = math.log(3.0)


def _log_sd_ratio(a: np.ndarray, b: np.ndarray, seed: np.random.SeedSequence,
                  B: int = 400) -> tuple[float, float]:
    """``ln(sd(b) / sd(a))`` and its bootstrap standard error (``B`` resamples of each sample)."""
    rng = np.random.default_rng(seed)
    est = math.log(b.std(ddof=1) / a.std(ddof=1))
    ia = rng.integers(0, a.size, (B, a.size))
    ib = rng.integers(0, b.size, (B, b.size))
    boot = np.log(b[ib].std(axis=1, ddof=1) / np.maximum(a[ia].std(axis=1, ddof=1), 1e-300))
    return est, float(boot.std(ddof=1))


def _match_check(inst: dict, ctx, noise: str = "paper", ks_test_error: bool = False,
                 R: int | None = None, h_div: float = 2.0, ks_loss_integral: bool = False) -> Check:
    from scipy import stats

    data, _, _ = setup(inst)
    R = R or ctx.pick(dev=24, ci=32, thorough=128)
    sgd = sgd_runs(inst, R, tol=1e-10, t_max=3000.0)
    sgf = sgf_runs(inst, R, h_div=h_div, scheme="milstein", noise=noise, tol=1e-10, t_max=3000.0)
    a_ok, b_ok = ~sgd.diverged, ~sgf.diverged
    if a_ok.sum() < R // 2 or b_ok.sum() < R // 2:
        return Check.inconclusive("too many diverged replicas")
    Ja, Jb = sgd.loss_integral[a_ok], sgf.loss_integral[b_ok]
    Ta, Tb = data.test_error(sgd.beta[a_ok]), data.test_error(sgf.beta[b_ok])
    level = ctx.level / 3  # Bonferroni over the three statistics
    q = float(stats.norm.ppf(1 - level))
    p_J = float(stats.ks_2samp(Ja, Jb).pvalue)
    rel_J = float(abs(Jb.mean() - Ja.mean()) / Ja.mean())
    # int L: geometric means within a factor 2 (TOST on the mean of ln int L, Welch, normal approx.).
    la, lb = np.log(Ja), np.log(Jb)
    dlog = float(lb.mean() - la.mean())
    se_log = math.sqrt(la.var(ddof=1) / la.size + lb.var(ddof=1) / lb.size)
    llo, lhi = dlog - q * se_log, dlog + q * se_log
    j_reject = llo > _MATCH_LOG_MARGIN or lhi < -_MATCH_LOG_MARGIN
    j_support = -_MATCH_LOG_MARGIN <= llo and lhi <= _MATCH_LOG_MARGIN
    p_Jt = float(stats.norm.sf((abs(dlog) - _MATCH_LOG_MARGIN) / max(se_log, 1e-300)))
    # dispersion of ln int L: SGF's at least a third of SGD's (one-sided, bootstrap normal approx.).
    rho, se_rho = _log_sd_ratio(la, lb, _noise_seed(inst, 7))
    s_reject = rho + q * se_rho < -_MATCH_SPREAD_MARGIN
    s_support = rho - q * se_rho >= -_MATCH_SPREAD_MARGIN
    p_S = float(stats.norm.cdf((rho + _MATCH_SPREAD_MARGIN) / max(se_rho, 1e-300)))
    # test error: equal means within 5% (two one-sided Welch tests, TOST); or KS for the variant.
    diff = float(Tb.mean() - Ta.mean())
    se = math.sqrt(Ta.var(ddof=1) / Ta.size + Tb.var(ddof=1) / Tb.size)
    lo, hi = (diff - q * se) / Ta.mean(), (diff + q * se) / Ta.mean()
    details = {"R": R, "loss_integral": {"sgd": [float(Ja.mean()), float(Ja.std())],
                                         "sgf": [float(Jb.mean()), float(Jb.std())],
                                         "median_ratio": float(np.median(Jb) / np.median(Ja)),
                                         "geo_mean_ratio": math.exp(dlog),
                                         "log_ratio_ci": [llo, lhi], "ks_p": p_J,
                                         "log_sd_ratio": [rho, rho - q * se_rho, rho + q * se_rho]},
               "test_error": {"sgd": [float(Ta.mean()), float(Ta.std())],
                              "sgf": [float(Tb.mean()), float(Tb.std())],
                              "rel_mean_diff_ci": [lo, hi],
                              "ks_p": float(stats.ks_2samp(Ta, Tb).pvalue)}}
    measured = {"int_L": float(Jb.mean()), "test_error": float(Tb.mean())}
    predicted = {"int_L": float(Ja.mean()), "test_error": float(Ta.mean())}
    if ks_test_error or ks_loss_integral:  # the falsified "equal in distribution" forms
        p_T = details["test_error"]["ks_p"] if ks_test_error else 1.0
        return Check.test(reject=min(p_J, p_T) < level, p_value=min(1.0, 2 * min(p_J, p_T)),
                          level=ctx.level, supports=True, measured=measured, predicted=predicted,
                          **details)
    te_reject = lo > 0.05 or hi < -0.05
    te_support = -0.05 <= lo and hi <= 0.05
    t_stat = (abs(diff) / Ta.mean() - 0.05) * Ta.mean() / max(se, 1e-300)
    p_T = float(stats.norm.sf(t_stat))
    reject = j_reject or te_reject or s_reject
    return Check.test(reject=reject, p_value=min(1.0, 3 * min(p_Jt, p_T, p_S)), level=ctx.level,
                      supports=te_support and j_support and s_support, measured=measured,
                      predicted=predicted,
                      margin=min(_MATCH_LOG_MARGIN - max(abs(llo), abs(lhi)),
                                 0.05 - max(abs(lo), abs(hi)),
                                 rho - q * se_rho + _MATCH_SPREAD_MARGIN),
                      rel_mean_diff_int_L=rel_J, **details)


@claim(
    id="pesme2021.sgf.matches_sgd",
    paper=PAPER,
    status="empirical",
    kind="distributional",
    statement=r"At the same step $\gamma$ (here $\le\gamma_0$, about a fifth of the edge), the paper's SGF "
              r"and batch-1 SGD agree on the loss integral $\int L$ to within a factor 2 in geometric "
              r"mean ($|E\ln\int L_{SGF}-E\ln\int L_{SGD}|\le\ln2$) with a comparable spread (the "
              r"standard deviation of $\ln\int L$ at least a third of SGD's), and in mean (within 5%) on "
              r"the final test error $\|\beta_T-\beta^\star\|^2$. They are NOT equal in "
              r"distribution: SGF is a weak $O(\gamma)$ approximation, and at $\gamma\sim\gamma_0$ its "
              r"$\int L$ has a heavier right tail and a median up to ~30% lower than SGD's (false "
              r"variants loss_integral_in_distribution, test_error_in_distribution).",
    strategy=_MATCH_STRATEGY,
    tolerance="R = 24 (dev), 32 (ci), 128 (thorough) paths of each; Bonferroni over three "
              "statistics at the claim's level (family error 0.01): two two-one-sided Welch tests "
              "(normal approximation): the mean of ln int L differs by < ln 2, the test-error means "
              "by < 5%; and a one-sided test (bootstrap s.e., 400 resamples seeded by the instance) "
              "that sd(ln int L_SGF) / sd(ln int L_SGD) >= 1/3 (measured 0.71-1.77 over 7 instances "
              "at R = 64; the gamma-amplitude SGF gives 0.05-0.25, which the location test alone "
              "cannot tell from SGD: its geometric-mean ratio is 0.33-0.92). "
              "The factor-2 margin is an equivalence margin for a weak O(gamma) approximation at "
              "gamma up to gamma_0 (gamma lambda_max up to ~0.4, no small-step regime): measured "
              "geometric-mean / median ratios SGF/SGD 0.70-1.09 over 13 instances of this family at "
              "R = 128 (seed-0 thorough counterexample of the old KS form: median ratio 0.70, KS "
              "p = 1e-12). ln int L is used because SGF's int L is heavy-tailed (a few paths 3-50x "
              "the SGD maximum), which makes the arithmetic mean unstable. Rejection -> falsified; "
              "no decision -> inconclusive.",
    assumptions=_P_CONV + " f in [0.5, 1]; SGF by Milstein at h = gamma/2, SGD with replacement.",
    examples={"dev": 1, "ci": 3, "thorough": 20},
)
def sgf_matches_sgd(inst: dict, ctx) -> Check:
    """Two-sample comparison of SGD and SGF paths: TOST on E ln int L (factor 2) and on the
    test-error mean (5%)."""
    return _match_check(inst, ctx)


@sgf_matches_sgd.false_variant(
    "loss_integral_in_distribution", "SGF and SGD loss integrals are equal in distribution (two-sample KS "
    "at R = 128; the form this claim had before the thorough run falsified it).",
    strategy=strat.fixed_family(n=6, d=9, s=1, a=1.0, f=1.0, seeds=1), examples={"dev": 1, "ci": 1})
def _(inst, ctx):
    return _match_check(inst, ctx, ks_loss_integral=True, R=128)


@sgf_matches_sgd.false_variant("gamma_amplitude", "The SGF with noise amplitude ~ gamma instead of "
                               "sqrt(gamma) also matches SGD.", examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _match_check(inst, ctx, noise="gamma_amplitude", R=48, h_div=1.0)


@sgf_matches_sgd.false_variant("test_error_in_distribution", "SGF and SGD test errors are equal in "
                               "distribution (KS), not only in mean.", examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _match_check(inst, ctx, ks_test_error=True)


# ------------------------------------------------------------------------------ convergence
_CONV_STRATEGY = strat.sparse_instance(n=(5, 12), a=(0.3, 1.0), f=(0.25, 1.0), spread=(0.0, 0.3))
_CONV_CAP = 10.0  # the falsified pathwise cap (false variant pathwise_cap_10)


def _conv_check(inst: dict, ctx, f_mult: float = 1.0, cap: float | None = None,
                R: int | None = None) -> Check:
    data, alpha, gamma = setup(inst)
    R = R or ctx.pick(dev=3, ci=4, thorough=16)
    run = sgf_runs(inst, R, h_div=2.0, scheme="milstein", tol=1e-10, t_max=3000.0, f_mult=f_mult)
    J_gf = 0.5 * potential(implicit_for(inst, alpha), alpha)
    if run.diverged.any():
        bad = np.flatnonzero(run.diverged).tolist()
        return Check(False, measured={"diverged_replicas": bad}, predicted="none", margin=-1.0,
                     details={"steps": run.steps})
    if run.loss.max() > 1e-10:
        return Check.inconclusive(f"not converged within t = {run.time:g} "
                                  f"(L = {float(run.loss.max()):.2g}); rate unknown",
                                  measured=float(run.loss.max()))
    ratios = run.loss_integral / J_gf
    details = dict(final_loss=float(run.loss.max()), time=run.time, loss_integral=run.loss_integral,
                   gf_loss_integral=J_gf, ratio_max=float(ratios.max()),
                   ratio_median=float(np.median(ratios)), ratio_mean=float(ratios.mean()))
    if cap is not None:
        return Check.upper(float(ratios.max()), cap, **details)
    if not np.all(np.isfinite(run.loss_integral)):
        return Check(False, measured={"loss_integral": run.loss_integral}, predicted="finite",
                     margin=-1.0, details=details)
    # Every path reached L <= 1e-10 with a finite loss integral: the claim. The ratio to GF's
    # int L is reported (heavy-tailed across paths), not bounded.
    return Check.upper(float(run.loss.max()), 1e-10, **details)


@claim(
    id="pesme2021.convergence",
    paper=PAPER,
    status="theorem",
    kind="upper_bound",
    statement=r"Below a step-size bound, SGF converges: on every path $L(\beta_t)\to0$ and "
              r"$\int_0^\infty L\,dt<\infty$. The paper's constant is unknown (reconstructed); checked "
              r"for $\gamma\le\gamma_0$ (about a fifth of the measured SGD edge). No pathwise cap "
              r"$\int L_{SGF}\le C\int L_{GF}$ holds with a fixed $C$: the ratio is heavy-tailed "
              r"across paths (median ~1-2, single paths above 30; false variant pathwise_cap_10).",
    strategy=_CONV_STRATEGY,
    tolerance="every path must reach L <= 1e-10 (Milstein, h = gamma/2) within t = 3000 with a "
              "finite int L (else inconclusive: no rate is encoded); a diverged path falsifies. "
              "The ratio int L_SGF / int L_GF (int L_GF = phi_alpha(beta_hat)/2) is reported in the "
              "details, not bounded: the earlier empirical cap 10 was a heuristic that the thorough "
              "run falsified (ratio 31.5 on one of 16 paths of n=5, d=12, seed 5, f=1; the other 15 "
              "paths 0.6-4.2), and the paper asserts finiteness, not a constant.",
    assumptions=_P_CONV + " f in [0.25, 1].",
    examples={"dev": 2, "ci": 4, "thorough": 40},
)
def convergence(inst: dict, ctx) -> Check:
    """Every SGF path converges (L <= 1e-10) with a finite loss integral; the ratio to GF's
    integral is reported."""
    return _conv_check(inst, ctx)


@convergence.false_variant("any_step_size", "SGF converges at any step size (here 15 gamma_0, about "
                           "3x the measured edge).", examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    # gamma = 15 gamma_0 whatever the instance's f; 8 paths (3 at dev rarely include a divergence)
    return _conv_check(inst, ctx, f_mult=15.0 / inst["f"], R=8)


@convergence.false_variant(
    "pathwise_cap_10", "On every path int L_SGF <= 10 int L_GF (the claim's earlier empirical cap), "
    "16 paths.",
    strategy=strat.instances({"n": 5, "d": 12, "s": 1, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": 5}),
    examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _conv_check(inst, ctx, cap=_CONV_CAP, R=16)


# ------------------------------------------------------------------------------ slower is stronger
_SLOW_STRATEGY = strat.sparse_instance(n=(6, 10), a=(0.3, 1.0), spread=(0.0, 0.0), f=(1.0, 1.0),
                                       s_max_frac=0.3).map(lambda d: {**d, "standardize": 1})
_SLOW_LEVELS = (0.5, 0.75, 1.0)
_SLOW_H_DIV = 4.0


def _slow_runs(inst: dict, ctx, levels: tuple[float, ...] = _SLOW_LEVELS,
               h_div: float = _SLOW_H_DIV, R: int | None = None) -> list[tuple[float, float, float]]:
    """(kappa = 2 gamma int L, realised mean shrink, gamma) per path over step levels."""
    data, _, gamma0 = setup(inst)
    R = R or ctx.pick(dev=2, ci=3, thorough=6)
    out = []
    for fm in levels:
        run = sgf_runs(inst, R, h_div=h_div, scheme="milstein", tol=1e-10, t_max=2000.0, f_mult=fm)
        for r in np.flatnonzero(~run.diverged):
            kappa = 2 * gamma0 * fm * float(run.loss_integral[r])  # diag(X^T X/n) = 1
            out.append((kappa, float(-run.log_shrink[r].mean()), gamma0 * fm))
    return out


def _worst_order_gap(key: np.ndarray, val: np.ndarray, *, factor: float = 1.0,
                     relative: bool = False) -> float:
    """``min (val_i - val_j)`` (divided by ``val_j`` if ``relative``) over the pairs with
    ``key_i > factor key_j``: >= 0 iff ``val`` is ordered like ``key`` there (inf: no such pair)."""
    m = math.inf
    for i in range(len(key)):
        for j in range(len(key)):
            if key[i] > factor * key[j]:
                gap = val[i] - val[j]
                m = min(m, float(gap / val[j] if relative else gap))
    return m


def _slow_check(inst: dict, ctx, variant: str = "") -> Check:
    data, alpha, _ = setup(inst)
    if variant == "coarse_2gamma0":  # the form the thorough run falsified
        pts = sorted(_slow_runs(inst, ctx, levels=(0.5, 1.0, 2.0), h_div=1.0, R=6))
    else:
        pts = sorted(_slow_runs(inst, ctx))
    if len(pts) < 4:
        return Check.inconclusive("too many diverged paths")
    kap = np.array([p[0] for p in pts])
    real = np.array([p[1] for p in pts])
    ratio = real / kap  # realised / predicted shrink: 1 up to the scheme's discretisation error
    if variant == "independent":
        spread = float(real.max() / real.min())
        return Check.upper(spread, 1.1, kappas=kap, realised=real)
    # (1) ordering: a clearly larger kappa (by 25%) gives a larger realised shrink.
    m1 = _worst_order_gap(kap, real, factor=1.25, relative=True)
    # (2) uniform shrink (standardised columns, uniform alpha): closer to the min-l1 interpolant.
    b1 = min_l1_interpolant(data.X, data.y)
    dist = []
    for k in kap:
        b = implicit_for(inst, alpha * math.exp(-k))
        dist.append(float(np.abs(b - b1).sum()))
    dist = np.array(dist)
    m2 = float(np.min(np.diff(-dist))) / (1.0 + float(np.abs(b1).sum()))  # >= 0 if non-increasing
    margin = min(m1, m2 + 1e-9)
    return Check(margin >= 0, measured={"min_order_gap": m1, "min_l1_distance_decrease": m2},
                 predicted=">= 0", margin=margin,
                 details={"kappa": kap, "realised_shrink": real, "l1_distance": dist,
                          "realised_over_kappa": [float(ratio.min()), float(ratio.max())]})


@claim(
    id="pesme2021.bias.slower_is_stronger",
    paper=PAPER,
    status="empirical",
    kind="monotone",
    statement=r"Slower convergence, stronger bias: across SGF runs (several steps and paths), a larger "
              r"$\kappa=2\gamma\int L$ gives a smaller "
              r"$\alpha_\infty=\alpha e^{-\kappa\,\mathrm{diag}(X^\top X/n)}$, "
              r"monotonically (realised on the paths, for $\gamma\le\gamma_0$), and for a uniform "
              r"shrink (standardised columns, "
              r"uniform $\alpha$) a limit closer in $\ell_1$ to the minimum-$\ell_1$ interpolant. The "
              r"mechanism ($\ln(\alpha/\alpha_\infty)$ linear in $\gamma\int L$) is derived "
              r"(pesme2021.sgf.ito_product); the monotone approach to min-l1 is observed.",
    strategy=_SLOW_STRATEGY,
    tolerance="Milstein paths (h = gamma/4) at gamma = (0.5, 0.75, 1) gamma_0, run to L <= 1e-10: "
              "any two paths whose kappa differ by > 25% must be ordered. 25% must exceed the "
              "scatter of the realised shrink / kappa (the scheme's pathwise discretisation error): "
              "measured max/min 1.02-1.18 over 6 instances at h = gamma/4, gamma <= gamma_0. The "
              "earlier form (h = gamma, gamma up to 2 gamma_0) was falsified by thorough (gap "
              "-0.0066 on seed 1): there realised/kappa spans 0.94-1.82 (1.6x even at h = gamma/4 "
              "and 2.2x at h = gamma/8 on single 2 gamma_0 paths with large excursions), so the "
              "pathwise ordering is not resolvable at 2 gamma_0 (false variant coarse_2gamma0). "
              "The l1 distance to the LP solution must be "
              "non-increasing in kappa up to 1e-9 (1 + |b_l1|_1) (solver accuracy).",
    assumptions=_P_CONV + " columns scaled to |x_j|^2 = n, uniform alpha, s <= 0.3 n.",
    examples={"dev": 1, "ci": 3, "thorough": 30},
)
def bias_slower_is_stronger(inst: dict, ctx) -> Check:
    """Ordering of realised shrinks by kappa, and l1 distance of the implied limits to min-l1."""
    return _slow_check(inst, ctx)


@bias_slower_is_stronger.false_variant(
    "coarse_2gamma0", "The same pathwise ordering with gamma up to 2 gamma_0 and Milstein at h = gamma "
    "(the form falsified by the thorough run).",
    strategy=strat.instances({"n": 6, "d": 9, "s": 1, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": 1,
                              "standardize": 1}), examples={"dev": 1, "ci": 1})
def _(inst, ctx):
    return _slow_check(inst, ctx, "coarse_2gamma0")


@bias_slower_is_stronger.false_variant("independent", "The shrink does not depend on the loss "
                                       "integral (equal within 10% across runs).",
                                       examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _slow_check(inst, ctx, "independent")


@bias_slower_is_stronger.false_variant(
    "sgd_seedwise", "For discrete SGD at a fixed step, a larger int L gives a larger exact shrink on "
    "every pair of seeds (monotone across seeds).", examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    run = sgd_runs(inst, 16, tol=1e-10, t_max=3000.0)
    J, ex = run.loss_integral, -run.log_shrink.mean(axis=1)
    m = _worst_order_gap(J, ex)
    return Check.lower(m, 0.0, corr=float(np.corrcoef(J, ex)[0, 1]))


# ------------------------------------------------------------------------------ generalisation
_GEN_STRATEGY = strat.sparse_instance(n=(10, 16), d_over_n=(2.0, 2.5), s_max_frac=0.2, a=(0.3, 1.0),
                                      f=(1.0, 2.0), spread=(0.0, 0.0)
                                      ).map(lambda d: {**d, "standardize": 1})
_GEN_DENSE = strat.sparse_instance(n=(3, 6), d_over_n=(1.3, 2.0), s_max_frac=1.0, s_min=2,
                                   a=(0.3, 1.5), f=(0.5, 2.0), spread=(0.0, 0.0)
                                   ).map(lambda d: {**d, "standardize": 1})


def _gen_sgf_check(inst: dict, ctx, R: int, tol: float) -> Check:
    data, alpha, gamma = setup(inst)
    te_gf = float(data.test_error(implicit_for(inst, alpha)))
    run, h_div = _refined_sgf_runs(inst, R, tol, 2000.0)
    if run.diverged.any() or run.loss.max() > tol:
        return Check.inconclusive("SGF did not converge within its budget")
    te = np.array([data.test_error(_sgf_limit(inst, J)[1]) for J in run.loss_integral])
    # 1e-9 te_gf is the precision of a test error from a 1e-10-certified solve. A difference below
    # it (kappa ~ 1e-6: the two limits agree to ~1e-10) is a tie, not a violation; a resolvable
    # reversal (te_sgf > te_gf (1 + 1e-9)) falsifies. Strictness is reported per path.
    prec = 1e-9 * te_gf
    return Check.upper(float(te.max()), te_gf, tol=prec, test_errors_sgf=te,
                       kappa=2 * gamma * run.loss_integral, h_div=h_div,
                       paths_strictly_below=int(np.sum(te < te_gf - prec)),
                       paths_tied=int(np.sum(np.abs(te - te_gf) <= prec)))


@claim(
    id="pesme2021.generalisation.sgf_beats_gf",
    paper=PAPER,
    status="empirical",
    kind="comparison",
    statement=r"On sparse regression ($s\le n/5$) with standardised columns (so the SGF shrink "
              r"$\alpha_\infty=\alpha e^{-2\gamma\int L}$ is uniform), every SGF path's limit "
              r"$\hat\beta_{\alpha_\infty}$ has a smaller test error $\|\beta-\beta^\star\|^2$ than the GF "
              r"limit $\hat\beta_\alpha$: never larger beyond the solver's precision, and strictly "
              r"smaller unless the shrink is so small that both limits agree to that precision "
              r"($\kappa=2\gamma\int L\approx3\cdot10^{-6}$ gave a tie at $10^{-10}$ relative). "
              r"This is the scope in which the paper's 'generalises better' "
              r"was observed here; it is not a theorem and fails on dense instances, for non-uniform "
              r"shrinks and for discrete SGD (false variants).",
    strategy=_GEN_STRATEGY,
    tolerance="per path te_SGF <= te_GF (1 + 1e-9): 1e-9 relative is the precision of a test "
              "error from two 1e-10-certified solves, so a difference below it is a tie (thorough "
              "seed-0 run: 0.0005459008918 vs 0.0005459008919 at kappa 2.6e-6), not a violation; "
              "the count of strictly-below paths is reported. Before the thorough run the check "
              "demanded te_SGF < te_GF (1 - 1e-9), which flagged that tie. int L from Milstein paths "
              "(h = gamma, halved up to twice while a path diverges: the explicit scheme blows up on "
              "some paths at h = gamma for f near 2, and converges at h = gamma/2) run to L <= 1e-10; "
              "deterministic given the seed.",
    assumptions=_P_CONV + " columns scaled to |x_j|^2 = n; n in [10, 16], d in [2n, 2.5n], "
                          "s <= n/5, uniform alpha = a in [0.3, 1], f in [1, 2].",
    examples={"dev": 1, "ci": 3, "thorough": 40},
)
def generalisation_sgf_beats_gf(inst: dict, ctx) -> Check:
    """Test error of argmin phi_{alpha_inf} (per SGF path) against that of argmin phi_alpha."""
    return _gen_sgf_check(inst, ctx, ctx.pick(dev=2, ci=3, thorough=6), 1e-10)


@generalisation_sgf_beats_gf.false_variant(
    "every_instance", "The same on every instance, dense and tiny ones included (s up to n, n <= 6).",
    strategy=_GEN_DENSE, examples={"dev": 12, "ci": 20, "thorough": 300})
def _(inst, ctx):
    return _gen_sgf_check(inst, ctx, 1, 1e-6)


@generalisation_sgf_beats_gf.false_variant(
    "discrete_sgd", "Discrete SGD does the same: on every sparse instance its seed-mean test "
    "error is below GF's (checked on the family n = 9, d = 18, s = 1, a = 1, f = 2, any seed).",
    strategy=strat.fixed_family(n=9, d=18, s=1, a=1.0, f=2.0, seeds=64),
    examples={"dev": 1, "ci": 3, "thorough": 30})
def _(inst, ctx):
    from scipy import stats

    data, alpha, _ = setup(inst)
    te_gf = float(data.test_error(implicit_for(inst, alpha)))
    run = sgd_runs(inst, 32, tol=1e-10, t_max=3000.0)
    te = data.test_error(run.beta[~run.diverged])
    if te.size < 8:
        return Check.inconclusive("too many diverged replicas")
    m, se = float(te.mean()), float(te.std(ddof=1) / math.sqrt(te.size))
    p = float(stats.t.sf((m - te_gf) / max(se, 1e-300), te.size - 1))
    q = float(stats.t.ppf(1 - ctx.level, te.size - 1))
    sup = data.beta_star != 0
    shrink = -run.log_shrink[~run.diverged]
    return Check.test(reject=m - q * se > te_gf, p_value=p, level=ctx.level,
                      supports=m + q * se < te_gf, measured=m, predicted=te_gf, R=int(te.size),
                      median=float(np.median(te)), paths_worse=int(np.sum(te > te_gf)),
                      shrink_on_support=float(shrink[:, sup].mean()),
                      shrink_off_support=float(shrink[:, ~sup].mean()))


# ------------------------------------------------------------------------------ conjecture
_CONJ_GRID = np.geomspace(4.0, 1e-3, 14)


def _l1_path(inst: dict) -> tuple[np.ndarray, np.ndarray, float]:
    """l1 norms of argmin phi_a along the grid, solved to a tight certificate (1e-13, else 1e-11).

    Near the kernel end the l1 norm changes by ~1e-9 relative between grid points, so the default
    certificate (1e-10) is too loose for a monotonicity test; the returned tolerance says what the
    solves support."""
    data, _, _ = setup(inst)
    try:
        sols = [implicit_solution(data.X, data.y, a, tol=1e-13) for a in _CONJ_GRID]
        tol = 1e-10
    except SolverError:
        sols = [implicit_solution(data.X, data.y, a, tol=1e-11) for a in _CONJ_GRID]
        tol = 1e-8
    return _CONJ_GRID, np.array([np.abs(b).sum() for b in sols]), tol


def _l1_check(inst: dict, *, reverse: bool = False) -> Check:
    """Monotonicity of the l1 norm along decreasing uniform alpha: never increases (the
    conjecture), or with ``reverse`` never decreases (its false variant)."""
    data, _, _ = setup(inst)
    if np.linalg.matrix_rank(data.X) < data.n:
        return Check.inconclusive("X not of full row rank")
    grid, l1, tol = _l1_path(inst)
    if reverse:
        rel_dec = -np.diff(l1) / l1[:-1]
        return Check.upper(float(rel_dec.max()), 0.0, tol=tol)
    # Along decreasing a, the conjecture says l1 never increases.
    rel_inc = np.diff(l1) / l1[:-1]
    worst = float(rel_inc.max())
    k = int(rel_inc.argmax())
    return Check.upper(worst, 0.0, tol=tol, at_alpha=[float(grid[k]), float(grid[k + 1])],
                       l1=l1.tolist())


@claim(
    id="pesme2021.conj.l1_monotone",
    paper=PAPER,
    status="conjecture",
    kind="monotone",
    statement=r"Conjecture (general form): for every full-row-rank $X$ and $y$, "
              r"$a\mapsto\|\hat\beta_{a\mathbf 1}\|_1$ is non-decreasing, i.e. a smaller uniform "
              r"initialisation never gives a larger $\ell_1$ norm. (Would make 'SGF is sparser than "
              r"GF' a theorem for uniform shrinks.)",
    strategy=strat.conjecture_instance(n=(2, 10)),
    tolerance="relative increase of the l1 norm between consecutive grid points a = 4 ... 1e-3 "
              "(14 log-spaced) at most 1e-10, with every solve certified to |X b - y| <= 1e-13 (1+|y|) "
              "(1e-8 if only 1e-11 is reached): a 2e-9 'increase' at the kernel end was solver noise.",
    assumptions="Gaussian X, y = X beta* with 1 <= s <= n (dense included), tiny n (2..10).",
    examples={"dev": 30, "ci": 60, "thorough": 1000},
)
def conj_l1_monotone(inst: dict, ctx) -> Check:
    """Hunt for an instance where shrinking a uniform alpha increases the l1 norm of the solution."""
    return _l1_check(inst)


@conj_l1_monotone.false_variant(
    "vector_alpha", "Vector form: alpha' <= alpha coordinatewise never increases the l1 norm "
    "(here alpha shrunk 100x on supp beta* only).",
    strategy=strat.sparse_instance(n=(6, 12), a=(0.3, 1.0), spread=(0.0, 0.0), s_max_frac=0.5),
    examples={"dev": 4, "ci": 8})
def _(inst, ctx):
    data, alpha, _ = setup(inst)
    small = alpha.copy()
    small[data.beta_star != 0] /= 100.0
    l1a = float(np.abs(implicit_for(inst, alpha)).sum())
    l1s = float(np.abs(implicit_for(inst, small)).sum())
    return Check.upper(l1s, l1a, tol=1e-9 * l1a)


@claim(
    id="pesme2021.conj.l1_monotone_gaussian_sparse",
    paper=PAPER,
    status="conjecture",
    kind="monotone",
    statement=r"Conjecture (restricted form): for Gaussian $X$ with $n\ge8$ and a truth with "
              r"$s\le n/2$, $a\mapsto\|\hat\beta_{a\mathbf 1}\|_1$ is non-decreasing.",
    strategy=strat.conjecture_instance(n=(8, 20), s_frac=(0.0, 0.5)),
    tolerance="as pesme2021.conj.l1_monotone.",
    assumptions="Gaussian X, n in [8, 20], d in [n+1, 3n], 1 <= s <= n/2.",
    examples={"dev": 30, "ci": 60, "thorough": 1000},
)
def conj_l1_monotone_restricted(inst: dict, ctx) -> Check:
    """The same hunt restricted to the sparse Gaussian regime."""
    return _l1_check(inst)


@claim(
    id="pesme2021.conj.l1_monotone_overparametrised",
    paper=PAPER,
    status="conjecture",
    kind="monotone",
    statement=r"Conjecture (further restricted after the hunt falsified the forms above on near-square "
              r"designs): for Gaussian $X$ with $n\ge8$, $d\ge2n$ and $s\le n/4$, "
              r"$a\mapsto\|\hateta_{a\mathbf 1}\|_1$ is non-decreasing.",
    strategy=strat.conjecture_instance(n=(8, 16), s_frac=(0.0, 0.25), d_over_n=(2.0, 3.0)),
    tolerance="as pesme2021.conj.l1_monotone.",
    assumptions="Gaussian X, n in [8, 16], d in [2n, 3n], 1 <= s <= n/4.",
    examples={"dev": 10, "ci": 40, "thorough": 1000},
)
def conj_l1_monotone_overparametrised(inst: dict, ctx) -> Check:
    """The hunt in the over-parametrised sparse regime."""
    return _l1_check(inst)


@conj_l1_monotone_restricted.false_variant(
    "reversed", "The opposite monotonicity: a smaller uniform alpha never gives a smaller l1 norm.",
    examples={"dev": 2, "ci": 3})
def _(inst, ctx):
    return _l1_check(inst, reverse=True)


@conj_l1_monotone_overparametrised.false_variant(
    "reversed", "The opposite monotonicity: a smaller uniform alpha never gives a smaller l1 norm.",
    examples={"dev": 2, "ci": 3})
def _(inst, ctx):
    return _l1_check(inst, reverse=True)


# ------------------------------------------------------------------------------ GF: closed form
_CLOSED_STRATEGY = strat.sparse_instance(n=(3, 8), d_over_n=(1.3, 3.0), s_max_frac=1.0, a=(0.01, 2.0),
                                         spread=(0.0, 0.5))
_CLOSED_TIMES = (0.5, 2.0, 8.0)


def _closed_form_check(inst: dict, ctx, mirror: str = "P", factor: float = 2.0) -> Check:
    """Along GF in log coordinates: |ln(w+ w- / alpha^2)| <= 1e-9, the mirror coordinate equals
    -(factor/n) X^T R_t (relative 1e-7) and its kernel part vanishes (1e-8). ``mirror`` "P" is
    4 grad phi = arcsinh(beta / 2 alpha^2); "E" is 4 grad psi_E = 2 arcsinh(beta / alpha^2)."""
    data, alpha, _ = setup(inst)
    X, n = data.X, data.n
    lp, lm, R = gf_log_flow(X, data.y, alpha, np.asarray(_CLOSED_TIMES))
    la = np.log(alpha)
    P = kernel_projector(X)
    worst = {"product": 0.0, "mirror_rel": 0.0, "kernel": 0.0}
    for k in range(len(_CLOSED_TIMES)):
        beta = np.exp(2.0 * lp[k]) - np.exp(2.0 * lm[k])
        worst["product"] = max(worst["product"], float(np.max(np.abs(lp[k] + lm[k] - 2.0 * la))))
        if mirror == "P":
            m = _asinh_half_ratio(beta, la)
        else:  # E-convention potential (1/2) arcsinh(beta / alpha^2), mirror coordinate x4
            m = 2.0 * np.arcsinh(beta / alpha**2)
        pred = -(factor / n) * (X.T @ R[k])
        scale = max(float(np.max(np.abs(pred))), 1e-300)
        worst["mirror_rel"] = max(worst["mirror_rel"], float(np.max(np.abs(m - pred))) / scale)
        worst["kernel"] = max(worst["kernel"],
                              float(np.linalg.norm(P @ m)) / max(1.0, float(np.linalg.norm(m))))
    tols = {"product": 1e-9, "mirror_rel": 1e-7, "kernel": 1e-8}
    margin = min((tols[k] - worst[k]) / tols[k] for k in tols)
    return Check(margin >= 0, measured=worst, predicted={k: f"<= {v:g}" for k, v in tols.items()},
                 margin=margin, details={"times": list(_CLOSED_TIMES), "n": n, "d": data.d})


@claim(
    id="pesme2021.gf.closed_form",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"Along gradient flow from $w_\pm(0)=\alpha$: $w_\pm(t)=\alpha\odot\exp(\mp\frac1n"
              r"X^\top R_t)$ with $R_t=\int_0^tr_s\,ds$, hence $w_+\odot w_-\equiv\alpha^2$, "
              r"$\mathrm{arcsinh}(\beta_t/2\alpha^2)=4\nabla\phi_\alpha(\beta_t)=-\frac2nX^\top R_t$ "
              r"(the mirror flow of $\phi_\alpha$) and $\Pi_{\ker X}\mathrm{arcsinh}(\beta_t/2\alpha^2)=0$.",
    strategy=_CLOSED_STRATEGY,
    tolerance="at t = 0.5, 2, 8: |ln(w+ w- / alpha^2)| <= 1e-9; max-norm of arcsinh(beta/2alpha^2) "
              "+ (2/n) X^T R_t <= 1e-7 max|(2/n) X^T R_t|; |P_ker arcsinh| <= 1e-8 max(1, |arcsinh|). "
              "GF in log coordinates with R_t as extra state (LSODA, rtol 1e-10): the relations are "
              "linear invariants of that ODE, which the solver keeps to round-off (observed <= 1e-13), "
              "so the check tests the closed form's constants (the factor 2, the P mirror map), not "
              "the integrator.",
    assumptions=_P_CONV + " any y (dense truths allowed), a in [0.01, 2], spread <= 0.5, n in [3, 8].",
    closed_form=r"$\nabla\phi_\alpha=\frac14\mathrm{arcsinh}(\beta/2\alpha^2)$ and "
                r"$\beta(z)=2\alpha^2\sinh z$ (sympy, derivations()); $\frac{d}{dt}\ln w_\pm="
                r"\mp\frac1nX^\top r$ integrates to $\ln w_\pm=\ln\alpha\mp\frac1nX^\top R_t$.",
    examples={"dev": 3, "ci": 6, "thorough": 60},
)
def gf_closed_form(inst: dict, ctx) -> Check:
    """Closed form of GF against the log-coordinate ODE with R_t as extra state (:func:`gf_log_flow`)."""
    return _closed_form_check(inst, ctx)


@gf_closed_form.false_variant("e_convention_potential", "The mirror map is the E-convention "
                              "potential's gradient (1/2) arcsinh(beta / alpha^2) (with the P "
                              "initialisation and loss).", examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _closed_form_check(inst, ctx, mirror="E")


@gf_closed_form.false_variant("missing_factor_two", "arcsinh(beta_t / 2 alpha^2) = -(1/n) X^T R_t "
                              "(the factor 2 dropped).", examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _closed_form_check(inst, ctx, factor=1.0)


# ------------------------------------------------------------------------------ potential asymptotics
_ASYM_STRATEGY = strat.sparse_instance(n=(4, 10), d_over_n=(1.5, 2.5), s_max_frac=0.5, a=(1.0, 1.0),
                                       spread=(0.0, 0.0), f=(1.0, 1.0))
_L1_LADDER = (4, 8, 16, 32, 64)  # alpha = 10^-k
_KERNEL_ALPHAS = (3.0, 10.0, 30.0)
_MARGIN_MIN = 0.05  # dual margin above which the spec's 1e-3 at alpha = 1e-64 is asserted


def _series_ratios(inst: dict) -> dict[str, list[float]]:
    """Remainder of each expansion over its stated next term (and over the derived next-but-one
    term after subtracting the next), in 50-digit mpmath, on coordinates drawn from the seed."""
    import mpmath

    rng = np.random.default_rng(np.random.SeedSequence([int(inst["seed"]), 11]))
    S = _potential_series()
    out: dict[str, list[float]] = {"large_next": [], "large_next2": [], "small_next": [],
                                   "small_next2": []}
    with mpmath.workdps(50):
        for regime, lo, hi in (("large", 10.0, 1e4), ("small", 1e-3, 0.1)):
            head, nxt, nxt2 = S[regime]
            for _ in range(4):
                a = mpmath.mpf(float(np.exp(rng.uniform(-3.0, 1.0))))
                b = mpmath.mpf(float(np.exp(rng.uniform(math.log(lo), math.log(hi))))) * a**2
                b = b if rng.random() < 0.5 else -b
                phi = (b * mpmath.asinh(b / (2 * a**2)) - mpmath.sqrt(b**2 + 4 * a**4) + 2 * a**2) / 4
                v = abs(b) if regime == "large" else b
                rem = phi - head(v, a)
                out[f"{regime}_next"].append(float(rem / nxt(v, a)))
                out[f"{regime}_next2"].append(float((rem - nxt(v, a)) / nxt2(v, a)))
    return out


def _l1_limit_of_potential(inst: dict, c: float) -> tuple[float, float]:
    """At alpha = 1e-64: |phi_alpha(beta*) / ln(1/alpha) - c |beta*|_1| and the derived bound
    (1/4) sum |beta_i| |ln|beta_i| - 1| / ln(1/alpha) + 1e-9 |beta*|_1 for c = 1/2."""
    data, _, _ = setup(inst)
    b = data.beta_star[data.beta_star != 0]
    lam = 64 * math.log(10.0)
    val = float(potential(b, 10.0 ** -64)) / lam
    l1 = float(np.abs(b).sum())
    bound = 0.25 * float(np.sum(np.abs(b) * np.abs(np.log(np.abs(b)) - 1.0))) / lam + 1e-9 * l1
    return abs(val - c * l1), bound


def _asymptotics_check(inst: dict, ctx) -> Check:
    data, _, _ = setup(inst)
    X, y = data.X, data.y
    ratios = _series_ratios(inst)
    m = {k: float(np.max(np.abs(np.asarray(v) - 1.0))) for k, v in ratios.items()}
    # The remainder of phi / ln(1/alpha) - |beta|_1 / 2 is (1/4) sum |b|(ln|b| - 1) / ln(1/alpha)
    # + O(alpha^2): checked exactly along the ladder.
    b = data.beta_star[data.beta_star != 0]
    l1 = float(np.abs(b).sum())
    rem_err = 0.0
    for k in (8, 16, 32, 64):
        lam = k * math.log(10.0)
        rem = float(potential(b, 10.0 ** -k)) / lam - 0.5 * l1
        pred = 0.25 * float(np.sum(np.abs(b) * (np.log(np.abs(b)) - 1.0))) / lam
        rem_err = max(rem_err, abs(rem - pred) / l1)
    # Part 2: continuation down the ladder toward the (unique) min-l1 interpolant.
    b1 = min_l1_interpolant(X, y)
    margin_lp = l1_uniqueness_margin(X, y, b1)
    dists = [float(np.linalg.norm(implicit_solution(X, y, 10.0 ** -k) - b1) / np.linalg.norm(b1))
             for k in _L1_LADDER]
    asserted = margin_lp >= _MARGIN_MIN
    # Part 3: kernel regime, the spec's bound and the derived first-order correction.
    b2 = min_l2_interpolant(X, y)
    bound_ratio, corr_err = math.inf, 0.0
    for a in _KERNEL_ALPHAS:
        bh = implicit_solution(X, y, a)
        rel = float(np.linalg.norm(bh - b2) / np.linalg.norm(b2))
        bound_ratio = min(bound_ratio, float(np.max(np.abs(b2))) ** 2 / a**4 / max(rel, 1e-300))
        approx = large_alpha_expansion(X, y, a)
        # The neglected term is of relative order |X^+y|_inf^2 / alpha^4 w.r.t. the correction
        # (constant 0.5 calibrated: observed <= 0.12), plus the solver's floor.
        size = float(np.linalg.norm(approx - b2))
        allowed = 0.5 * float(np.max(np.abs(b2))) ** 2 / a**4 * size
        corr_err = max(corr_err, float(np.linalg.norm(bh - approx)) /
                       (allowed + 1e-8 * (1.0 + float(np.linalg.norm(b2)))))
    # Margins as fractions of each tolerance (1 = perfect, < 0 = violated).
    margins = {
        "series_next": 1.0 - max(m["large_next"], m["small_next"]) / 0.1,
        "series_next2": 1.0 - max(m["large_next2"], m["small_next2"]) / 0.1,
        "l1_limit_remainder": 1.0 - rem_err / 1e-9,
        "min_l1_ladder": 1.0 - dists[-1] / 1e-3 if asserted else math.inf,
        "kernel_bound": 1.0 - 1.0 / bound_ratio,
        "kernel_first_order": 1.0 - corr_err,
    }
    margin = float(min(margins.values()))
    return Check(margin >= 0, measured={"series_rel_err": m, "l1_distance_ladder": dists,
                                        "kernel_bound_over_error": bound_ratio,
                                        "first_order_err_over_allowed": corr_err},
                 predicted={"series": "within 10%", "l1_distance_at_1e-64": "<= 1e-3"
                            if asserted else f"not asserted (dual margin {margin_lp:.3g} < "
                            f"{_MARGIN_MIN})", "kernel_bound_over_error": ">= 1",
                            "first_order_err_over_allowed": "<= 1"},
                 margin=margin, details={"margins": margins, "lp_dual_margin": margin_lp,
                                         "alpha_ladder": [10.0 ** -k for k in _L1_LADDER]})


@claim(
    id="pesme2021.potential.asymptotics",
    paper=WOODWORTH,
    status="derived",
    kind="equality",
    statement=r"(1) For $|\beta_i|\ge10\alpha_i^2$: $\phi_\alpha(\beta)=\frac14\sum_i[|\beta_i|(\ln|\beta_i|"
              r"+2\ln\frac1{\alpha_i}-1)+2\alpha_i^2-\alpha_i^4/|\beta_i|]+\sum_i\frac{\alpha_i^8}"
              r"{8|\beta_i|^3}-\sum_i\frac{\alpha_i^{12}}{6|\beta_i|^5}+\dots$; for $|\beta_i|\le0.1"
              r"\alpha_i^2$: $\phi_\alpha(\beta)=\sum_i[\frac{\beta_i^2}{16\alpha_i^2}-\frac{\beta_i^4}"
              r"{768\alpha_i^6}+\frac{\beta_i^6}{10240\alpha_i^{10}}-\frac{5\beta_i^8}{458752"
              r"\alpha_i^{14}}]+\dots$; hence $\phi_\alpha/\ln\frac1\alpha\to\frac12\|\beta\|_1$ with "
              r"remainder $\frac14\sum|\beta_i|(\ln|\beta_i|-1)/\ln\frac1\alpha$. (2) As $\alpha\to0$, "
              r"$\hat\beta_\alpha$ tends to the minimum-$\ell_1$ interpolant when it is unique (relative "
              r"distance $\le10^{-3}$ at $\alpha=10^{-64}$ when its dual margin is $\ge0.05$; the "
              r"off-support part decays like $\alpha^{2m}$, so a tiny margin can make it arbitrarily "
              r"slow). (3) For uniform $\alpha\ge3$: $\hat\beta_\alpha=X^+y+\frac1{24\alpha^4}"
              r"\Pi_{\ker X}(X^+y)^3+O(\alpha^{-8})$, so $\|\hat\beta_\alpha-X^+y\|/\|X^+y\|\le"
              r"\|X^+y\|_\infty^2/\alpha^4$.",
    strategy=_ASYM_STRATEGY,
    tolerance="(1) the remainder after the stated head over the stated next term, and the "
              "remainder after that over the derived next-but-one term, within 10% (50-digit mpmath; "
              "observed <= 1.3%), 4 coordinates per regime with |beta|/alpha^2 log-uniform in "
              "[10, 1e4] and [1e-3, 0.1]; the l1 limit remainder matches to 1e-9 |beta|_1 along "
              "alpha = 1e-8 ... 1e-64 (float, log-domain potential). (2) relative distance <= 1e-3 at "
              "alpha = 1e-64, asserted only if the LP dual margin (l1_uniqueness_margin) is >= 0.05 "
              "(observed <= 4e-9 then); with a smaller margin only the ladder is reported (margin "
              "0.005 gave 0.36 at 1e-64: false variant unique_suffices). (3) the spec's bound at "
              "alpha = 3, 10, 30 (measured 30-210 times larger than the error; >= 24 to first order), "
              "and the first-order expansion within 0.5 |X^+y|_inf^2 / alpha^4 of the correction's "
              "size (the order of the neglected term; constant calibrated, observed <= 0.12) plus a "
              "1e-8 (1+|X^+y|) solver floor.",
    assumptions="Gaussian X, n in [4, 10], d in [1.5n, 2.5n], y = X beta* with s <= n/2; uniform "
                "alpha for parts 2-3; any positive alpha_i for part 1.",
    closed_form=r"sympy series of $\phi$ (derivations(): phi_small_series, phi_large_series; the "
                r"large one via $\mathrm{arcsinh}\,x=\ln(x+\sqrt{1+x^2})$) and of $\nabla\phi$ "
                r"(grad_phi_small_series, kernel_correction $=1/(24\alpha^4)$).",
    examples={"dev": 1, "ci": 3, "thorough": 40},
)
def potential_asymptotics(inst: dict, ctx) -> Check:
    """Expansions in mpmath, the small-alpha ladder (continuation), and the kernel regime."""
    return _asymptotics_check(inst, ctx)


@potential_asymptotics.false_variant("l1_factor_two", "phi_alpha / ln(1/alpha) -> |beta|_1 (a factor "
                                     "2 off): checked at alpha = 1e-64 against the same rate bound.",
                                     examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    dev, bound = _l1_limit_of_potential(inst, 1.0)
    return Check.upper(dev, bound)


@potential_asymptotics.false_variant(
    "unique_suffices", "The spec's form of part 2: whenever the min-l1 interpolant is unique, the "
    "relative distance is <= 1e-3 at alpha = 1e-64 (here a unique LP minimiser with dual margin "
    "0.005, found by the thorough hunt).",
    strategy=strat.instances({"n": 4, "d": 8, "s": 2, "a": 1.0, "spread": 0.0, "f": 1.0,
                              "seed": 3645}), examples={"dev": 1, "ci": 1})
def _(inst, ctx):
    data, _, _ = setup(inst)
    b1 = min_l1_interpolant(data.X, data.y)
    margin_lp = l1_uniqueness_margin(data.X, data.y, b1)
    if margin_lp <= 0:
        return Check.inconclusive("min-l1 interpolant not unique", measured=margin_lp)
    dist = float(np.linalg.norm(implicit_solution(data.X, data.y, 1e-64) - b1) / np.linalg.norm(b1))
    return Check.upper(dist, 1e-3, lp_dual_margin=margin_lp)


# ------------------------------------------------------------------------------ SGF: Stratonovich
_STRAT_FAMILY = strat.fixed_family(n=6, d=12, s=2, a=1.0, f=1.5, spread=0.2, seeds=8)


def _strat_ladder(inst: dict, ctx) -> tuple[tuple[int, ...], dict, np.ndarray, int]:
    levels = ctx.pick(dev=(1, 4), ci=(1, 4), thorough=(1, 4, 16))
    R = ctx.pick(dev=1, ci=2, thorough=4)
    return levels, _sgf_ladder_cached(_key(inst), "heun", "paper", R, levels, 1e-10, 2000.0), \
        implicit_for(inst, setup(inst)[1]), R


def _strat_check(inst: dict, ctx) -> Check:
    data, alpha, _ = setup(inst)
    levels, ladder, beta_gf, R = _strat_ladder(inst, ctx)
    if any(run.diverged.any() or run.loss.max() > 1e-10 for run, _ in ladder.values()):
        return Check.inconclusive("Heun SGF did not converge within its budget")
    hs = [1.0 / lv for lv in levels]
    margins, obs = [], {"limit_slope": [], "product_slope": [], "err_finest_over_ito_effect": []}
    # Strong convergence of the limit is a mean-square statement: its order is fitted on the RMS
    # over the paths (a single-path three-level fit scatters, e.g. 0.38 on one thorough path whose
    # finest error was already 4% of the Itô effect; the RMS slopes over 8 seeds were 0.76-1.35).
    all_errs = np.array([[float(np.linalg.norm(ladder[lv][1][r] - beta_gf)) for lv in levels]
                         for r in range(R)])
    s_lim = _fit_slope(hs, list(np.sqrt((all_errs ** 2).mean(axis=0))))
    obs["limit_slope_per_path"] = [_fit_slope(hs, list(e)) for e in all_errs]
    for r in range(R):
        errs = list(all_errs[r])
        prods = [float(np.max(np.abs(2.0 * ladder[lv][0].log_shrink[r]))) for lv in levels]
        s_prod = _fit_slope(hs, prods)
        # Scale: how far the Itô SGF limit of a path with this loss integral would be from GF.
        run_f = ladder[max(levels)][0]
        _, ito = _sgf_limit(inst, float(run_f.loss_integral[r]))
        effect = float(np.linalg.norm(ito - beta_gf))
        ratio = errs[-1] / max(effect, 1e-300)
        obs["product_slope"].append(s_prod)
        obs["err_finest_over_ito_effect"].append(ratio)
        margins.append(min(s_lim - 0.5, 2.0 - s_lim, s_prod - 0.4, 2.0 - s_prod, 0.35 - ratio))
    obs["limit_slope"] = s_lim
    margin = float(min(margins))
    return Check(margin >= 0, measured=obs, predicted={"limit_slope": "[0.5, 2]",
                 "product_slope": "[0.4, 2]", "err_finest_over_ito_effect": "<= 0.35"},
                 margin=margin, details={"h_over_gamma": hs, "R": R, "scheme": "heun"})


@claim(
    id="pesme2021.sgf.stratonovich_is_gf",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"Metamorphic: the Stratonovich reading of the SGF (same coefficients) obeys the "
              r"ordinary chain rule, so it conserves $w_+\odot w_-=\alpha^2$ and keeps "
              r"$\ln(w_+/w_-)\in\mathrm{range}(X^\top)$: its limit is the GF solution "
              r"$\hat\beta_\alpha=\arg\min_{X\beta=y}\phi_\alpha$ on every path. Under the Heun scheme "
              r"(step $h$), $w_+w_-/\alpha^2-1=O(h)$ and the limit converges to $\hat\beta_\alpha$ "
              r"as $h\to0$.",
    strategy=_STRAT_FAMILY,
    tolerance="Heun on one Brownian path at h = gamma and gamma/4 (dev/ci; plus gamma/16 at "
              "thorough), run to L <= 1e-10 and finished by the exact GF limit from the final state "
              "(bregman_limit). Fitted slopes: RMS over the paths of the distance of the limit to "
              "argmin phi_alpha in [0.5, 2] (first order expected; observed 0.67-1.55 on one path "
              "per seed, RMS of 4 paths 0.76-1.35 at thorough; a single-path fit gave 0.38 once, "
              "hence the RMS: strong convergence is a mean-square statement), "
              "max |ln(w+ w- / alpha^2)| in [0.4, 2] (observed 1.1-1.7; 0.65-1.1 over h = gamma "
              "... gamma/8); the finest distance below 0.35x the Itô effect "
              "|argmin phi_{alpha_inf} - argmin phi_alpha| of the same path's int L (observed "
              "0.005-0.044). Deterministic given the seed.",
    assumptions=_P_CONV + " n=6, d=12, s=2, a=1, spread 0.2, gamma = 1.5 gamma_0 (the "
                          "pesme2021.sgf.implicit_bias family).",
    closed_form=r"Stratonovich chain rule (sympy, stratonovich_drift_log_product): "
                r"$d\ln(w_+w_-)=0$; with $\ln(w_+/w_-)\in\mathrm{range}(X^\top)$ the limit satisfies "
                r"the KKT conditions of $\min\phi_\alpha$.",
    examples={"dev": 1, "ci": 2, "thorough": 8},
)
def sgf_stratonovich_is_gf(inst: dict, ctx) -> Check:
    """Heun ladder: product conservation and convergence of the limit to the GF solution."""
    return _strat_check(inst, ctx)


@sgf_stratonovich_is_gf.false_variant(
    "sparser_than_gf", "The Stratonovich SGF is sparser than GF: the l1 norm of its limit at the "
    "finest h is below that of argmin phi_alpha by more than the discretisation error (estimated "
    "by the l1 distance between the two finest levels).", examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    levels, ladder, beta_gf, R = _strat_ladder(inst, ctx)
    fine, coarse = ladder[levels[-1]][1], ladder[levels[-2]][1]
    l1_gf = float(np.abs(beta_gf).sum())
    gaps = [l1_gf - float(np.abs(fine[r]).sum()) - float(np.abs(fine[r] - coarse[r]).sum())
            for r in range(R)]
    return Check.lower(min(gaps), 0.0, l1_gf=l1_gf, gaps=gaps)


# ------------------------------------------------------------------------------ SGD: batch scaling
_BATCH_STRATEGY = strat.with_batch(strat.sparse_instance(n=(20, 30), d_over_n=(1.5, 2.5),
                                                         s_max_frac=0.25, a=(0.3, 1.0), f=(1.0, 2.0),
                                                         spread=(0.0, 0.3)), max_frac=0.1)
_BATCH_BAND = (0.75, 1.5)


def _batch_check(inst: dict, ctx, power: float = 1.0) -> Check:
    """Seed-mean exact SGD log-shrink over the SGF formula 2 (gamma / b^power) mean(diag) int L,
    each path's own int L: its (1 - level) t-interval must lie inside the band."""
    from scipy import stats

    data, _, gamma = setup(inst)
    b = int(inst["b"])
    R = ctx.pick(dev=32, ci=48, thorough=64)
    run = sgd_runs(inst, R, tol=1e-6, t_max=400.0, batch_size=b)
    live = ~run.diverged
    if live.sum() < R // 2:
        return Check.inconclusive("too many diverged replicas")
    ex = -run.log_shrink.mean(axis=1)[live]
    pred = 2.0 * gamma / b**power * data.diag.mean() * run.loss_integral[live]
    ratio = ex / pred.mean()
    m, se = float(ratio.mean()), float(ratio.std(ddof=1) / math.sqrt(ratio.size))
    q = float(stats.t.ppf(1 - ctx.level / 2, ratio.size - 1))
    lo, hi = m - q * se, m + q * se
    a_lo, a_hi = _BATCH_BAND
    t_stat = max(a_lo - m, m - a_hi) / max(se, 1e-300)
    p = float(stats.t.sf(t_stat, ratio.size - 1))
    inside, outside = a_lo <= lo and hi <= a_hi, hi < a_lo or lo > a_hi
    reason = {} if inside or outside else {"reason": f"CI [{lo:.3g}, {hi:.3g}] straddles the band"}
    return Check.test(reject=outside, p_value=p, level=ctx.level, supports=inside, measured=m,
                      predicted=f"[{a_lo}, {a_hi}]", margin=min(lo - a_lo, a_hi - hi), ci=[lo, hi],
                      R=int(ratio.size), b=b, unfinished=int(np.sum(run.loss[live] > 1e-6)),
                      **reason)


@claim(
    id="pesme2021.sgd.batch_scaling",
    paper=PAPER,
    status="empirical",
    kind="equality",
    statement=r"For SGD with mini-batches of size $2\le b\le n/10$ (with replacement), the seed-mean "
              r"exact log-shrink $\mathrm{mean}_i\ln(\alpha_i/\alpha^{ex}_{\infty,i})$ is approximately "
              r"the SGF formula with $\gamma/b$, $2\frac\gamma b\,\mathrm{mean}_i\mathrm{diag}_i"
              r"(X^\top X/n)\int L$: their ratio $\rho_b$ lies in $[0.75,1.5]$. The spec's 20% is not "
              r"uniform: $\rho_b$ reached 1.3-1.4 at $b=n/10$ on some 1-sparse instances, because the GD "
              r"part of the discrete gain, $\gamma^2(\nabla_\beta L)^2$ per step, does not scale as "
              r"$1/b$ and the SGF model drops it.",
    strategy=_BATCH_STRATEGY,
    tolerance="R = 32 (dev; 48 ci) seeds at the drawn b; the (1 - level) t-interval of rho_b (exact "
              "shrink over the mean formula value, the formula on each path's own int L = gamma sum "
              "L_k) must lie inside [0.75, 1.5]; outside -> falsified, straddling -> inconclusive. "
              "Band measured with R = 32: rho_b in [0.93, 1.40] over ~100 instances (n in [20, 40], "
              "b in [2, n/10], f in [1, 2]); about 1 in 20 exceeded the spec's 20% (worst: n = 20, "
              "d = 30, s = 1, a = 0.3, f = 1, b = 2, seed 0: 1.40 +- 0.03). The same band as the "
              "batch-1 claim pesme2021.sgd.shrink_mean_matches_sgf. Runs stop at L <= 1e-6 (the "
              "shrink accrues early).",
    assumptions=_P_CONV + " n in [20, 30], d in [1.5n, 2.5n], s <= n/4, a in [0.3, 1], f in [1, 2], "
                          "b in [2, n/10].",
    closed_form=r"$\mathbb E\,\frac12\ln|1-(\gamma g_k)^2|\approx-\frac{\gamma^2}2(\nabla_jL_{full}^2"
                r"+\frac1b\mathrm{Var}_i(r_ix_{ij}))$ and the SGF's $\frac1b\cdot4L\,\mathrm{diag}_j$ "
                r"(effective_init with batch_size = b): the $1/b$ part matches, the GD part does not "
                r"scale.",
    examples={"dev": 1, "ci": 3, "thorough": 20},
)
def sgd_batch_scaling(inst: dict, ctx) -> Check:
    """Seed-mean SGD shrink at batch b against the SGF formula at gamma / b."""
    return _batch_check(inst, ctx)


_BATCH_VARIANT = strat.fixed_family(n=20, d=40, s=2, a=0.5, f=1.5, spread=0.2, seeds=8, b=2)


@sgd_batch_scaling.false_variant("no_batch_factor", "The shrink does not depend on b: the SGF "
                                 "formula at gamma (no 1/b).", strategy=_BATCH_VARIANT,
                                 examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _batch_check(inst, ctx, power=0.0)


@sgd_batch_scaling.false_variant("batch_squared", "The noise covariance scales as 1/b^2: the SGF "
                                 "formula at gamma / b^2.", strategy=_BATCH_VARIANT,
                                 examples={"dev": 1, "ci": 2})
def _(inst, ctx):
    return _batch_check(inst, ctx, power=2.0)


# ===================================================================================== figures
def _figure_instance(ctx) -> dict:
    # The reference size of the paper's experiments in `thorough`; a smaller one otherwise.
    n, d, s = ctx.pick(dev=(20, 50, 3), ci=(20, 50, 3), thorough=(40, 100, 5))
    return {"n": n, "d": d, "s": s, "a": 0.3, "spread": 0.0, "f": 1.0, "seed": 0}


def _figure_setup(ctx, **overrides: Any
                  ) -> tuple[Any, dict, tuple[SparseRegression, np.ndarray, float]]:
    """pyplot, the figure instance (:func:`_figure_instance` with ``overrides``) and its setup."""
    from theorems.core.io import pyplot

    inst = {**_figure_instance(ctx), **overrides}
    return pyplot(), inst, setup(inst)


def _save_figure(fig: Any, ax: Any, directory: str, stem: str, data: dict, *, xlabel: str,
                 ylabel: str, log_x: bool = False) -> list[str]:
    """Label the axes, add the legend and save ``pesme2021_<stem>.png`` with its data."""
    import os

    from theorems.core.io import save_figure

    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    return save_figure(fig, os.path.join(directory, f"pesme2021_{stem}.png"), data)


@generalisation_sgf_beats_gf.add_figures
def _figure_test_error_vs_step(ctx, directory: str) -> list[str]:
    """F1: test error of SGD (seed mean +- 95% CI) and GD against the step, with GF and min-l1."""
    plt, inst, (data, alpha, gamma0) = _figure_setup(ctx, a=0.1)
    R = ctx.pick(dev=8, ci=8, thorough=32)
    fs = [0.5, 1.0, 2.0, 3.0, 4.0]
    te_gf = float(data.test_error(implicit_for(inst, alpha)))
    te_l1 = float(data.test_error(min_l1_interpolant(data.X, data.y)))
    rows = []
    for f in fs:
        run = sgd_runs(inst, R, tol=1e-10, t_max=3000.0, f_mult=f)
        live = ~run.diverged & (run.loss <= 1e-8)
        te = data.test_error(run.beta[live])
        g = run_gd(data.X, data.y, alpha, gamma0 * f, int(3000 / (gamma0 * f)), tol_loss=1e-10)
        rows.append({"f": f, "gamma": gamma0 * f, "sgd_mean": float(te.mean()) if te.size else None,
                     "sgd_ci": float(1.96 * te.std(ddof=1) / math.sqrt(te.size)) if te.size > 1
                     else None, "sgd_converged": int(te.size), "gd": float(data.test_error(g.beta)[0])})
    fig, ax = plt.subplots(figsize=(5.5, 4))
    xs = [r["gamma"] for r in rows if r["sgd_mean"] is not None]
    ax.errorbar(xs, [r["sgd_mean"] for r in rows if r["sgd_mean"] is not None],
                yerr=[r["sgd_ci"] or 0 for r in rows if r["sgd_mean"] is not None],
                marker="o", label=f"SGD (mean of {R} seeds, 95% CI)")
    ax.plot([r["gamma"] for r in rows], [r["gd"] for r in rows], marker="s", label="GD")
    ax.axhline(te_gf, color="k", ls="--", label="GF (argmin phi_alpha)")
    ax.axhline(te_l1, color="g", ls=":", label=f"min-l1 ({te_l1:.2g})")
    ax.set_title(f"n={data.n}, d={data.d}, s={inst['s']}, alpha={inst['a']}")
    return _save_figure(fig, ax, directory, "test_error_vs_step",
                        {"instance": inst, "rows": rows, "te_gf": te_gf, "te_l1": te_l1},
                        xlabel="step size gamma", ylabel="test error |beta - beta*|^2", log_x=True)


@bias_slower_is_stronger.add_figures
def _figure_shrink_vs_loss_integral(ctx, directory: str) -> list[str]:
    """F2: realised mean log-shrink against 2 gamma mean(diag) int L, SGF (Milstein) and SGD."""
    plt, inst, (data, alpha, gamma0) = _figure_setup(ctx, n=12, d=30, s=2)
    R = ctx.pick(dev=6, ci=6, thorough=24)
    pts: dict[str, list] = {"sgf": [], "sgd": []}
    for f in (0.5, 1.0, 2.0):
        sgf = sgf_runs(inst, R, h_div=2.0, scheme="milstein", tol=1e-10, f_mult=f)
        sgd = sgd_runs(inst, R, tol=1e-10, f_mult=f)
        for name, run in (("sgf", sgf), ("sgd", sgd)):
            for r in np.flatnonzero(~run.diverged):
                pts[name].append([2 * gamma0 * f * data.diag.mean() * float(run.loss_integral[r]),
                                  float(-run.log_shrink[r].mean())])
    fig, ax = plt.subplots(figsize=(5, 4.5))
    for name, mk in (("sgf", "o"), ("sgd", "x")):
        a = np.asarray(pts[name])
        ax.scatter(a[:, 0], a[:, 1], marker=mk, label={"sgf": "SGF (Milstein, realised)",
                                                        "sgd": "SGD (exact discrete shrink)"}[name])
    lim = max(max(p[0] for p in pts["sgf"]), max(p[1] for p in pts["sgd"]))
    ax.plot([0, lim], [0, lim], "k--", lw=1, label="y = x (SGF formula)")
    return _save_figure(fig, ax, directory, "shrink_vs_loss_integral",
                        {"instance": inst, "points": pts},
                        xlabel="2 gamma mean_i diag_i  int L",
                        ylabel="mean_i ln(alpha_i / alpha_inf,i)")


@sgd_limit_exact.add_figures
def _figure_gd_from_alpha_inf(ctx, directory: str) -> list[str]:
    """F3: test error over time of GD(alpha), SGD(alpha) and GD started at alpha_inf of that run."""
    plt, inst, (data, alpha, gamma) = _figure_setup(ctx, f=3.0)
    T = 3000.0
    every = max(1, int(1.0 / gamma))
    sgd = run_sgd(data.X, data.y, alpha, gamma, int(T / gamma), n_replicas=1,
                  seed=_noise_seed(inst, 9), tol_loss=1e-12, trace_every=every)
    a_ex = alpha * np.exp(sgd.log_shrink[0])
    a_sgf = effective_init(alpha, gamma, data.X, float(sgd.loss_integral[0]))
    small = gamma / 4  # GD at a small step as a proxy for GF (its own gain is O(gamma^2))
    curves = {"SGD(alpha)": sgd}
    for name, a0 in (("GD(alpha)", alpha), ("GD(alpha_inf exact)", a_ex),
                     ("GD(alpha_inf SGF formula)", a_sgf)):
        curves[name] = run_gd(data.X, data.y, a0, small, int(T / small), tol_loss=1e-12,
                              trace_every=max(1, int(1.0 / small)))
    fig, ax = plt.subplots(figsize=(5.5, 4))
    out = {}
    for name, run in curves.items():
        te = data.test_error(run.trace["beta"][:, 0, :])
        ax.plot(run.trace["t"], te, label=name)
        out[name] = {"t": run.trace["t"], "test_error": te, "final": float(data.test_error(run.beta)[0])}
    return _save_figure(fig, ax, directory, "gd_from_alpha_inf", {"instance": inst, "curves": out},
                        xlabel="time t = gamma k", ylabel="test error |beta - beta*|^2", log_x=True)
