r"""The exact solution of geometric Brownian motion in either calculus, derived with sympy, and the
error constant of Euler-Maruyama on it.

$\log X$ has constant drift (Itô's formula: $\mu - \sigma^2/2$; Stratonovich: $\mu$) and additive noise
$\sigma\,dW$, so $X_t = X_0\exp(\mathrm{drift}\,t + \sigma W_t)$. Euler-Maruyama's mean-square error
is $\mathbb E|X_T - X^h_T|^2 = A h + O(h^2)$ with $A = \tfrac{\sigma^4 T}{2}\mathbb E[X_T^2] > 0$
(:func:`em_gbm_error_constant`). Importing this module registers no claim.
"""

from __future__ import annotations

from functools import lru_cache

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


_z = sp.Symbol("z", real=True)
_eps, _t = sp.symbols("epsilon t", positive=True)


_s = sp.Symbol("s", real=True)


def _gauss_mgf(coefficient: sp.Expr) -> sp.Expr:
    """E[exp(coefficient z)] for z ~ N(0, 1): the standard normal's moment generating function
    (sympy.stats)."""
    from sympy import stats

    mgf = stats.moment_generating_function(stats.Normal("Z", 0, 1))(_s)
    return sp.simplify(mgf.subs(_s, coefficient))


def _gauss_mean(poly: sp.Expr) -> sp.Expr:
    """E[poly] for z ~ N(0, 1) and ``poly`` a polynomial in z: E[z^k] is the k-th derivative of the
    moment generating function at 0 (faster than integrating with symbolic coefficients)."""
    from sympy import stats

    mgf = stats.moment_generating_function(stats.Normal("Z", 0, 1))(_s)
    p = sp.Poly(sp.expand(poly), _z)
    return sp.simplify(sum(c * sp.diff(mgf, _s, k).subs(_s, 0) for (k,), c in p.terms()))


@lru_cache(maxsize=1)
def em_gbm_error_constant() -> dict[str, sp.Expr]:
    r"""The constant $A$ of $\mathbb E|X_T - X^h_T|^2 = A h + O(h^2)$ for Euler-Maruyama on Itô GBM,
    derived with sympy (cached).

    One EM step multiplies $X$ by $1 + \mu h + \sigma\Delta W$, the exact flow by
    $\exp((\mu - \sigma^2/2)h + \sigma\Delta W)$. With $\Delta W = \varepsilon z$, $h = \varepsilon^2$,
    the log of their ratio has no $\varepsilon^0, \varepsilon^1$ term and the $\varepsilon^2$ term
    ``local`` $= -\tfrac{\sigma^2}{2}(z^2 - 1)$: mean 0, variance ``step_variance`` $= \sigma^4/2$ per
    $h^2$. Over $T/h$ independent steps the log-error $D$ has variance $\sigma^4 T h / 2$, and
    $X^h_T - X_T \approx -X_T D$. $D/\sqrt h$ is asymptotically independent of $W$ (Jacod & Protter 1998,
    Thm. 1.2: $(X^h_T - X_T)/\sqrt h \Rightarrow -\tfrac{\sigma^2}{\sqrt 2} X_T B_T$, $B$ a Brownian motion
    independent of $W$), so $A = \tfrac{\sigma^4 T}{2}\,\mathbb E[X_T^2]$, with
    ``second_moment`` $\mathbb E[X_T^2] = X_0^2 e^{(2\mu + \sigma^2)T}$ from the Gaussian integral.
    $A > 0$: the strong order of EM is exactly 1/2 (not better). The next terms of $\mathbb E|X_T -
    X^h_T|^2/h$ are integer powers of $h$ (odd powers of $\varepsilon$ have odd Gaussian moments).
    """
    log_ratio = sp.log(1 + _mu * _eps**2 + _sigma * _eps * _z) - (
        LOG_GBM_DRIFT["ito"] * _eps**2 + _sigma * _eps * _z
    )
    ser = sp.expand(sp.series(log_ratio, _eps, 0, 3).removeO())
    if ser.coeff(_eps, 0) != 0 or ser.coeff(_eps, 1) != 0:
        raise AssertionError(f"unexpected low-order terms in the EM log-error: {ser}")
    local = sp.factor(ser.coeff(_eps, 2))
    if _gauss_mean(local) != 0:
        raise AssertionError("the leading EM log-error has a nonzero mean")
    step_variance = _gauss_mean(local**2)
    # X_T^2 = exp(2 drift t) exp(2 sigma sqrt(t) z)
    second_moment = sp.exp(2 * LOG_GBM_DRIFT["ito"] * _t) * _gauss_mgf(2 * _sigma * sp.sqrt(_t))
    return {
        "local": local,
        "step_variance": step_variance,
        "second_moment": sp.simplify(second_moment),
        "A": sp.simplify(step_variance * _t * second_moment),
    }


def em_gbm_error_rate(mu: float, sigma: float, t: float) -> tuple[float, float]:
    """(``step_variance * t``, ``A``) of :func:`em_gbm_error_constant` at ``mu, sigma, t`` (``X_0 = 1``):
    the limit of ``E|X_T - X^h_T|^2 / (h E[X_T^2])`` and of ``E|X_T - X^h_T|^2 / h``."""
    d = em_gbm_error_constant()
    v = lambdify_cached(d["step_variance"] * _t, (_mu, _sigma, _t))(mu, sigma, t)
    a = lambdify_cached(d["A"], (_mu, _sigma, _t))(mu, sigma, t)
    return float(v), float(a)
