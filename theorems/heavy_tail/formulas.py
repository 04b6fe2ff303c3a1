"""Closed forms, solvers and estimators of Gürbüzbalaban, Şimşekli & Zhu (ICML 2021).

h(s) = E ||M e_1||^s and rho = E log ||M e_1|| for online minibatch SGD on Gaussian least squares:
the sympy even moments and thresholds (eta_crit, eta_4), the fixed-node double-exponential quadrature
of h and rho, the tail index alpha (root of h(alpha) = 1) and the step with a given alpha, Goldie's
constant, and the tail estimators (Hill, max-to-sum ratio, block estimator). Importing this module
registers no claim; see :mod:`theorems.heavy_tail` for the numerics notes.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

import numpy as np
import sympy as sp
from scipy import optimize, special

# Largest s at which the quadrature is validated (log h to ~1e-6); alpha above it is reported, not
# returned as a number.
S_MAX = 100.0

__all__ = [
    "NoStationaryLaw",
    "TailIndexOutOfRange",
    "block_tail_index",
    "critical_step_size",
    "goldie_constant",
    "hill_estimator",
    "lyapunov_exponent",
    "max_step_size",
    "max_sum_ratio",
    "moment_function",
    "stationary_second_moment",
    "step_for_tail_index",
    "tail_index",
    "fourth_moment_step_size",
    "moment_upper_bound",
    "noise_moment",
    "second_moment_path",
]


class NoStationaryLaw(ValueError):
    """rho >= 0: SGD has no stationary law, so a tail index is meaningless."""


class TailIndexOutOfRange(ValueError):
    """alpha > S_MAX (or below 1e-8): beyond the validated quadrature range."""


# ----------------------------------------------------------------------------------- validation
def _pos(x: float, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    v = float(x)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite positive number, got {x!r}")
    return v


def _posint(n: int, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{name} must be >= 1, got {n}")
    return int(n)


def _params(eta: float, batch_size: int, dim: int, sigma2: float) -> tuple[float, int, int]:
    eta = _pos(eta, "eta")
    b = _posint(batch_size, "batch_size")
    d = _posint(dim, "dim")
    s2 = _pos(sigma2, "sigma2")
    return eta * s2 / b, b, d


# ----------------------------------------------------------------------------- sympy closed forms
_c, _b, _d, _U, _V = sp.symbols("c b d U V", positive=True)
_eta, _s2, _se = sp.symbols("eta sigma2 sigma_eps", positive=True)


@cache
def even_moment_expr(n: int) -> sp.Expr:
    """h(2n) as a polynomial in (c, b, d), derived from chi-square moments.

    Expands ((1 - cU)^2 + c^2 U V)^n and replaces U^i V^j by E U^i E V^j with
    E chi2_k^i = 2^i (k/2)_i (rising factorial).
    """
    poly = sp.Poly(sp.expand(((1 - _c * _U) ** 2 + _c**2 * _U * _V) ** n), _U, _V)
    total = sp.Integer(0)
    for (i, j), coef in poly.terms():
        total += coef * 2**i * sp.rf(_b / 2, i) * 2**j * sp.rf((_d - 1) / 2, j)
    return sp.factor(sp.expand(sp.expand_func(total)))


@cache
def _closed_forms() -> dict:
    h2 = even_moment_expr(1)
    h4 = even_moment_expr(2)
    c_crit = [r for r in sp.solve(sp.Eq(h2, 1), _c) if r != 0]
    assert len(c_crit) == 1
    eta_crit = sp.simplify(c_crit[0] * _b / _s2)
    # stationary second moment: fixed point of m = h(2) m + eta^2 sigma2 sigma_eps^2 d / b
    m = sp.Symbol("m")
    h2_eta = h2.subs(_c, _eta * _s2 / _b)
    m_inf = sp.simplify(sp.solve(sp.Eq(m, h2_eta * m + _eta**2 * _s2 * _se**2 * _d / _b), m)[0])
    p4 = sp.factor(sp.cancel((h4 - 1) / _c))
    return {
        "h2": h2,
        "h4": h4,
        "eta_crit": eta_crit,
        "m_inf": m_inf,
        "P4": sp.expand(p4),
        "h2_f": sp.lambdify((_c, _b, _d), h2, "math"),
        "h4_f": sp.lambdify((_c, _b, _d), h4, "math"),
        "eta_crit_f": sp.lambdify((_b, _d, _s2), eta_crit, "math"),
        "m_inf_f": sp.lambdify((_eta, _b, _d, _s2, _se), m_inf, "math"),
    }


def h2_closed(eta: float, batch_size: int, dim: int, sigma2: float = 1.0) -> float:
    """h(2) = 1 - 2cb + c^2 b (b + d + 1), c = eta sigma2 / b (sympy-derived)."""
    c, b, d = _params(eta, batch_size, dim, sigma2)
    return float(_closed_forms()["h2_f"](c, b, d))


def h4_closed(eta: float, batch_size: int, dim: int, sigma2: float = 1.0) -> float:
    """h(4) = 1 + c P(c) (sympy-derived from chi-square moments)."""
    c, b, d = _params(eta, batch_size, dim, sigma2)
    return float(_closed_forms()["h4_f"](c, b, d))


def critical_step_size(batch_size: int, dim: int, sigma2: float = 1.0) -> float:
    r"""The step size at which the stationary variance becomes infinite.

    eta_crit = 2b / (sigma2 (b + d + 1)), the root of h(2) = 1 (derived with sympy from the Wishart
    moments E H = b sigma2 I, E H^2 = sigma2^2 b (b + d + 1) I). For rho < 0, eta < eta_crit iff
    alpha > 2 (finite variance) and eta > eta_crit iff alpha < 2 (Gürbüzbalaban, Şimşekli, Zhu 2021,
    reconstructed).

    Parameters
    ----------
    batch_size: b >= 1. dim: d >= 1. sigma2: variance of the data coordinates (> 0).
    """
    b = _posint(batch_size, "batch_size")
    d = _posint(dim, "dim")
    s2 = _pos(sigma2, "sigma2")
    return float(_closed_forms()["eta_crit_f"](b, d, s2))


def stationary_second_moment(
    eta: float, batch_size: int, dim: int, sigma2: float = 1.0, sigma_eps: float = 1.0
) -> float:
    """E||x_inf - x_hat||^2 = eta sigma_eps^2 d / (2b - eta sigma2 (b + d + 1)) for eta < eta_crit.

    The fixed point of m_k = h(2) m_{k-1} + eta^2 sigma2 sigma_eps^2 d / b (sympy); ``inf`` for
    eta >= eta_crit, where m_k grows without bound.
    """
    c, b, d = _params(eta, batch_size, dim, sigma2)
    se = _pos(sigma_eps, "sigma_eps")
    if eta >= critical_step_size(b, d, sigma2):
        return math.inf
    return float(_closed_forms()["m_inf_f"](float(eta), b, d, float(sigma2), se))


def second_moment_path(
    k: int,
    eta: float,
    batch_size: int,
    dim: int,
    sigma2: float = 1.0,
    sigma_eps: float = 1.0,
    m0: float = 0.0,
) -> float:
    """m_k = E||e_k||^2 exactly, from m_k = h(2) m_{k-1} + eta^2 sigma2 sigma_eps^2 d / b.

    The cross term vanishes because E[M_k^T xi_k] = 0 (derived). Solved in closed form,
    m_k = h(2)^k m_0 + g (h(2)^k - 1)/(h(2) - 1) (g = k g at h(2) = 1), for any eta: it converges to
    :func:`stationary_second_moment` iff eta < eta_crit, grows linearly at eta_crit and geometrically
    above it.
    """
    k = int(_posint(k, "k")) if k != 0 else 0
    c, b, d = _params(eta, batch_size, dim, sigma2)
    se = _pos(sigma_eps, "sigma_eps")
    if not m0 >= 0:
        raise ValueError(f"m0 must be >= 0, got {m0!r}")
    h2 = float(_closed_forms()["h2_f"](c, b, d))
    g = float(eta) ** 2 * float(sigma2) * se**2 * d / b
    lh = math.log(h2)
    if k * lh > 700:
        return math.inf  # beyond float range: m_k grows geometrically (eta > eta_crit)
    geo = k if lh == 0 else math.expm1(k * lh) / math.expm1(lh)  # sum_{j<k} h2^j
    return math.exp(k * lh) * m0 + g * geo


def fourth_moment_step_size(batch_size: int, dim: int, sigma2: float = 1.0) -> float:
    """eta_4 = b c_4 / sigma2, c_4 the smallest positive root of P(c) (h(4) = 1 + c P(c), sympy).

    For eta < eta_4, h(4) < 1, so alpha > 4 and the stationary law has a finite fourth moment (the
    sample mean of ||e||^2 then has finite variance).
    """
    b = _posint(batch_size, "batch_size")
    d = _posint(dim, "dim")
    s2 = _pos(sigma2, "sigma2")
    coef = _p4_coefficients()
    roots = np.roots([float(f(b, d)) for f in coef])
    real = sorted(r.real for r in roots if abs(r.imag) <= 1e-12 * abs(r) and r.real > 0)
    if not real:
        raise RuntimeError(f"P(c) has no positive root for b={b}, d={d}")
    return float(real[0] * b / s2)


@cache
def _p4_coefficients() -> tuple:
    """Coefficients of P(c) (highest degree first) as functions of (b, d)."""
    poly = sp.Poly(_closed_forms()["P4"], _c)
    return tuple(sp.lambdify((_b, _d), co, "math") for co in poly.all_coeffs())


def noise_moment(
    p: float, eta: float, batch_size: int, dim: int, sigma2: float = 1.0, sigma_eps: float = 1.0
) -> float:
    r"""E||xi||^p for xi = (eta/b) sum_{i<=b} a_i eps_i (= q_1 when x_hat = 0).

    Given eps, sum_i a_i eps_i ~ N(0, sigma2 ||eps||^2 I_d), so ||xi|| = (eta/b) sqrt(sigma2) sigma_eps
    sqrt(chi2_b) sqrt(chi2_d) with independent chi-squares, and
    E||xi||^p = ((eta/b) sqrt(sigma2) sigma_eps)^p 2^p Gamma((b+p)/2) Gamma((d+p)/2)
    / (Gamma(b/2) Gamma(d/2)).
    """
    p = _pos(p, "p")
    _params(eta, batch_size, dim, sigma2)
    b, d = int(batch_size), int(dim)
    se = _pos(sigma_eps, "sigma_eps")
    scale = float(eta) / b * math.sqrt(float(sigma2)) * se
    lg = (
        special.gammaln((b + p) / 2)
        - special.gammaln(b / 2)
        + special.gammaln((d + p) / 2)
        - special.gammaln(d / 2)
    )
    return float(math.exp(p * math.log(scale) + p * math.log(2.0) + lg))


def moment_upper_bound(
    p: float,
    k: int,
    x0_norm: float,
    eta: float,
    batch_size: int,
    dim: int,
    sigma2: float = 1.0,
    sigma_eps: float = 1.0,
    eps: float | None = None,
) -> float:
    r"""Upper bound on E||x_k||^p for online SGD with x_hat = 0 from a deterministic x_0, p < alpha.

    p <= 1 (subadditivity of t^p): h^k ||x_0||^p + (1 - h^k)/(1 - h) E||q_1||^p, h = h(p).
    1 < p < alpha: r = (1+eps) h < 1, r^k ||x_0||^p + (1 - r^k)/(1 - r) C_eps E||q_1||^p,
    C_eps = (1+eps)/((1+eps)^{1/(p-1)} - 1)^{p-1} (from ||u+v||^p <= (1+eps)||u||^p + C_eps||v||^p);
    ``eps`` defaults to (1/h - 1)/2 (Gürbüzbalaban, Şimşekli, Zhu 2021, moment bounds, reconstructed).
    """
    hp = moment_function(p, eta, batch_size, dim, sigma2)
    if hp >= 1:
        raise ValueError(f"p = {p} must be below the tail index (h(p) = {hp:.6g} >= 1)")
    k = _posint(k, "k")
    if not x0_norm >= 0:
        raise ValueError(f"x0_norm must be >= 0, got {x0_norm!r}")
    q = noise_moment(p, eta, batch_size, dim, sigma2, sigma_eps)
    if p <= 1:
        r, cst = hp, 1.0
    else:
        e = 0.5 * (1 / hp - 1) if eps is None else _pos(eps, "eps")
        r = (1 + e) * hp
        if r >= 1:
            raise ValueError(f"eps = {e} too large: (1 + eps) h(p) = {r:.6g} >= 1")
        cst = (1 + e) / math.expm1(math.log1p(e) / (p - 1)) ** (p - 1)
    return r**k * x0_norm**p + (1 - r**k) / (1 - r) * cst * q


# ------------------------------------------------------------------------------------ quadrature
@lru_cache(maxsize=32)
def _laguerre(n: int, k: float) -> tuple[np.ndarray, np.ndarray]:
    t, w = special.roots_genlaguerre(n, k - 1.0)
    return np.log(2.0 * t), np.log(w) - special.gammaln(k)


def _outer(c: float, b: int, h1: float, h2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes u, distances |u - 1/c| and log-weights for E f(U), U ~ chi2_b, split at u0 = 1/c."""
    u0 = 1.0 / c
    t = np.arange(-3.6, 3.6 + h1 / 2, h1)
    s = 0.5 * np.pi * np.sinh(t)
    left = u0 * special.expit(-2 * s)  # u, accurate near 0
    right = u0 * special.expit(2 * s)  # u0 - u, accurate near u0
    jac1 = u0 * 0.5 * np.pi * np.cosh(t) / (2 * np.cosh(s) ** 2) * h1
    tt = np.arange(-4.2, 3.0, h2)
    w = np.exp(0.5 * np.pi * np.sinh(tt))
    jac2 = w * 0.5 * np.pi * np.cosh(tt) * h2
    u = np.concatenate([left, u0 + w])
    dist = np.concatenate([right, w])
    jac = np.concatenate([jac1, jac2])
    k = b / 2.0
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        logw = (k - 1) * np.log(u) - u / 2 - k * math.log(2) - special.gammaln(k) + np.log(jac)
    ok = np.isfinite(logw) & (u > 0) & (dist > 0) & (logw > -800)
    return u[ok], dist[ok], logw[ok]


