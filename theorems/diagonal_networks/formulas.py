r"""Closed forms of the diagonal-network model (Pesme, Pillaud-Vivien, Flammarion 2021), derived with sympy.

The sympy derivations (:func:`derivations`) and the numpy closed forms they give: the hyperbolic-entropy
potential $\phi_\alpha$ and its gradient, the SGF effective initialisation $\alpha_\infty$, the exact
discrete (S)GD shrink, the projector onto $\ker X$ and the series of $\phi$. Importing this module
registers no claim. The solvers built on these (the implicit problem, the minimum-norm interpolants,
gradient flow in log coordinates) are in :mod:`theorems.diagonal_networks.solvers`.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from sim._validate import as_matrix, as_vector
from sim.diagonal_kernels import log_alpha as _log_alpha

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
        "symbols": {
            "beta": b,
            "alpha": a,
            "u": u,
            "z": z,
            "w": w,
            "g": g,
            "gamma": gam,
            "L": L,
            "n": n,
            "D": D,
            "J": J,
            "x": x,
            "beta_abs": bp,
        },
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
        "ito_drift_log_product": sp.lambdify(
            (s["gamma"], s["L"], s["D"], s["n"]), dv["ito_drift_log_product"], "numpy"
        ),
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


# ===================================================================================== shrink
def effective_init(
    alpha: Any, gamma: float, X: Any, loss_integral: Any, *, batch_size: int = 1
) -> np.ndarray:
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


def kernel_projector(X: np.ndarray) -> np.ndarray:
    """The orthogonal projector onto ker X (d x d)."""
    _, sv, Vt = np.linalg.svd(X)
    rank = int(np.sum(sv > 1e-12 * sv.max()))
    N = Vt[rank:]
    return N.T @ N


@functools.cache
def _potential_series() -> dict[str, tuple[Any, Any, Any]]:
    """mpmath functions (head, next term, next-but-one term) of the two expansions of one
    coordinate of phi (:func:`derivations`), keyed "small" (of (beta, alpha)) and "large" (of
    (|beta|, alpha))."""
    import sympy as sp

    dv = derivations()
    s = dv["symbols"]
    out = {}
    for name, expr, var, k1, k2 in (
        ("small", dv["phi_small_series"], s["beta"], 6, 8),
        ("large", dv["phi_large_series"], s["beta_abs"], -3, -5),
    ):
        nxt, nxt2 = expr.coeff(var, k1) * var**k1, expr.coeff(var, k2) * var**k2
        head = sp.expand(expr - nxt - nxt2)
        out[name] = tuple(sp.lambdify((var, s["alpha"]), e, "mpmath") for e in (head, nxt, nxt2))
    return out