# (h1, h2, inner log-step, inner relative cut, Laguerre nodes): "fine" for h and alpha, "coarse" for rho.
# h1 is the step at moderate u0/b; _left_step refines it when the chi2_b bulk is a narrow bump far
# inside [0, 1/c] (large b, small c). h2 = 0.01 resolves the right-hand bump of (cU)^s chi2_b(U), at
# U ~ 2(s + b/2) with relative width (s + b/2)^{-1/2}, up to s = 100: with h2 = 0.02 log h(100) was off
# by up to 4e-6 (d = 2..5, b = 32); with 0.01, <= 1e-10 against a 2-7x finer grid.
_GRIDS = {
    "fine1": (0.04, 0.01, 0.0, 0.0, 0),
    "fine": (0.06, 0.01, 0.25, 1e-7, 64),
    "coarse": (0.1, 0.05, 0.4, 1e-6, 48),
}


# Resolution of the chi2_b bulk by the left tanh-sinh rule: its relative node spacing near u ~ b is
# about h1 log(u0/b) while the bulk's relative width is sqrt(2/b), so the bulk gets ~1/(h1 r) nodes per
# standard deviation with r = sqrt(b/2) log(u0/b). With a fixed h1 = 0.06 this under-resolved the bulk for
# large b and small c (b = 32, d = 64, eta = 0.02 eta_crit: error 7e-7 in log h(4)). Capping h1 r at
# _BULK_R0 h1 keeps >= 1/(0.06 * 7) ~ 2.4 nodes per s.d. (error <= 1e-13 at s = 2, 4; tests).
_BULK_R0 = 7.0
# Inner rule over V: log-v midpoint rule for d < _HYBRID_MIN_D; for _HYBRID_MIN_D <= d < _LAGUERRE_MIN_D
# Gauss-Laguerre at outer nodes with eps = (1-cU)^2/(c^2 U) >= _LAGUERRE_MIN_EPS and the midpoint rule at
# the others; Gauss-Laguerre only for d >= _LAGUERRE_MIN_D. Pure Gauss-Laguerre from d = 6 on gave
# relative errors in alpha up to 2.6e-4 (d = 6), 1.5e-5 (d = 8), 1e-6 (d = 10) at alpha = 0.05.
_HYBRID_MIN_D = 6
_LAGUERRE_MIN_D = 12
_LAGUERRE_MIN_EPS = 2.0


def _left_step(h1: float, c: float, b: int) -> float:
    """The left tanh-sinh step h1, refined when the chi2_b bulk is narrow and far below u0 = 1/c."""
    ratio = 1.0 / (c * b)
    if ratio <= math.e:
        return h1
    r = math.sqrt(b / 2.0) * math.log(ratio)
    return h1 * min(1.0, _BULK_R0 / r)


def _inner_midpoint(
    a2log: np.ndarray, logb: np.ndarray, logw: np.ndarray, k: float, dl: float, rel: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes for E over V ~ chi2_{2k} of log sqrt(a + B V) at each outer node, midpoint rule in log v.

    It resolves the scale eps = a/B = (1-cU)^2/(c^2 U), tiny near U = 1/c, where Gauss-Laguerre fails.
    """
    # cut where v_lo^k <= rel: the midpoint rule's end error scales with the integrand there
    llo = np.minimum(a2log - logb, 0.0) + math.log(rel) / min(1.0, k)
    n = np.ceil((7.0 - llo) / dl).astype(int)
    # ragged layout (row by row, n[i] nodes in row i): row lengths vary ~3x across the outer nodes
    rows = np.repeat(np.arange(n.size), n)
    j = np.arange(rows.size) - np.repeat(np.cumsum(n) - n, n) + 0.5
    ell = llo[rows] + dl * j
    ldv = k * ell - np.exp(ell) / 2 - k * math.log(2) - special.gammaln(k) + math.log(dl)
    lin = 0.5 * np.logaddexp(a2log[rows], logb[rows] + ell)
    with np.errstate(divide="ignore"):
        low_mass = np.log(special.gammainc(k, np.exp(llo) / 2))  # V < v_lo: N^2 ~ (1-cU)^2
    L = np.concatenate([0.5 * a2log, lin])
    lw = np.concatenate([logw + low_mass, logw[rows] + ldv])
    return L, lw


@lru_cache(maxsize=256)
def _nodes(c: float, b: int, d: int, grid: str = "fine") -> tuple[np.ndarray, np.ndarray, float]:
    """(L, logw, rho): L = log N at the nodes, normalised log-weights, and rho = E log N."""
    if d == 1 and grid == "fine":
        grid = "fine1"
    h1, h2, dl, rel, nv = _GRIDS[grid]
    u, dist, logw = _outer(c, b, _left_step(h1, c, b), h2)
    a2log = 2.0 * np.log(c * dist)  # log (1 - cU)^2, accurate near U = 1/c
    if d == 1:
        L, lw = 0.5 * a2log, logw
    else:
        logb = np.log(c * c * u)
        # Gauss-Laguerre over V where eps = (1-cU)^2/(c^2 U) is large enough; the log-v midpoint rule
        # where it is small (near U = 1/c), where ((eps + V) c^2 U)^{s/2} is nearly singular at V = 0.
        if d >= _LAGUERRE_MIN_D:
            lag = np.ones(u.shape, dtype=bool)
        elif d >= _HYBRID_MIN_D:
            lag = a2log - logb >= math.log(_LAGUERRE_MIN_EPS)
        else:
            lag = np.zeros(u.shape, dtype=bool)
        Ls, lws = [], []
        if lag.any():
            logv, lwv = _laguerre(nv, (d - 1) / 2.0)
            Ls.append((0.5 * np.logaddexp(a2log[lag, None], logb[lag, None] + logv[None, :])).ravel())
            lws.append((logw[lag, None] + lwv[None, :]).ravel())
        if not lag.all():
            mid = ~lag
            Lm, lwm = _inner_midpoint(a2log[mid], logb[mid], logw[mid], (d - 1) / 2.0, dl, rel)
            Ls.append(Lm)
            lws.append(lwm)
        L, lw = np.concatenate(Ls), np.concatenate(lws)
    ok = np.isfinite(lw)
    L, lw = L[ok], lw[ok]
    lw = lw - special.logsumexp(lw)
    rho = float(np.sum(np.exp(lw) * L))
    # Drop nodes negligible for every s in [0, S_MAX] (log h(s) >= s rho by Jensen).
    keep = (lw > -40) | (lw + 2 * S_MAX * (L - rho) > -40)
    return L[keep], lw[keep], rho


def _lse(x: np.ndarray) -> float:
    m = float(x.max())
    return m + math.log(float(np.exp(x - m).sum()))


def _log_h(s: float, c: float, b: int, d: int) -> float:
    L, lw, _ = _nodes(c, b, d)
    return _lse(s * L + lw)


def _rho(c: float, b: int, d: int, grid: str = "fine") -> float:
    return _nodes(c, b, d, grid)[2]


def moment_function(s: float, eta: float, batch_size: int, dim: int, sigma2: float = 1.0) -> float:
    r"""h(s) = E ||(I - (eta/b) sum_{i<=b} a_i a_i^T) x||^s for a unit x, a_i ~ N(0, sigma2 I_d).

    Equal to lim_k (E||M_k ... M_1||^s)^{1/k} (attained at k = 1 by rotation invariance), computed by
    quadrature over U ~ chi2_b and V ~ chi2_{d-1}: h(s) = E[((1 - cU)^2 + c^2 U V)^{s/2}].
    Validated for 0 <= s <= 100 (d > 1) or 200 (d = 1), b <= 32, d <= 64: absolute error in log h
    <= 1e-9 against nested adaptive quadrature, sympy's h(2), h(4) and finer grids (tests).
    """
    c, b, d = _params(eta, batch_size, dim, sigma2)
    if not isinstance(s, (int, float, np.integer, np.floating)) or not 0 <= s <= 2 * S_MAX:
        raise ValueError(f"s must be a number in [0, {2 * S_MAX}], got {s!r}")
    return math.exp(_log_h(float(s), c, b, d))


def lyapunov_exponent(eta: float, batch_size: int, dim: int, sigma2: float = 1.0) -> float:
    r"""The top Lyapunov exponent rho = lim_k (2k)^{-1} log lambda_max(Pi_k^T Pi_k) of online SGD.

    For Gaussian data rho = E log ||M e_1|| = (1/2) E log((1 - cU)^2 + c^2 U V), c = eta sigma2 / b
    (Gürbüzbalaban, Şimşekli, Zhu 2021, reconstructed). A stationary law exists iff rho < 0.

    Parameters
    ----------
    eta: step size (> 0). batch_size: b >= 1. dim: d >= 1. sigma2: data variance (> 0).
    """
    c, b, d = _params(eta, batch_size, dim, sigma2)
    return _rho(c, b, d)


@lru_cache(maxsize=512)
def _c_max(b: int, d: int) -> float:
    """The c where rho changes sign (first zero; a single sign change on the scanned grid is checked)."""
    lo = 2.0 / (b + d + 1)  # c_crit: rho < 1/2 log h(2) = 0 there (Jensen)
    if _rho(lo, b, d, "coarse") >= 0:
        raise RuntimeError(f"rho >= 0 at c_crit for b={b}, d={d}: quadrature failure")
    hi = lo
    while True:
        hi *= 1.25
        if _rho(hi, b, d, "coarse") > 0:
            break
        lo = hi
        if hi > 1e6:
            raise RuntimeError(f"no sign change of rho found for b={b}, d={d}")
    root = optimize.brentq(lambda c: _rho(c, b, d, "coarse"), lo, hi, xtol=1e-13, rtol=1e-12)
    # polish with the fine nodes used by lyapunov_exponent/tail_index, so the two agree at the boundary
    a, z = root * (1 - 1e-6), root * (1 + 1e-6)
    if _rho(a, b, d) < 0 < _rho(z, b, d):
        root = optimize.brentq(lambda c: _rho(c, b, d), a, z, xtol=1e-15, rtol=1e-15)
    # check: rho stays positive on a grid above the root (single sign change)
    for f in (1.5, 2.0, 4.0, 16.0):
        if _rho(root * f, b, d, "coarse") <= 0:
            raise RuntimeError(f"rho changes sign more than once for b={b}, d={d}")
    return float(root)


def max_step_size(batch_size: int, dim: int, sigma2: float = 1.0) -> float:
    """eta_max: the step size where rho = 0 (no stationary law for eta >= eta_max)."""
    b = _posint(batch_size, "batch_size")
    d = _posint(dim, "dim")
    s2 = _pos(sigma2, "sigma2")
    return _c_max(b, d) * b / s2


def _alpha_c(c: float, b: int, d: int, xtol: float = 1e-12) -> float:
    rho = _rho(c, b, d)
    if rho >= 0:
        raise NoStationaryLaw(
            f"rho = {rho:.3g} >= 0 at c = eta sigma2/b = {c:.6g} (b={b}, d={d}): SGD has no "
            "stationary law, so there is no tail index"
        )
    f = lambda s: _log_h(s, c, b, d)  # noqa: E731
    # the sign at s = 2 is known exactly: h(2) - 1 = b c (c (b + d + 1) - 2)
    s = 2.0
    if c * (b + d + 1) < 2:
        # alpha > 2 here, so log h(1.999) < 0 strictly (convexity)
        lo, hi = 1.999, 2 * s
        while f(hi) < 0:
            lo, hi = hi, 2 * hi
            if lo >= S_MAX:
                raise TailIndexOutOfRange(f"tail index > {S_MAX} at c={c:.4g}, b={b}, d={d}")
    else:
        # alpha <= 2 here, so log h > 0 strictly beyond 2 (convexity); no shortcut at alpha = 2
        lo, hi = 1.0, 2.001
        while f(lo) > 0:
            lo, hi = lo / 2, lo
            if hi < 1e-8:
                raise TailIndexOutOfRange(f"tail index < 1e-8 at c={c:.4g}, b={b}, d={d}")
    alpha = float(optimize.brentq(f, lo, hi, xtol=xtol * lo, rtol=1e-13))
    if alpha > S_MAX:  # the doubling bracket can straddle S_MAX (e.g. [64, 128])
        raise TailIndexOutOfRange(f"tail index {alpha:.4g} > {S_MAX} at c={c:.4g}, b={b}, d={d}")
    return alpha


# A fixed log-spaced scan of (0, S_MAX] (ratio ~1.48; no node at s = 2).
_SCAN = np.geomspace(0.013, S_MAX, 24)


def _alpha_scan(c: float, b: int, d: int) -> float:
    """The root of log h on (0, S_MAX], found without the closed-form sign of h(2) - 1.

    An independent reference for :func:`_alpha_c` (whose bracket starts from that sign): scan a fixed
    log-spaced grid for the first node where log h > 0 and refine by Brent inside that cell. By
    convexity of log h (log h(0) = 0, slope rho < 0 at 0) the root is unique.
    """
    if _rho(c, b, d) >= 0:
        raise NoStationaryLaw(f"rho >= 0 at c = {c:.6g} (b={b}, d={d})")
    f = lambda s: _log_h(s, c, b, d)  # noqa: E731
    prev = 0.0
    for s in _SCAN:
        if f(s) > 0:
            if prev == 0.0:
                raise TailIndexOutOfRange(f"tail index < {_SCAN[0]} at c={c:.4g}, b={b}, d={d}")
            return float(optimize.brentq(f, prev, s, xtol=1e-13, rtol=1e-13))
        prev = s
    raise TailIndexOutOfRange(f"tail index > {S_MAX} at c={c:.4g}, b={b}, d={d}")


def tail_index(eta: float, batch_size: int, dim: int, sigma2: float = 1.0) -> float:
    r"""The tail index alpha of the stationary law of online SGD on Gaussian least squares.

    alpha is the unique positive root of h(alpha) = 1; then P(u^T x_inf > t) ~ e(u) t^{-alpha} and
    E||x_inf||^p < inf iff p < alpha (Gürbüzbalaban, Şimşekli, Zhu 2021, main tail theorem,
    reconstructed). Found by bracketing (the sign at s = 2 is known exactly) and Brent on log h;
    relative error < 1e-7 for 0.05 <= alpha <= 100, b <= 32, d <= 64, measured against 3-4x finer
    grids and nested adaptive quadrature (tests): <= 5e-8 at alpha = 0.05 (d = 12 to 64, inner
    Gauss-Laguerre), <= 2e-9 for alpha >= 0.5. A few ms in d = 1, 5-40 ms (cold) in d > 1.

    Parameters
    ----------
    eta: step size (> 0). batch_size: b >= 1. dim: d >= 1. sigma2: data variance (> 0).

    Raises
    ------
    NoStationaryLaw: if rho >= 0 (eta >= eta_max): no stationary law, so no tail index.
    TailIndexOutOfRange: if alpha > 100 (very small steps): beyond the validated quadrature range.
    """
    c, b, d = _params(eta, batch_size, dim, sigma2)
    return _alpha_c(c, b, d)


def step_for_tail_index(alpha: float, batch_size: int, dim: int, sigma2: float = 1.0) -> float:
    """The step size eta with tail_index(eta, b, d, sigma2) = alpha (alpha is decreasing in eta here)."""
    a = _pos(alpha, "alpha")
    b = _posint(batch_size, "batch_size")
    d = _posint(dim, "dim")
    s2 = _pos(sigma2, "sigma2")
    if a > 60:
        raise ValueError(f"alpha must be <= 60 for the inversion, got {alpha}")
    c_hi = _c_max(b, d) * (1 - 1e-9)
    c_crit = c_lo = 2.0 / (b + d + 1)

    def g(c: float) -> float:
        try:
            return _alpha_c(c, b, d) - a
        except NoStationaryLaw:
            return -a  # alpha -> 0 at eta_max
        except TailIndexOutOfRange:
            # below c_crit alpha > 2, so out of range means alpha > S_MAX >= a; above, alpha < 1e-8
            return S_MAX if c <= c_crit else -a

    if a > 2:
        while g(c_lo) < 0:  # halving may jump past alpha = S_MAX: g is then positive, as needed
            c_lo /= 2
        lo, hi = c_lo, c_crit
    elif a < 2:
        lo, hi = c_lo, c_hi
    else:
        return critical_step_size(b, d, s2)
    c = optimize.brentq(g, lo, hi, xtol=1e-14, rtol=1e-11)
    return float(c * b / s2)


def goldie_constant(
    eta: float, batch_size: int, sigma2: float, x: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[float, float]:
    r"""Monte-Carlo estimate of Goldie's constant C for d = 1, with its standard error.

    P(x_inf > t) ~ P(x_inf < -t) ~ C t^{-alpha}, C = E[|AX + B|^alpha - |AX|^alpha] / (2 alpha m_alpha),
    m_alpha = E|A|^alpha log|A| = h'(alpha) (Goldie 1991, Thm 4.1, case P(A < 0) > 0). ``x`` are
    stationary samples, (a, b) fresh step coefficients of the same length; m_alpha by quadrature.
    """
    c, bs, _ = _params(eta, batch_size, 1, sigma2)
    alpha = _alpha_c(c, bs, 1)
    L, lw, _ = _nodes(c, bs, 1)
    m_alpha = float(np.sum(np.exp(lw + alpha * L) * L))
    vals = np.abs(a * x + b) ** alpha - np.abs(a * x) ** alpha
    denom = 2 * alpha * m_alpha
    return float(vals.mean() / denom), float(vals.std(ddof=1) / math.sqrt(vals.size) / denom)


# ------------------------------------------------------------------------------------ estimators
def hill_estimator(z: np.ndarray, k: int | np.ndarray) -> np.ndarray | float:
    r"""Hill's tail-index estimator alpha_H(k) = [(1/k) sum_{i<=k} log(Z_(i)/Z_(k+1))]^{-1}.

    ``z``: samples (absolute values are taken); ``k``: number of upper order statistics (int or
    array). Its asymptotic standard deviation is alpha/sqrt(k); use independent replicas.
    """
    z = np.abs(np.asarray(z, dtype=np.float64).ravel())
    if z.size < 3:
        raise ValueError(f"z must hold at least 3 samples, got {z.size}")
    if not np.all(np.isfinite(z)):
        raise ValueError("z contains non-finite values: stop diverging replicas before estimating")
    ks = np.atleast_1d(np.asarray(k))
    if np.any(ks < 1) or np.any(ks >= z.size):
        raise ValueError(f"k must be in [1, {z.size - 1}], got {k!r}")
    kmax = int(ks.max())
    top = -np.sort(-np.partition(z, z.size - kmax - 1)[z.size - kmax - 1 :])  # descending, kmax+1
    logs = np.log(top)
    csum = np.cumsum(logs[:-1])
    out = 1.0 / (csum[ks - 1] / ks - logs[ks])
    return float(out[0]) if np.ndim(k) == 0 else out


def max_sum_ratio(z: np.ndarray, p: float = 2.0, group: int | None = None) -> np.ndarray | float:
    r"""O'Brien's ratio R_n(p) = max_i |Z_i|^p / sum_i |Z_i|^p; -> 0 a.s. iff E|Z|^p < inf.

    With ``group`` = n, the samples are split into consecutive groups of n and one ratio per group is
    returned (independent if the samples are independent replicas).
    """
    z = np.abs(np.asarray(z, dtype=np.float64).ravel())
    if group is None:
        zp = z**p
        return float(zp.max() / zp.sum())
    n = _posint(group, "group")
    g = z.size // n
    if g < 1:
        raise ValueError(f"group {n} larger than the sample size {z.size}")
    zp = z[: g * n].reshape(g, n) ** p
    return zp.max(axis=1) / zp.sum(axis=1)


def block_tail_index(x: np.ndarray, ms: tuple[int, ...] | None = None) -> float:
    r"""The Mohammadi-Mohammadpour-Ogata (2015, Cor. 2.4) block estimator, as in the paper's code.

    For N = m n samples X_j (rows, in R^d), with block sums Y_i of m consecutive samples,
    1/alpha = (1/log m)[(1/n) sum_i log||Y_i|| - (1/N) sum_j log||X_j||]; the official code adds machine
    epsilon inside the log and reports the median over m in {2, 5, 10, 20, 50, 100, sqrt(N)}.

    Limits: exact in expectation only for strictly alpha-stable X; finite-variance inputs give Gaussian
    block sums, so the estimate tends to 2 and it never reports alpha > 2 (it cannot tell alpha = 3 from
    alpha = inf); biased for non-centred inputs and for alpha slightly above 2; reliable only well below
    2 on stable-like inputs such as time averages under the generalised CLT.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    n_tot = x.shape[0]
    if ms is None:
        ms = (2, 5, 10, 20, 50, 100, int(math.sqrt(n_tot)))
    eps = np.finfo(float).eps
    est = []
    for m in ms:
        n = n_tot // m
        if m < 2 or n < 1:
            continue
        xs = x[: n * m]
        y = xs.reshape(n, m, -1).sum(axis=1)
        inv = (
            np.mean(np.log(np.linalg.norm(y, axis=1) + eps))
            - np.mean(np.log(np.linalg.norm(xs, axis=1) + eps))
        ) / math.log(m)
        est.append(1.0 / inv)
    if not est:
        raise ValueError(f"too few samples ({n_tot}) for the block estimator")
    return float(np.median(est))


def _b2_semiclosed(s: float, c: float) -> float:
    """log h(s) for b = 2, d = 1: (2c)^s Gamma(s+1) e^{-lam} + lam int_0^1 (1-t)^s e^{-lam t} dt."""
    from scipy import integrate

    lam = 1.0 / (2 * c)
    t1 = s * math.log(2 * c) + special.gammaln(s + 1) - lam
    val, _ = integrate.quad(
        lambda t: (1 - t) ** s * math.exp(-lam * t), 0, 1, epsabs=0, epsrel=1e-13, limit=200
    )
    return float(np.logaddexp(t1, math.log(lam * val)))


@lru_cache(maxsize=1)
def _h2_is_one_at_eta_crit() -> bool:
    cf = _closed_forms()
    return bool(sp.simplify(cf["h2"].subs(_c, cf["eta_crit"] * _s2 / _b) - 1) == 0)


@lru_cache(maxsize=1)
def _crit_ratio_depends_on_b() -> bool:
    ratio = sp.simplify(_closed_forms()["eta_crit"] / _b)
    return bool(sp.diff(ratio, _b) != 0)


# The official notebook's synthetic grid (umutsimsekli/sgd_ht): d = 100, sigma_a = 1.
OFFICIAL_GRID = {"d": 100, "b": (1, 2, 3, 4, 5, 10, 20), "eta": tuple(np.linspace(0.02, 0.2, 10))}


def _classify_grid() -> dict:
    d = OFFICIAL_GRID["d"]
    out = {"finite": 0, "window": 0, "divergent": 0, "points": []}
    for b in OFFICIAL_GRID["b"]:
        ec, em = critical_step_size(b, d), max_step_size(b, d)
        for eta in OFFICIAL_GRID["eta"]:
            cls = "finite" if eta < ec else ("window" if eta < em else "divergent")
            out[cls] += 1
            out["points"].append((b, float(eta), cls))
    return out


@lru_cache(maxsize=1)
def _second_moment_symbolic() -> dict:
    """sympy: the fixed point equals the spec's formula, and it has a pole exactly at eta_crit."""
    cf = _closed_forms()
    spec = _eta * _se**2 * _d / (2 * _b - _eta * _s2 * (_b + _d + 1))
    same = sp.simplify(cf["m_inf"] - spec) == 0
    num, den = sp.fraction(sp.cancel(cf["m_inf"]))
    at = {_eta: cf["eta_crit"]}
    pole = sp.simplify(den.subs(at)) == 0 and sp.simplify(num.subs(at)) != 0
    return {"fixed_point_is_spec_formula": bool(same), "pole_at_eta_crit": bool(pole)}


def _sign_changes(grid: np.ndarray, lh: np.ndarray) -> list[tuple[float, float]]:
    """Intervals of the grid (s > 0) where log h changes sign (points with |log h| <= 1e-10, i.e. zero
    within quadrature accuracy, are skipped so that a grid point at alpha is not counted twice)."""
    keep = (grid > 0) & (np.abs(lh) > 1e-10)
    g, sg = grid[keep], np.sign(lh[keep])
    idx = np.nonzero(sg[1:] != sg[:-1])[0]
    return [(float(g[i]), float(g[i + 1])) for i in idx]
