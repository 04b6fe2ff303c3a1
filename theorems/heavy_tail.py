r"""The heavy-tail phenomenon in online SGD (Gürbüzbalaban, Şimşekli, Zhu, ICML 2021, arXiv 2006.04740).

Online minibatch SGD on least squares with fresh Gaussian data a_i ~ N(0, sigma2 I_d) is the random
affine recursion x_k = M_k x_{k-1} + q_k, M_k = I - (eta/b) sum_{i<=b} a_i a_i^T. Its stationary law has
a power-law tail P(u^T x > t) ~ e(u) t^{-alpha}, where alpha is the positive root of h(alpha) = 1 and

    h(s) = E ||M e_1||^s = E[((1 - cU)^2 + c^2 U V)^{s/2}],  c = eta sigma2 / b,
    U ~ chi2_b, V ~ chi2_{d-1} independent  (exact by rotation invariance),
    rho = E log ||M e_1||  (the top Lyapunov exponent; a stationary law exists iff rho < 0).

Public functions: :func:`tail_index`, :func:`critical_step_size`, :func:`lyapunov_exponent`,
:func:`max_step_size`, :func:`moment_function`, :func:`step_for_tail_index`, :func:`goldie_constant`,
:func:`stationary_second_moment`, and the estimators :func:`hill_estimator`, :func:`max_sum_ratio`,
:func:`block_tail_index`. The claims below (ids ``heavy_tail.*``) encode the paper's statements;
theorem numbers and wording were reconstructed, not read from the PDF.

Numerics. h and rho are computed by fixed-node double-exponential quadrature over the two chi-square
variables (tanh-sinh on [0, 1/c] and exp-sinh on [1/c, inf) for U, where |1 - cU| vanishes; for V a
generalized Gauss-Laguerre rule when d >= 6 and a log-spaced midpoint rule that resolves the
near-singular corner (U = 1/c, V = 0) when 2 <= d <= 5). Nodes do not depend on s, so log h(s) is one
logsumexp; weights are normalised so that h(0) = 1 exactly. Measured accuracy (tests, against scipy
adaptive quadrature, the exact d = 3 inner integral and the b = 2 semi-closed form): ~1e-12 relative on
h(2), h(4), rho (~1e-11 in d = 2, 3); alpha to ~1e-14 (d = 1) and ~1e-10 (d = 3); log h(s) to <= 1e-6 up
to s = 100 (d > 1) and 200 (d = 1).
"""

from __future__ import annotations

import math
import time
from functools import cache, lru_cache

import numpy as np
import sympy as sp
from hypothesis import assume
from scipy import optimize, special, stats

from sim import online
from theorems import Check, Citation, claim
from theorems.strategies import heavy_tail as S

PAPER = Citation(
    authors="M. Gürbüzbalaban, U. Şimşekli, L. Zhu",
    year=2021,
    title="The Heavy-Tail Phenomenon in SGD",
    venue="ICML (PMLR 139)",
    arxiv="2006.04740",
    where="(reconstructed)",
)
GOLDIE = Citation(authors="C. M. Goldie", year=1991,
                  title="Implicit renewal theory and tails of solutions of random equations",
                  venue="Ann. Appl. Probab. 1:126-166", where="Theorem 4.1 (reconstructed)")

# Largest s at which the quadrature is validated (log h to ~1e-6); alpha above it is reported, not
# returned as a number.
S_MAX = 100.0

__all__ = [
    "NoStationaryLaw", "TailIndexOutOfRange", "block_tail_index", "critical_step_size",
    "goldie_constant", "hill_estimator", "lyapunov_exponent", "max_step_size", "max_sum_ratio",
    "moment_function", "stationary_second_moment", "step_for_tail_index", "tail_index",
    "fourth_moment_step_size", "moment_upper_bound", "noise_moment", "second_moment_path",
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
        "h2": h2, "h4": h4, "eta_crit": eta_crit, "m_inf": m_inf, "P4": sp.expand(p4),
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


def stationary_second_moment(eta: float, batch_size: int, dim: int, sigma2: float = 1.0,
                             sigma_eps: float = 1.0) -> float:
    """E||x_inf - x_hat||^2 = eta sigma_eps^2 d / (2b - eta sigma2 (b + d + 1)) for eta < eta_crit.

    The fixed point of m_k = h(2) m_{k-1} + eta^2 sigma2 sigma_eps^2 d / b (sympy); ``inf`` for
    eta >= eta_crit, where m_k grows without bound.
    """
    c, b, d = _params(eta, batch_size, dim, sigma2)
    se = _pos(sigma_eps, "sigma_eps")
    if eta >= critical_step_size(b, d, sigma2):
        return math.inf
    return float(_closed_forms()["m_inf_f"](float(eta), b, d, float(sigma2), se))


def second_moment_path(k: int, eta: float, batch_size: int, dim: int, sigma2: float = 1.0,
                       sigma_eps: float = 1.0, m0: float = 0.0) -> float:
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


def noise_moment(p: float, eta: float, batch_size: int, dim: int, sigma2: float = 1.0,
                 sigma_eps: float = 1.0) -> float:
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
    lg = (special.gammaln((b + p) / 2) - special.gammaln(b / 2)
          + special.gammaln((d + p) / 2) - special.gammaln(d / 2))
    return float(math.exp(p * math.log(scale) + p * math.log(2.0) + lg))


def moment_upper_bound(p: float, k: int, x0_norm: float, eta: float, batch_size: int, dim: int,
                       sigma2: float = 1.0, sigma_eps: float = 1.0, eps: float | None = None) -> float:
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
    left = u0 * special.expit(-2 * s)      # u, accurate near 0
    right = u0 * special.expit(2 * s)      # u0 - u, accurate near u0
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


def _inner_midpoint(a2log: np.ndarray, logb: np.ndarray, logw: np.ndarray, k: float, dl: float,
                    rel: float) -> tuple[np.ndarray, np.ndarray]:
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
            "stationary law, so there is no tail index")
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


def goldie_constant(eta: float, batch_size: int, sigma2: float, x: np.ndarray, a: np.ndarray,
                    b: np.ndarray) -> tuple[float, float]:
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
    top = -np.sort(-np.partition(z, z.size - kmax - 1)[z.size - kmax - 1:])  # descending, kmax+1
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
        inv = (np.mean(np.log(np.linalg.norm(y, axis=1) + eps))
               - np.mean(np.log(np.linalg.norm(xs, axis=1) + eps))) / math.log(m)
        est.append(1.0 / inv)
    if not est:
        raise ValueError(f"too few samples ({n_tot}) for the block estimator")
    return float(np.median(est))


# ============================================================================ simulation helpers
def _z(level: float, two_sided: bool = True) -> float:
    return float(stats.norm.isf(level / 2 if two_sided else level))


_SIM_CACHE: dict = {}


def _memo_sim(key: tuple, build) -> dict:
    """``build()`` memoised in a small cache (claims and their false variants share simulations)."""
    if key in _SIM_CACHE:
        return _SIM_CACHE[key]
    out = build()
    if len(_SIM_CACHE) > 8:
        _SIM_CACHE.clear()
    _SIM_CACHE[key] = out
    return out


def _chain_for_tail_index(alpha: float, b: int, d: int, s2: float, mix: float) -> tuple:
    """(eta, rho, K): the step with tail index alpha and K = ceil(k_mix/|rho|) + 30 steps from e_0 = 0."""
    eta = step_for_tail_index(alpha, b, d, s2)
    rho = lyapunov_exponent(eta, b, d, s2)
    return eta, rho, int(math.ceil(mix / abs(rho))) + 30


def _stationary_d1(inst: dict, ctx) -> dict:
    """Stationary d = 1 chains for an instance {b, sigma2, alpha, seed}: R replicas, K >= k_mix/|rho|."""
    b, s2, alpha = int(inst["b"]), float(inst["sigma2"]), float(inst["alpha"])
    R = ctx.pick(dev=30_000, ci=60_000, thorough=1_000_000)
    mix = ctx.pick(dev=20, ci=30, thorough=40)

    def build() -> dict:
        eta, rho, K = _chain_for_tail_index(alpha, b, 1, s2, mix)
        t0 = time.perf_counter()
        res = online.scalar_chains(int(inst["seed"]), R, K, eta, b, s2)
        return {"eta": eta, "rho": rho, "K": K, "R": R, "z": res.state, "n_diverged": res.n_diverged,
                "sim_seconds": time.perf_counter() - t0, "eta_crit": critical_step_size(b, 1, s2)}
    return _memo_sim((b, s2, alpha, int(inst["seed"]), R, mix), build)


def _hill_check(z: np.ndarray, alpha: float, level: float) -> dict:
    """Hill at k = 1% of the sample; CI half-width z alpha/sqrt(k) plus a 10% second-order bias band."""
    k = max(50, int(0.01 * z.size))
    a_hat = hill_estimator(z, k)
    half = _z(level) * a_hat / math.sqrt(k) + HILL_BIAS * alpha
    return {"alpha_hat": a_hat, "k": k, "half_width": half, "ci": (a_hat - half, a_hat + half)}


# Relative second-order Hill bias allowed at k/R = 1e-2. Measured on control runs (R = 2e5, d = 1):
# at k/R in [3e-3, 1e-2] the Hill estimate was within 2% of alpha for alpha in {1.0, 1.2}, 5% for 1.5,
# and 9-10% for alpha in {1.9, 3.5}; the claims that use it draw alpha <= 1.8.
HILL_BIAS = 0.10
# Decay-exponent threshold for R_n(2): n^{2/alpha' - 1} with alpha' = 2.5 decays at exponent 0.2.
GAMMA0 = 0.2


def _ratio_decay(z: np.ndarray, n1: int = 10, n2: int = 1000) -> tuple[float, float]:
    """Decay exponent of the max-to-sum ratio of z^2 between group sizes n1 and n2, with its s.e."""
    r1 = np.log(max_sum_ratio(z, 2.0, group=n1))
    r2 = np.log(max_sum_ratio(z, 2.0, group=n2))
    lg = math.log(n2 / n1)
    gam = (r1.mean() - r2.mean()) / lg
    se = math.sqrt(r1.var(ddof=1) / r1.size + r2.var(ddof=1) / r2.size) / lg
    return float(gam), float(se)


def _alpha_or_none(eta: float, b: int, d: int, s2: float) -> float | None:
    try:
        return tail_index(eta, b, d, s2)
    except NoStationaryLaw:
        return None


def _tail_indices(s2: float, *points: tuple) -> tuple:
    """tail_index at each (eta, b, d); an instance with alpha beyond the validated range is rejected."""
    try:
        return tuple(tail_index(eta, b, d, s2) for eta, b, d in points)
    except TailIndexOutOfRange:
        assume(False)


def _strict_gap(gap: float, a2: float, a1: float, details: dict, ok: bool = True) -> Check:
    """Strict monotonicity from the relative gap between two tail indices (positive = as claimed).

    Decided only when |gap| > 1e-6 (the quadrature is accurate to ~1e-9); ``ok`` adds a side condition.
    """
    if abs(gap) <= 1e-6:
        return Check.inconclusive("alphas equal within quadrature accuracy", measured=a2, predicted=a1)
    return Check(bool(gap > 0 and ok), a2, a1, margin=gap, details=details)


def _z_test(mean: float, pred: float, se: float) -> tuple[float, float]:
    """(z, two-sided p-value) of a sample mean against its prediction with standard error se."""
    zstat = (mean - pred) / se
    return zstat, float(2 * stats.norm.sf(abs(zstat)))


def _theory_step(inst: dict) -> tuple:
    """(b, d, sigma2, eta) of a theory_point instance: eta = frac * eta_crit."""
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    return b, d, s2, inst["frac"] * critical_step_size(b, d, s2)


def _window_step(inst: dict) -> tuple:
    """(b, d, sigma2, eta) of a window_point instance: eta = eta_crit + w (eta_max - eta_crit)."""
    b, d, s2, w = inst["b"], inst["d"], inst["sigma2"], inst["w"]
    ec, em = critical_step_size(b, d, s2), max_step_size(b, d, s2)
    return b, d, s2, ec + w * (em - ec)


# ===================================================================================== claims
@claim(
    id="heavy_tail.even_moments",
    paper=PAPER, status="derived", kind="equality",
    statement=r"For Gaussian data, $h(2) = 1 - 2cb + c^2 b(b+d+1)$ and $h(4) = 1 + cP(c)$ with "
              r"$c = \eta\sigma^2/b$, where $h(s) = E[((1-cU)^2 + c^2UV)^{s/2}]$, $U\sim\chi^2_b$, "
              r"$V\sim\chi^2_{d-1}$.",
    strategy=S.theory_point(),
    tolerance="atol 1e-8 on log h: the quadrature's measured error on h(2), h(4) is <= 5e-11 (d = 2, 3) "
              "and <= 2e-13 elsewhere over the whole strategy range (3000 random instances; >= 200x "
              "margin). Before the bulk-adaptive left step, large b with small steps reached 7e-7.",
    assumptions="a_i ~ N(0, sigma2 I_d); b in [1,32], d in [1,64], sigma2 in [0.1,10]; "
                "eta = frac * eta_crit, frac in [0.02, 1.5].",
    closed_form="h(2) = 1 - 2cb + c^2 b (b+d+1); h(4) = 1 + c P(c) (sympy, chi-square moments).",
    examples={"dev": 4, "ci": 20, "thorough": 200},
)
def even_moments(inst: dict, ctx) -> Check:
    """sympy's even moments (from chi-square/Wishart moments) against the quadrature of h."""
    b, d, s2, eta = _theory_step(inst)
    meas = [moment_function(2.0, eta, b, d, s2), moment_function(4.0, eta, b, d, s2)]
    pred = [h2_closed(eta, b, d, s2), h4_closed(eta, b, d, s2)]
    return Check.close(np.log(meas), np.log(pred), atol=1e-8, eta=eta)


@even_moments.false_variant("mean_update_only", "h(2) = (1 - eta sigma2)^2: the noiseless GD factor.")
def _(inst: dict, ctx) -> Check:
    b, d, s2, eta = _theory_step(inst)
    return Check.close(math.log(moment_function(2.0, eta, b, d, s2)),
                       math.log((1 - eta * s2) ** 2 + 1e-300), atol=1e-8)


@even_moments.false_variant("forgets_d", "h(2) = 1 - 2cb + c^2 b (b+2): the dimension term dropped.")
def _(inst: dict, ctx) -> Check:
    b, d, s2, eta = _theory_step(inst)
    c = eta * s2 / b
    return Check.close(math.log(moment_function(2.0, eta, b, d, s2)),
                       math.log(1 - 2 * c * b + c * c * b * (b + 2)), atol=1e-8)


def _b2_semiclosed(s: float, c: float) -> float:
    """log h(s) for b = 2, d = 1: (2c)^s Gamma(s+1) e^{-lam} + lam int_0^1 (1-t)^s e^{-lam t} dt."""
    from scipy import integrate
    lam = 1.0 / (2 * c)
    t1 = s * math.log(2 * c) + special.gammaln(s + 1) - lam
    val, _ = integrate.quad(lambda t: (1 - t) ** s * math.exp(-lam * t), 0, 1, epsabs=0,
                            epsrel=1e-13, limit=200)
    return float(np.logaddexp(t1, math.log(lam * val)))


@claim(
    id="heavy_tail.b2_semiclosed",
    paper=PAPER, status="derived", kind="equality",
    statement=r"For $b = 2$, $d = 1$: $h(s) = (2c)^s\Gamma(s+1)e^{-\lambda} + "
              r"\lambda\int_0^1(1-t)^s e^{-\lambda t}dt$, $\lambda = 1/(2c)$, for all $s>0$.",
    strategy=S.st.fixed_dictionaries({"s": S.st.floats(0.01, 150.0), "c": S.st.floats(0.01, 2.0)}),
    tolerance="atol 1e-6 on log h: the validated accuracy of the quadrature up to s = 150.",
    assumptions="b = 2, d = 1, c in (0.01, 2), s in (0.01, 150].",
    closed_form="h(s) = (2c)^s Gamma(s+1) e^{-1/(2c)} + (1/(2c)) int_0^1 (1-t)^s e^{-t/(2c)} dt",
    examples={"dev": 4, "ci": 20, "thorough": 200},
)
def b2_semiclosed(inst: dict, ctx) -> Check:
    """The fixed-node quadrature of log h against the b = 2 semi-closed form (stays accurate at large s)."""
    s, c = inst["s"], inst["c"]
    return Check.close(_log_h(s, c, 2, 1), _b2_semiclosed(s, c), atol=1e-6)


@b2_semiclosed.false_variant(
    "fixed_truncation",
    "Quadrature truncated at the chi2 1 - 1e-16 quantile (a fixed cut-off that ignores s).",
    strategy=S.st.fixed_dictionaries({"s": S.st.floats(40.0, 150.0), "c": S.st.floats(0.05, 2.0)}),
)
def _(inst: dict, ctx) -> Check:
    s, c = inst["s"], inst["c"]
    cut = stats.chi2.isf(1e-16, 2)
    from scipy import integrate
    f = lambda u: abs(1 - c * u) ** s * stats.chi2.pdf(u, 2)  # noqa: E731
    pts = sorted({min(1 / c, cut), cut})
    val = sum(integrate.quad(f, lo, hi, limit=200, epsrel=1e-12)[0]
              for lo, hi in zip([0.0, *pts[:-1]], pts, strict=True))
    return Check.close(math.log(val), _b2_semiclosed(s, c), atol=1e-6)


@claim(
    id="heavy_tail.eta_crit",
    paper=PAPER, status="theorem", kind="comparison",
    statement=r"$h(2) = 1$ exactly at $\eta_{crit} = 2b/(\sigma^2(b+d+1))$, and on stationary "
              r"instances $\mathrm{sign}(\alpha - 2) = \mathrm{sign}(\eta_{crit} - \eta)$: the "
              r"stationary variance is infinite iff $\eta > \eta_{crit}$.",
    strategy=S.around_crit(),
    tolerance="|alpha(eta_crit) - 2| <= 1e-6 (quadrature accuracy on alpha ~1e-10); "
              "a sign is decided only if |alpha - 2| > 1e-6, otherwise the instance is inconclusive.",
    assumptions="Gaussian data; b in [1,32], d in [1,64], sigma2 in [0.1,10]; eta = eta_crit(1+delta), "
                "delta in [-0.5, 0.5]; instances with rho >= 0 are rejected (no stationary law).",
    closed_form="eta_crit = 2b/(sigma2 (b + d + 1)) (sympy: root of h(2) = 1).",
    examples={"dev": 5, "ci": 15, "thorough": 200},
)
def eta_crit(inst: dict, ctx) -> Check:
    """h(2) = 1 symbolically at eta_crit; alpha(eta_crit) = 2 by quadrature; sign(alpha-2) by quadrature."""
    b, d, s2, delta = inst["b"], inst["d"], inst["sigma2"], inst["delta"]
    exact = _h2_is_one_at_eta_crit()
    ec = critical_step_size(b, d, s2)
    a_crit = tail_index(ec, b, d, s2)
    eta = ec * (1 + delta)
    alpha = _alpha_or_none(eta, b, d, s2)
    assume(alpha is not None)
    if abs(alpha - 2) <= 1e-6:
        return Check.inconclusive("alpha within 1e-6 of 2", measured=alpha, predicted=2.0)
    sign_ok = (alpha > 2) == (eta < ec)
    err = abs(a_crit - 2)
    return Check(bool(exact and sign_ok and err <= 1e-6), alpha, 2.0,
                 margin=min(1e-6 - err, abs(alpha - 2) if sign_ok else -abs(alpha - 2)),
                 details={"alpha_at_eta_crit": a_crit, "eta": eta, "eta_crit": ec,
                          "h2_minus_1_is_zero_symbolically": exact})


@lru_cache(maxsize=1)
def _h2_is_one_at_eta_crit() -> bool:
    cf = _closed_forms()
    return bool(sp.simplify(cf["h2"].subs(_c, cf["eta_crit"] * _s2 / _b) - 1) == 0)


@lru_cache(maxsize=1)
def _crit_ratio_depends_on_b() -> bool:
    ratio = sp.simplify(_closed_forms()["eta_crit"] / _b)
    return bool(sp.diff(ratio, _b) != 0)


def _sign_variant(eta_c_wrong):
    def pred(inst: dict, ctx) -> Check:
        b, d, s2, delta = inst["b"], inst["d"], inst["sigma2"], inst["delta"]
        ec = eta_c_wrong(b, d, s2)
        eta = critical_step_size(b, d, s2) * (1 + delta)
        alpha = _alpha_or_none(eta, b, d, s2)
        assume(alpha is not None and abs(alpha - 2) > 1e-6)
        ok = (alpha > 2) == (eta < ec)
        return Check(ok, alpha, 2.0, margin=abs(alpha - 2) if ok else -abs(alpha - 2),
                     details={"eta": eta, "wrong_eta_crit": ec})
    return pred


_WRONG = None  # same instances as the claim (eta around the true eta_crit)
eta_crit.false_variant("gd_stability_bound", "eta_crit = 2/sigma2, the deterministic GD stability bound.",
                       strategy=_WRONG, examples={"dev": 8, "ci": 15, "thorough": 200})(
    _sign_variant(lambda b, d, s2: 2.0 / s2))
eta_crit.false_variant("no_b_in_denominator", "eta_crit = 2b/(sigma2 (d + 1)).",
                       strategy=_WRONG, examples={"dev": 8, "ci": 15, "thorough": 200})(
    _sign_variant(lambda b, d, s2: 2.0 * b / (s2 * (d + 1))))


@eta_crit.false_variant(
    "finite_variance_below_divergence",
    "The variance is finite for every eta below the divergence threshold eta_max (alpha > 2).",
    strategy=S.window_point(),
)
def _(inst: dict, ctx) -> Check:
    b, d, s2, eta = _window_step(inst)
    alpha = tail_index(eta, b, d, s2)
    # exact recursion m_k = h(2) m_{k-1} + const: bounded iff h(2) < 1
    return Check.lower(alpha, 2.0, tol=-1e-6, eta=eta, h2=h2_closed(eta, b, d, s2))


@claim(
    id="heavy_tail.infinite_variance_window",
    paper=PAPER, status="theorem", kind="distributional",
    statement=r"Data with all moments finite gives infinite-variance iterates: for $\eta$ in "
              r"$(\eta_{crit}, \eta_{max})$, $\rho < 0$, $h(2) > 1$ and $\alpha < 2$; simulated "
              r"stationary chains show a Hill index consistent with $\alpha$ and below 2, and a "
              r"max-to-sum ratio $R_n(2)$ that does not decay.",
    strategy=S.tail_chain(0.8, 1.4, b_max=3),
    tolerance="Hill at k = 1% of R replicas: CI alpha_hat +- z alpha_hat/sqrt(k) + 10% alpha "
              "(second-order bias, measured on controls at R = 2e5). R_n(2) decay exponent gamma between "
              "group sizes 10 and 1000: the claim predicts 0; it is rejected if gamma - z se > 0.2 "
              "(the exponent of a finite-variance law with alpha = 2.5) and supported if "
              "gamma + z se < 0.2. z at the Bonferroni level ctx.level (family error 0.01).",
    assumptions="d = 1 (scalar reduction, exact in law), b in [1,3], sigma2 in [0.5,2], eta set by a "
                "target alpha in [0.8,1.4] (so that 'below 2' is decidable at R = 3e4); "
                "K = k_mix/|rho| + 30 steps from e_0 = 0 (k_mix 20 dev, "
                "30 ci, 40 thorough); R = 3e4 (dev), 6e4 (ci), 1e6 (thorough) independent chains.",
    examples={"dev": 2, "ci": 3, "thorough": 20},
)
def infinite_variance_window(inst: dict, ctx) -> Check:
    """The headline: alpha < 2 in the window by theory and on simulated chains (Hill + ratio)."""
    sim = _stationary_d1(inst, ctx)
    b, s2 = int(inst["b"]), float(inst["sigma2"])
    eta, alpha = sim["eta"], float(inst["alpha"])
    theory_ok = (sim["rho"] < 0 and h2_closed(eta, b, 1, s2) > 1
                 and eta > sim["eta_crit"] and alpha < 2)
    if sim["n_diverged"]:
        return Check.inconclusive("diverging replicas", n_diverged=sim["n_diverged"])
    hill = _hill_check(sim["z"], alpha, ctx.level / 2)
    gam, se = _ratio_decay(sim["z"])
    z1 = _z(ctx.level / 2, two_sided=False)
    hill_consistent = hill["ci"][0] <= alpha <= hill["ci"][1]
    hill_below_2 = hill["ci"][1] < 2
    reject = (not theory_ok) or (not hill_consistent) or (gam - z1 * se > GAMMA0)
    supports = hill_below_2 and gam + z1 * se < GAMMA0
    why = "" if supports else ("Hill CI reaches 2" if not hill_below_2 else "ratio decay undecided")
    return Check.test(reason=why, reject=reject, p_value=None, level=ctx.level, supports=supports,
                      measured=hill["alpha_hat"], predicted=alpha,
                      margin=min(hill["half_width"] - abs(hill["alpha_hat"] - alpha),
                                 GAMMA0 - gam - z1 * se),
                      hill=hill, ratio_decay_exponent=gam, ratio_se=se, eta=eta,
                      eta_crit=sim["eta_crit"], rho=sim["rho"], K=sim["K"], R=sim["R"],
                      seed=inst["seed"], sim_seconds=sim["sim_seconds"])


@infinite_variance_window.false_variant(
    "gaussian_tails",
    "Gaussian data gives Gaussian-tailed iterates: exceedances of 6 robust s.d. are as rare as for "
    "a normal law (binomial test).",
    examples={"dev": 1, "ci": 1, "thorough": 10},
)
def _(inst: dict, ctx) -> Check:
    sim = _stationary_d1(inst, ctx)
    z = sim["z"]
    q75, q25 = np.percentile(z, [75, 25])
    sd = (q75 - q25) / (2 * stats.norm.ppf(0.75))
    n_exc = int(np.sum(np.abs(z - np.median(z)) > 6 * sd))
    p0 = 2 * stats.norm.sf(6.0)
    pval = float(stats.binom.sf(n_exc - 1, z.size, p0))
    return Check.test(reject=pval < ctx.level, p_value=pval, level=ctx.level,
                      measured=n_exc, predicted=z.size * p0)


@claim(
    id="heavy_tail.finite_variance_below_crit",
    paper=PAPER, status="theorem", kind="distributional",
    statement=r"Below $\eta_{crit}$ the stationary variance is finite: $\alpha > 2$, the exact second "
              r"moment recursion converges to $\eta\sigma_\varepsilon^2 d/(2b - \eta\sigma^2(b+d+1))$, "
              r"and the max-to-sum ratio $R_n(2)$ of simulated iterates decays.",
    strategy=S.tail_chain(3.5, 5.0, b_max=3),
    tolerance="alpha > 2 by quadrature (margin >> 1e-6); m_k iterated 10/(1-h(2)) steps matches the "
              "sympy fixed point to rtol 1e-9; R_n(2) decay exponent gamma (group sizes 10 vs 1000) is "
              "supported if gamma - z se > 0.2 (faster than any finite-variance law with alpha <= 2.5 "
              "would allow) and rejected if gamma + z se < 0; z at ctx.level (family error 0.01).",
    assumptions="d = 1 scalar chains, b in [1,3], sigma2 in [0.5,2], eta set by a target alpha in "
                "[3.5,5] (the control regime of the spec).",
    closed_form="E||e_inf||^2 = eta sigma_eps^2 d / (2b - eta sigma2 (b + d + 1)) (sympy fixed point)",
    examples={"dev": 1, "ci": 3, "thorough": 20},
)
def finite_variance_below_crit(inst: dict, ctx) -> Check:
    """alpha > 2 (quadrature), exact m_k recursion bounded, R_n(2) decays on simulated chains."""
    sim = _stationary_d1(inst, ctx)
    b, s2 = int(inst["b"]), float(inst["sigma2"])
    eta = sim["eta"]
    alpha = tail_index(eta, b, 1, s2)
    h2 = h2_closed(eta, b, 1, s2)
    m, const = 0.0, eta**2 * s2 / b
    for _ in range(int(10 / (1 - h2)) + 10):
        m = h2 * m + const
    m_inf = stationary_second_moment(eta, b, 1, s2)
    if sim["n_diverged"]:
        return Check.inconclusive("diverging replicas", n_diverged=sim["n_diverged"])
    gam, se = _ratio_decay(sim["z"])
    z1 = _z(ctx.level / 2, two_sided=False)
    theory_ok = alpha > 2 and eta < sim["eta_crit"] and abs(m / m_inf - 1) < 1e-4
    return Check.test(reject=(not theory_ok) or gam + z1 * se < 0, p_value=None,
                      level=ctx.level, supports=gam - z1 * se > GAMMA0, measured=gam,
                      predicted=1 - 2 / alpha, margin=gam - z1 * se - GAMMA0, alpha=alpha,
                      m_iterated=m, m_inf=m_inf, ratio_se=se, eta=eta, K=sim["K"], R=sim["R"])


@finite_variance_below_crit.false_variant(
    "window_is_finite",
    "The same statement (alpha > 2, bounded second moment) for eta in (eta_crit, eta_max).",
    strategy=S.window_point(),
)
def _(inst: dict, ctx) -> Check:
    b, d, s2, eta = _window_step(inst)
    h2 = h2_closed(eta, b, d, s2)
    m, const = 0.0, eta**2 * s2 / b * d
    for _ in range(200):
        m = h2 * m + const
    alpha = tail_index(eta, b, d, s2)
    # m_k grows geometrically at rate h(2) > 1: compare with the finite-variance fixed point formula
    return Check.lower(alpha, 2.0, alpha=alpha, h2=h2, m_200=m)


def _alpha_pair_eta(inst: dict) -> tuple:
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    em = max_step_size(b, d, s2)
    e1, e2 = sorted((inst["u1"] * em, inst["u2"] * em))
    assume(e2 > e1 * (1 + 1e-6))
    a1, a2 = _tail_indices(s2, (e1, b, d), (e2, b, d))
    return e1, e2, a1, a2


@claim(
    id="heavy_tail.mono_eta",
    paper=PAPER, status="theorem", kind="monotone",
    statement=r"$\alpha$ is strictly decreasing in $\eta$ and in $\sigma^2$ (all else fixed), provided "
              r"$\alpha \ge 1$ at the smaller value; $\alpha(\eta, \sigma^2) = \alpha(\eta\sigma^2, 1)$.",
    strategy=S.pair_eta(),
    tolerance="Strict decrease decided only when |alpha1 - alpha2| > 1e-6 relative (quadrature accuracy "
              "~1e-9); the metamorphic identity to rtol 1e-9.",
    assumptions="Gaussian data, b in [1,20], d in [1,10]; both steps in (0, eta_max), alpha <= 100.",
    examples={"dev": 4, "ci": 15, "thorough": 200},
)
def mono_eta(inst: dict, ctx) -> Check:
    """Quadrature alpha at two steps; sigma2 enters only through eta sigma2 (metamorphic check)."""
    e1, e2, a1, a2 = _alpha_pair_eta(inst)
    b, d, s2, lam = inst["b"], inst["d"], inst["sigma2"], inst["lam"]
    a_meta = tail_index(e2 * lam, b, d, s2 / lam)
    assume(a1 >= 1)
    meta_ok = abs(a_meta / a2 - 1) < 1e-9
    return _strict_gap((a1 - a2) / a1, a2, a1, {"eta1": e1, "eta2": e2, "alpha_metamorphic": a_meta},
                       ok=meta_ok)


@mono_eta.false_variant("increasing", "alpha is increasing in eta.")
def _(inst: dict, ctx) -> Check:
    e1, e2, a1, a2 = _alpha_pair_eta(inst)
    return Check.lower(a2, a1, eta1=e1, eta2=e2)


def _alpha_pair_b(inst: dict) -> tuple:
    b, b2, d, s2 = inst["b"], inst["b"] + inst["db"], inst["d"], inst["sigma2"]
    es = min(max_step_size(b, d, s2), max_step_size(b2, d, s2))
    eta = es * (1 - 10 ** (-inst["u"]))
    return (eta, *_tail_indices(s2, (eta, b, d), (eta, b2, d)))


@claim(
    id="heavy_tail.mono_b",
    paper=PAPER, status="theorem", kind="monotone",
    statement=r"At fixed $\eta, \sigma^2, d$: for $b < b'$ with both chains stationary and "
              r"$\alpha(b) \ge 1$, $\alpha(b') > \alpha(b)$.",
    strategy=S.pair_b(),
    tolerance="Strict increase decided when the relative gap exceeds 1e-6 (quadrature ~1e-9).",
    assumptions="d = 1, b in [1,19], b' - b in [1,10], sigma2 = 1, eta = eta*(1 - 10^-u) with eta* the "
                "smaller eta_max, u in [0,6] (u = 0: eta = eta*/2).",
    examples={"dev": 5, "ci": 20, "thorough": 300},
)
def mono_b(inst: dict, ctx) -> Check:
    """Quadrature alpha at two batch sizes (the proviso alpha(b) >= 1 is part of the theorem)."""
    eta, a1, a2 = _alpha_pair_b(inst)
    assume(a1 >= 1)
    return _strict_gap((a2 - a1) / a1, a2, a1, {"eta": eta})


@mono_b.false_variant(
    "no_proviso", "alpha is increasing in b for every stationary step size (alpha(b) >= 1 dropped).",
    examples={"dev": 10, "ci": 30, "thorough": 300})
def _(inst: dict, ctx) -> Check:
    eta, a1, a2 = _alpha_pair_b(inst)
    return Check.lower(a2, a1, eta=eta, b2=inst["b"] + inst["db"])


def _alpha_pair_d(inst: dict) -> tuple:
    b, d, d2, s2 = inst["b"], inst["d"], inst["d"] + inst["dd"], inst["sigma2"]
    es = min(max_step_size(b, d, s2), max_step_size(b, d2, s2))
    eta = inst["u"] * es
    return (eta, *_tail_indices(s2, (eta, b, d), (eta, b, d2)))


@claim(
    id="heavy_tail.mono_d",
    paper=PAPER, status="theorem", kind="monotone",
    statement=r"At fixed $\eta, b, \sigma^2$: for $d < d'$ with both chains stationary, "
              r"$\alpha(d') < \alpha(d)$ (no proviso).",
    strategy=S.pair_d(),
    tolerance="Strict decrease decided when the relative gap exceeds 1e-6 (quadrature ~1e-9).",
    assumptions="Gaussian data, b in [1,20], d in [1,20], d' - d in [1,20], eta a fraction u in "
                "[0.02,0.98] of the smaller eta_max.",
    examples={"dev": 3, "ci": 15, "thorough": 200},
)
def mono_d(inst: dict, ctx) -> Check:
    """Quadrature alpha at two dimensions."""
    eta, a1, a2 = _alpha_pair_d(inst)
    return _strict_gap((a1 - a2) / a1, a2, a1, {"eta": eta})


@mono_d.false_variant("increasing_in_d", "alpha is increasing in d.",
                      examples={"dev": 2, "ci": 5, "thorough": 50})
def _(inst: dict, ctx) -> Check:
    eta, a1, a2 = _alpha_pair_d(inst)
    return Check.lower(a2, a1, eta=eta)


@mono_d.false_variant("independent_of_d", "alpha does not depend on d (the d = 1 formula for all d).",
                      examples={"dev": 2, "ci": 5, "thorough": 50})
def _(inst: dict, ctx) -> Check:
    eta, a1, a2 = _alpha_pair_d(inst)
    return Check.close(a2, a1, rtol=1e-3, eta=eta)


@claim(
    id="heavy_tail.not_ratio_only",
    paper=PAPER, status="derived", kind="comparison",
    statement=r"$\alpha$ is not a function of $\eta/b$ alone: $(\eta/b)_{crit} = 2/(\sigma^2(b+d+1))$ "
              r"depends on $b$, so at $\eta/b = (\eta/b)_{crit}(b)$, $\alpha(b) = 2$ while "
              r"$\alpha(b') < 2$ (or no stationary law) for $b' > b$.",
    strategy=S.ratio_pair(),
    tolerance="|alpha(b) - 2| <= 1e-6 and alpha(b') < 2 - 1e-6 (quadrature ~1e-9).",
    assumptions="Gaussian data, b in [1,16], b' - b in [1,16], d in [1,16], sigma2 in [0.1,10].",
    closed_form="(eta/b)_crit = 2/(sigma2 (b + d + 1)) (sympy), strictly decreasing in b.",
    examples={"dev": 3, "ci": 10, "thorough": 200},
)
def not_ratio_only(inst: dict, ctx) -> Check:
    """The alpha = 2 level set in (eta/b, b) is not vertical (sympy + quadrature)."""
    b, b2, d, s2 = inst["b"], inst["b"] + inst["db"], inst["d"], inst["sigma2"]
    depends = _crit_ratio_depends_on_b()
    r = critical_step_size(b, d, s2) / b
    a1 = tail_index(r * b, b, d, s2)
    a2 = _alpha_or_none(r * b2, b2, d, s2)
    a2v = 0.0 if a2 is None else a2
    ok = depends and abs(a1 - 2) <= 1e-6 and a2v < 2 - 1e-6
    return Check(bool(ok), a2v, a1, margin=min(1e-6 - abs(a1 - 2), 2 - 1e-6 - a2v),
                 details={"ratio": r, "alpha_b2_stationary": a2 is not None})


@not_ratio_only.false_variant(
    "ratio_only", "alpha depends on eta/b only: alpha(r b, b) = alpha(r b', b') to 1e-3.",
    strategy=S.st.fixed_dictionaries({"b": S.st.integers(1, 16), "db": S.st.integers(1, 16),
                                      "d": S.st.integers(1, 16), "f": S.st.floats(0.2, 0.9),
                                      "sigma2": S.sigma2s}),
)
def _(inst: dict, ctx) -> Check:
    b, b2, d, s2 = inst["b"], inst["b"] + inst["db"], inst["d"], inst["sigma2"]
    r = inst["f"] * min(critical_step_size(b, d, s2) / b, critical_step_size(b2, d, s2) / b2)
    a1, a2 = _tail_indices(s2, (r * b, b, d), (r * b2, b2, d))
    return Check.close(a2, a1, rtol=1e-3, ratio=r)


def _coupling_samples(inst: dict, ctx, random_start: bool) -> dict:
    """||x_k - x'_k||^p over R synchronously coupled pairs with ||x_0 - x'_0|| = 1.

    The instance is rejected when the relative variance (h(2p)/h(p)^2)^k - 1 of ||Pi_k Delta||^p
    exceeds 10; R >= rel_var/0.05^2. ``random_start``: x_0 is a random Gaussian point (drawn after
    Delta), otherwise x_0 = 0.
    """
    b, d, s2, p, k = inst["b"], inst["d"], inst["sigma2"], inst["p"], inst["k"]
    eta = inst["u"] * max_step_size(b, d, s2)
    c = eta * s2 / b
    lh_p, lh_2p = _log_h(p, c, b, d), _log_h(2 * p, c, b, d)
    # relative s.d. of ||Pi_k Delta||^p is sqrt((h(2p)/h(p)^2)^k - 1); keep k where R can resolve it
    rel_var = math.expm1(k * (lh_2p - 2 * lh_p))
    assume(rel_var <= 10)
    R = max(ctx.pick(dev=2000, ci=10000, thorough=100000), int(math.ceil(rel_var / 0.05**2)))
    rng = online.make_rng(int(inst["seed"]))
    delta = rng.standard_normal(d)
    delta /= np.linalg.norm(delta)
    x0 = rng.standard_normal(d) if random_start else np.zeros(d)
    diff = online.coupled_difference(rng, R, k, eta, b, d, x0, x0 - delta, s2)
    vals = np.linalg.norm(diff, axis=1) ** p
    return {"vals": vals, "R": R, "eta": eta, "c": c, "lh_p": lh_p, "rel_var": rel_var}


@claim(
    id="heavy_tail.coupling",
    paper=PAPER, status="derived", kind="equality",
    statement=r"For two online-SGD chains driven by the same data from deterministic starts, "
              r"$E\|x_k - x'_k\|^p = h(p)^k\|x_0 - x'_0\|^p$ for every $p > 0$, $k \ge 1$ "
              r"($k = 1$: the moment identity $E\|Mx\|^p = h(p)\|x\|^p$).",
    strategy=S.coupling_point(),
    tolerance="z-test of the sample mean over R replicas against h(p)^k with the exact s.d. "
              "sqrt((h(2p)/h(p)^2)^k - 1) h(p)^k (quadrature), two-sided at ctx.level; instances whose "
              "relative variance exceeds 10 are rejected (the mean is then carried by rare events), and "
              "R >= rel_var/0.05^2. "
              "Supported when the 1-sigma relative error is below 5%.",
    assumptions="explicit Gaussian data (full-vector integrator), b in [1,6], d in [1,6], p in [0.2,3], "
                "k in [1,30], eta = u eta_max, u in [0.05,0.9], random Delta with ||Delta|| = 1.",
    examples={"dev": 3, "ci": 8, "thorough": 100},
)
def coupling(inst: dict, ctx) -> Check:
    """Monte Carlo of ||x_k - x'_k||^p for synchronously coupled chains vs h(p)^k (quadrature)."""
    m = _coupling_samples(inst, ctx, random_start=True)
    vals, R = m["vals"], m["R"]
    pred = math.exp(inst["k"] * m["lh_p"])
    se = pred * math.sqrt(m["rel_var"] / R)
    zstat, pval = _z_test(vals.mean(), pred, se)
    return Check.test(reject=pval < ctx.level, p_value=pval, level=ctx.level,
                      supports=se / pred < 0.05, measured=float(vals.mean()), predicted=pred,
                      margin=_z(ctx.level) - abs(zstat), z=zstat, R=R, eta=m["eta"])


@coupling.false_variant("typical_growth",
                        "E||x_k - x'_k||^p = exp(p k rho) ||Delta||^p (typical instead of moment growth).")
def _(inst: dict, ctx) -> Check:
    m = _coupling_samples(inst, ctx, random_start=False)
    vals = m["vals"]
    pred = math.exp(inst["p"] * inst["k"] * _rho(m["c"], inst["b"], inst["d"]))
    _, pval = _z_test(vals.mean(), pred, vals.std(ddof=1) / math.sqrt(m["R"]))
    return Check.test(reject=pval < ctx.level, p_value=pval, level=ctx.level,
                      measured=float(vals.mean()), predicted=pred)


def _goldie_measure(inst: dict, ctx) -> dict:
    sim = _stationary_d1(inst, ctx)
    z = sim["z"]
    b, s2, alpha = int(inst["b"]), float(inst["sigma2"]), float(inst["alpha"])
    rng = online.make_rng(np.random.SeedSequence([int(inst["seed"]), 1]))
    A, B = online.scalar_step_coefficients(rng, z.size, sim["eta"], b, s2)
    C, se_c = goldie_constant(sim["eta"], b, s2, z, A, B)
    f = 0.01
    t = float(np.quantile(np.abs(z), 1 - f))
    n_exc = int(np.sum(np.abs(z) > t))
    emp = t**alpha * n_exc / z.size / 2  # symmetric two-sided: P(|X| > t) ~ 2 C t^-alpha
    se_rel = math.sqrt(1 / n_exc + (se_c / C) ** 2)
    return {"C": C, "se_C": se_c, "t": t, "n_exceed": n_exc, "empirical": emp, "se_rel": se_rel,
            "n_up": int(np.sum(z > t)), "n_down": int(np.sum(z < -t)), "R": z.size, "K": sim["K"]}


GOLDIE_BIAS = 0.05  # finite-t bias at exceedance fraction 1e-2, measured on R = 1e5 controls (<= 5%)


@claim(
    id="heavy_tail.kesten_goldie",
    paper=GOLDIE, status="theorem", kind="distributional",
    statement=r"In $d = 1$, $P(x_\infty > t) \sim P(x_\infty < -t) \sim C t^{-\alpha}$ with Goldie's "
              r"constant $C = E[|AX+B|^\alpha - |AX|^\alpha]/(2\alpha\, E|A|^\alpha\log|A|)$ "
              r"($A = 1 - cU$ takes negative values, so both tails share $C$).",
    strategy=S.tail_chain(0.8, 1.8, b_max=3),
    tolerance="At the 1% exceedance level t: |t^alpha P(|X|>t)/2 / C - 1| <= z se + 5%, se combining "
              "the binomial error of the exceedances and the MC error of C (alpha < 2 keeps its variance "
              "finite); 5% is the finite-t bias measured on R = 1e5 control runs; z at ctx.level. The "
              "up/down exceedance counts are tested for symmetry with a binomial test.",
    assumptions="d = 1 chains (scalar reduction), b in [1,3], sigma2 in [0.5,2], alpha in [0.8,1.8]; "
                "m_alpha = h'(alpha) by quadrature.",
    closed_form="C = E[|AX+B|^alpha - |AX|^alpha] / (2 alpha h'(alpha))",
    examples={"dev": 1, "ci": 3, "thorough": 20},
)
def kesten_goldie(inst: dict, ctx) -> Check:
    """Empirical t^alpha P(|X| > t)/2 on stationary chains against Goldie's constant (MC + quadrature)."""
    g = _goldie_measure(inst, ctx)
    ratio = g["empirical"] / g["C"]
    z = _z(ctx.level / 2)
    p_sym = float(stats.binomtest(g["n_up"], g["n_up"] + g["n_down"], 0.5).pvalue)
    reject = abs(ratio - 1) > z * g["se_rel"] + GOLDIE_BIAS or p_sym < ctx.level / 2
    return Check.test(reject=reject, p_value=p_sym, level=ctx.level, supports=g["se_rel"] < 0.2,
                      measured=g["empirical"], predicted=g["C"],
                      margin=z * g["se_rel"] + GOLDIE_BIAS - abs(ratio - 1), **g)


@kesten_goldie.false_variant("one_sided_constant",
                             "C without the factor 2 (the A >= 0 formula applied to both tails).",
                             examples={"dev": 1, "ci": 1, "thorough": 5})
def _(inst: dict, ctx) -> Check:
    g = _goldie_measure(inst, ctx)
    ratio = g["empirical"] / (2 * g["C"])
    z = _z(ctx.level)
    return Check.test(reject=abs(ratio - 1) > z * g["se_rel"] + GOLDIE_BIAS, p_value=None,
                      level=ctx.level, measured=g["empirical"], predicted=2 * g["C"])


def _figure_chains(seed: int, R: int, alpha: float, b: int) -> tuple[float, np.ndarray]:
    """(eta, final states) of R d = 1, sigma2 = 1 chains at the step with tail index alpha, run for
    20/|rho| + 30 steps (figures only)."""
    eta = step_for_tail_index(alpha, b, 1)
    rho = lyapunov_exponent(eta, b, 1)
    return eta, online.scalar_chains(seed, R, int(20 / abs(rho)) + 30, eta, b).state


@infinite_variance_window.add_figures
def _(ctx, directory: str) -> list[str]:
    """alpha against eta/b (theory curves for several b, d, Hill estimates with CIs in d = 1), and a
    log-log survival plot of simulated iterates against the predicted slope -alpha."""
    import os

    from theorems.core.io import pyplot, save_figure
    plt = pyplot()
    paths: list[str] = []
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    data: dict = {"curves": [], "estimates": []}
    R = ctx.pick(dev=20_000, ci=100_000, thorough=1_000_000)
    for d, ls in ((1, "-"), (5, "--")):
        for b in (1, 2, 4):
            ec, em = critical_step_size(b, d), max_step_size(b, d)
            etas = np.linspace(0.35 * ec, em * (1 - 1e-3), 40)
            al = []
            for e in etas:
                try:
                    al.append(tail_index(e, b, d))
                except TailIndexOutOfRange:
                    al.append(np.nan)
            line, = ax.plot(etas / b, al, ls, label=f"b={b}, d={d}")
            data["curves"].append({"b": b, "d": d, "eta_over_b": (etas / b).tolist(), "alpha": al})
            if d == 1:
                for k_, target in enumerate((0.8, 1.5, 3.0)):
                    eta, z = _figure_chains(1000 + 10 * b + k_, R, target, b)
                    h = _hill_check(z, target, 0.01)
                    ax.errorbar([eta / b], [h["alpha_hat"]], yerr=[[h["half_width"]], [h["half_width"]]],
                                fmt="o", color=line.get_color(), ms=4, capsize=2)
                    data["estimates"].append({"b": b, "eta": eta, "alpha": target, **h})
    ax.axhline(2, color="grey", lw=0.8, ls=":")
    ax.set_xlabel(r"$\eta/b$")
    ax.set_ylabel(r"tail index $\alpha$")
    ax.set_ylim(0, 8)
    ax.set_title("Tail index of online SGD (sigma^2 = 1); dots: Hill estimates, d = 1")
    ax.legend(fontsize=7)
    paths += save_figure(fig, os.path.join(directory, "heavy_tail_alpha_vs_eta_over_b"), data)

    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    sdata = []
    for b, target in ((1, 1.0), (2, 1.6), (1, 3.0)):
        eta, z = _figure_chains(77 + b, R, target, b)
        z = np.sort(np.abs(z))[::-1]
        surv = np.arange(1, z.size + 1) / z.size
        line, = ax.loglog(z, surv, lw=1, label=f"b={b}, alpha={target}")
        t0 = z[int(0.01 * z.size)]
        tt = np.geomspace(t0, z[0], 10)
        ax.loglog(tt, 0.01 * (tt / t0) ** (-target), "--", color=line.get_color(), lw=1)
        sdata.append({"b": b, "alpha": target, "eta": eta, "t": z[:2000].tolist()})
    ax.set_xlabel("t")
    ax.set_ylabel(r"$P(|x_\infty| > t)$")
    ax.set_title("Survival of simulated iterates; dashed: slope -alpha")
    ax.legend(fontsize=7)
    paths += save_figure(fig, os.path.join(directory, "heavy_tail_survival"), {"series": sdata})
    return paths


def _reduction_samples(inst: dict, ctx, *, drop_v: bool = False, u_df1: bool = False) -> dict:
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    c = inst["frac"] * 3.0 / (b + d + 1)
    eta = c * b / s2
    n = ctx.pick(dev=20_000, ci=50_000, thorough=100_000)
    rng = online.make_rng(int(inst["seed"]))
    x = rng.standard_normal(d)
    x /= np.linalg.norm(x)
    a = rng.standard_normal((n, b, d)) * math.sqrt(s2)
    mx = x - (eta / b) * np.einsum("nbd,nb->nd", a, a @ x)
    n2_explicit = np.sum(mx * mx, axis=1)
    u = rng.chisquare(1 if u_df1 else b, n)
    v = np.zeros(n) if (d == 1 or drop_v) else rng.chisquare(d - 1, n)
    n2_law = (1 - c * u) ** 2 + c * c * u * v
    ks = stats.ks_2samp(n2_explicit, n2_law)
    return {"ks_p": float(ks.pvalue), "ks_stat": float(ks.statistic), "n": n, "eta": eta, "c": c,
            "log_n2": np.log(n2_explicit)}


@claim(
    id="heavy_tail.reduction",
    paper=PAPER, status="derived", kind="distributional",
    statement=r"For a unit vector $x$, $\|(I - (\eta/b)\sum_{i\le b} a_ia_i^T)x\|^2$ has the law of "
              r"$(1-cU)^2 + c^2UV$, $U\sim\chi^2_b$, $V\sim\chi^2_{d-1}$ independent; hence "
              r"$h(s) = E[((1-cU)^2+c^2UV)^{s/2}]$ and $\rho = \frac12 E\log((1-cU)^2+c^2UV)$.",
    strategy=S.reduction_point(),
    tolerance="Two-sample KS test (explicit Gaussian data vs the chi-square law) at ctx.level; the "
              "sample mean of (1/2) log ||Mx||^2 against rho (quadrature) by a z-test at ctx.level.",
    assumptions="a_i ~ N(0, sigma2 I_d), b in [1,8], d in [1,16], c = frac 3/(b+d+1), frac in "
                "[0.05,1]; x a random unit vector; n = 2e4 (dev) samples.",
    examples={"dev": 3, "ci": 6, "thorough": 100},
)
def reduction(inst: dict, ctx) -> Check:
    """KS between explicit-data ||Mx||^2 and the two-chi-square law, plus a CLT test of rho."""
    r = _reduction_samples(inst, ctx)
    half = 0.5 * r["log_n2"]
    rho = _rho(r["c"], inst["b"], inst["d"])
    _, p_rho = _z_test(half.mean(), rho, half.std(ddof=1) / math.sqrt(half.size))
    p = min(r["ks_p"], p_rho)
    return Check.test(reject=p < ctx.level / 2, p_value=p, level=ctx.level,
                      measured=float(half.mean()), predicted=rho, ks_p=r["ks_p"], p_rho=p_rho,
                      ks_stat=r["ks_stat"], n=r["n"], eta=r["eta"])


def _reduction_ks_variant(**wrong_law):
    """A false variant: the KS test of explicit-data ||Mx||^2 against a wrong law (``wrong_law``)."""
    def pred(inst: dict, ctx) -> Check:
        r = _reduction_samples(inst, ctx, **wrong_law)
        return Check.test(reject=r["ks_p"] < ctx.level, p_value=r["ks_p"], level=ctx.level,
                          measured=r["ks_stat"])
    return pred


reduction.false_variant("drop_cross_term", "The c^2 U V term dropped (a d-free law).",
                        strategy=S.reduction_point(b_min=1, d_min=2, frac_min=0.3))(
    _reduction_ks_variant(drop_v=True))
reduction.false_variant("u_chi2_1", "U ~ chi2_1 whatever the batch size.",
                        strategy=S.reduction_point(b_min=2, d_min=1, frac_min=0.3))(
    _reduction_ks_variant(u_df1=True))


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


@claim(
    id="heavy_tail.official_grid",
    paper=PAPER, status="derived", kind="comparison",
    statement=r"The official synthetic grid ($d = 100$, $\sigma^2 = 1$, $b \in \{1,2,3,4,5,10,20\}$, "
              r"$\eta \in$ linspace(0.02, 0.2, 10)) has no point in the infinite-variance window "
              r"$[\eta_{crit}, \eta_{max})$: every point has finite variance or no stationary law.",
    strategy=None,
    tolerance="Exact classification by eta_crit (closed form) and eta_max (quadrature root of rho, "
              "~1e-10); the nearest grid point is reported with its distance to the thresholds.",
    assumptions="The grid constants of the official notebook (the only literal inputs).",
    examples={"dev": 1, "ci": 1, "thorough": 1},
)
def official_grid(inst: dict, ctx) -> Check:
    """Classify the 70 grid points: eta < eta_crit / eta in [eta_crit, eta_max) / eta >= eta_max."""
    g = _classify_grid()
    return Check(g["window"] == 0, g["window"], 0, margin=-g["window"],
                 details={k: g[k] for k in ("finite", "window", "divergent")})


@official_grid.false_variant("grid_samples_window",
                             "The official synthetic grid samples the infinite-variance regime.")
def _(inst: dict, ctx) -> Check:
    g = _classify_grid()
    return Check(g["window"] > 0, g["window"], ">= 1", margin=g["window"] - 0.5)


@claim(
    id="heavy_tail.block_estimator_saturation",
    paper=PAPER, status="empirical", kind="upper_bound",
    statement=r"The block estimator of the paper's code (Mohammadi et al. 2015) saturates at 2: on "
              r"stationary iterates with $\alpha \in [3, 8]$ (finite variance) its median over block "
              r"sizes is at most 2.1, so it cannot tell $\alpha = 3$ from $\alpha = \infty$.",
    strategy=S.tail_chain(3.0, 8.0, b_max=3),
    tolerance="Deterministic threshold 2.1 on the estimate (the estimator's limit is 2 for any "
              "finite-variance input; 0.1 covers its sampling spread at R = 3e4, measured 1.80-1.97).",
    assumptions="d = 1 stationary chains (independent replicas), b in [1,3], alpha in [3,8].",
    examples={"dev": 1, "ci": 2, "thorough": 20},
)
def block_estimator_saturation(inst: dict, ctx) -> Check:
    """The official block estimator on finite-variance stationary iterates."""
    sim = _stationary_d1(inst, ctx)
    est = block_tail_index(sim["z"])
    return Check.upper(est, 2.1, alpha=float(inst["alpha"]), R=sim["R"], K=sim["K"])


@block_estimator_saturation.false_variant(
    "consistent_above_two", "The block estimator is consistent for alpha > 2 (within 25%).")
def _(inst: dict, ctx) -> Check:
    sim = _stationary_d1(inst, ctx)
    est = block_tail_index(sim["z"])
    return Check.close(est, float(inst["alpha"]), rtol=0.25)


@claim(
    id="heavy_tail.mono_eta_no_proviso",
    paper=PAPER, status="conjecture", kind="monotone",
    statement=r"$\alpha$ is strictly decreasing in $\eta$ for every stationary step, including "
              r"$\alpha < 1$ (the theorem needs $\alpha \ge 1$).",
    strategy=S.pair_eta(),
    tolerance="As heavy_tail.mono_eta; steps near eta_max are included (u up to 0.999).",
    assumptions="Gaussian data, b in [1,20], d in [1,10]; both steps in (0, eta_max).",
    examples={"dev": 3, "ci": 15, "thorough": 300},
)
def mono_eta_no_proviso(inst: dict, ctx) -> Check:
    """Open: the proviso-free monotonicity in eta; the suite hunts for a counterexample."""
    e1, e2, a1, a2 = _alpha_pair_eta(inst)
    return _strict_gap((a1 - a2) / a1, a2, a1, {"eta1": e1, "eta2": e2})


@mono_eta_no_proviso.false_variant("constant_in_eta", "alpha does not depend on eta.")
def _(inst: dict, ctx) -> Check:
    e1, e2, a1, a2 = _alpha_pair_eta(inst)
    return Check.close(a2, a1, rtol=1e-3)


def _stationary_vec(inst: dict, ctx) -> dict:
    """Stationary d > 1 chains (explicit data) for {b, d, sigma2, alpha, seed}, and a random unit u."""
    b, d, s2, alpha = int(inst["b"]), int(inst["d"]), float(inst["sigma2"]), float(inst["alpha"])
    R = ctx.pick(dev=10_000, ci=20_000, thorough=200_000)
    mix = ctx.pick(dev=15, ci=20, thorough=40)

    def build() -> dict:
        eta, rho, K = _chain_for_tail_index(alpha, b, d, s2, mix)
        rng = online.make_rng(np.random.SeedSequence([int(inst["seed"]), 2]))
        res = online.vector_chains(rng, R, K, eta, b, d, s2)
        u = rng.standard_normal(d)
        u /= np.linalg.norm(u)
        return {"eta": eta, "rho": rho, "K": K, "R": R, "e": res.state, "u": u,
                "n_diverged": res.n_diverged}
    return _memo_sim(("vec", b, d, s2, alpha, int(inst["seed"]), R, mix), build)


@claim(
    id="heavy_tail.kesten_tail",
    paper=PAPER, status="theorem", kind="distributional",
    statement=r"Main tail theorem (multivariate Kesten): for $\rho < 0$, "
              r"$t^\alpha P(u^Tx_\infty > t) \to e_\alpha(u) > 0$ for every unit $u$, with $\alpha$ the "
              r"root of $h(\alpha) = 1$; so $\|x_\infty\|$ and every projection $|u^Tx_\infty|$ have "
              r"tail index $\alpha$.",
    strategy=S.tail_chain_vec(),
    tolerance="Hill at k = 1% of R replicas on ||e|| and on |u^T e|: each CI alpha_hat +- z "
              "alpha_hat/sqrt(k) + 10% alpha (second-order bias, see the d = 1 controls) must contain "
              "alpha; z at ctx.level/2 per estimate (family error 0.01).",
    assumptions="explicit Gaussian data (full-vector chains), d in [2,3], b in [1,3], sigma2 = 1, target "
                "alpha in [0.8,1.4]; K = k_mix/|rho| + 30 from e_0 = 0 (k_mix 15 dev, 20 ci, 40 thorough); "
                "R = 1e4 (dev), 2e4 (ci), 2e5 (thorough). For b < d, M has no density: the theorem "
                "then rests on irreducible-proximal theory (Damek & Mentemeier 2024); such instances "
                "are tagged (b_less_than_d).",
    examples={"dev": 1, "ci": 2, "thorough": 20},
)
def kesten_tail(inst: dict, ctx) -> Check:
    """Hill estimates on the norm and on a random projection of d > 1 stationary iterates."""
    sim = _stationary_vec(inst, ctx)
    if sim["n_diverged"]:
        return Check.inconclusive("diverging replicas", n_diverged=sim["n_diverged"])
    alpha = float(inst["alpha"])
    hn = _hill_check(np.linalg.norm(sim["e"], axis=1), alpha, ctx.level / 2)
    hu = _hill_check(sim["e"] @ sim["u"], alpha, ctx.level / 2)
    inside = all(h["ci"][0] <= alpha <= h["ci"][1] for h in (hn, hu))
    margin = min(h["half_width"] - abs(h["alpha_hat"] - alpha) for h in (hn, hu))
    return Check.test(reject=not inside, p_value=None, level=ctx.level, measured=hn["alpha_hat"],
                      predicted=alpha, margin=margin, hill_norm=hn, hill_projection=hu,
                      b_less_than_d=int(inst["b"]) < int(inst["d"]), eta=sim["eta"], rho=sim["rho"],
                      K=sim["K"], R=sim["R"])


@kesten_tail.false_variant("squared_norm_index",
                           "The index is alpha/2 (the root of E N^{2s} = 1: the squared-norm bug).",
                           examples={"dev": 1, "ci": 2, "thorough": 10})
def _(inst: dict, ctx) -> Check:
    sim = _stationary_vec(inst, ctx)
    alpha = float(inst["alpha"]) / 2
    hn = _hill_check(np.linalg.norm(sim["e"], axis=1), alpha, ctx.level)
    return Check.test(reject=not hn["ci"][0] <= alpha <= hn["ci"][1], p_value=None,
                      level=ctx.level, measured=hn["alpha_hat"], predicted=alpha)


# ============================================================== second moment, shape of h, metamorphic
def _second_moment_sample(inst: dict, ctx) -> dict:
    """Sample ||e_k||^2 over R chains from e_0 = 0 at eta = frac eta_4 (alpha > 4), with m_k exact."""
    b, d, s2, se, k = inst["b"], inst["d"], inst["sigma2"], inst["sigma_eps"], inst["k"]
    eta = inst["frac"] * fourth_moment_step_size(b, d, s2)
    R = ctx.pick(dev=10_000, ci=50_000, thorough=200_000)

    def build() -> dict:
        rng = online.make_rng(np.random.SeedSequence([int(inst["seed"]), 3]))
        if d == 1:
            res = online.scalar_chains(rng, R, k, eta, b, s2, se)
            sq = res.state**2
        else:
            res = online.vector_chains(rng, R, k, eta, b, d, s2, se)
            sq = np.sum(res.state**2, axis=1)
        return {"sq": sq, "n_diverged": res.n_diverged}
    sim = _memo_sim(("m2", b, d, s2, se, k, inst["frac"], int(inst["seed"]), R), build)
    return {"eta": eta, "R": R, "mean": float(sim["sq"].mean()),
            "se": float(sim["sq"].std(ddof=1) / math.sqrt(R)), "n_diverged": sim["n_diverged"]}


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


@claim(
    id="heavy_tail.second_moment",
    paper=PAPER, status="derived", kind="equality",
    statement=r"$m_k = E\|e_k\|^2$ obeys $m_k = h(2)m_{k-1} + \eta^2\sigma^2\sigma_\varepsilon^2 d/b$ "
              r"exactly, so for $\eta < \eta_{crit}$, $E\|e_\infty\|^2 = \eta\sigma_\varepsilon^2 d/"
              r"(2b - \eta\sigma^2(b+d+1))$, which blows up at $\eta_{crit}$; for "
              r"$\eta \in [\eta_{crit}, \eta_{max})$, $m_k \to \infty$ (linearly at $\eta_{crit}$, "
              r"geometrically above). Simulated chains match $m_k$ at every $k$.",
    strategy=S.second_moment_point(),
    tolerance="Exact part: sympy identities (fixed point = the formula, pole at eta_crit, h(2) = 1 "
              "there), the iterated recursion vs the closed-form m_k to rtol 1e-9 (float rounding), and "
              "m_k >= k g unbounded for eta >= eta_crit. Simulation: two-sided z-test of the sample mean "
              "of ||e_k||^2 over R independent chains against m_k at ctx.level (family error 0.01), s.e. "
              "from the sample (eta <= eta_4/2, so alpha >= 8.6); supported when s.e./m_k < 5%.",
    assumptions="a_i ~ N(0, sigma2 I_d), eps_i ~ N(0, sigma_eps^2); b in [1,4], d in [1,3], "
                "sigma2 in [0.5,2], "
                "sigma_eps in [0.1,10]; eta = frac eta_4, frac in [0.05,0.5] (eta_4 the root of "
                "h(4) = 1), which gives alpha >= 8.6 here: ||e||^4 then has finite variance, so the "
                "sample s.e. is reliable (at frac 0.75, alpha ~ 6.3, a ci instance undershot m_k by "
                "3.4 s.e.: the sample mean of a heavy-tailed variable is skewed, spec pitfall 4); "
                "k in [1,30] steps from e_0 = 0; a window step eta_crit + w(eta_max - "
                "eta_crit), w in [0,0.99]. R = 1e4 (dev), 5e4 (ci), 2e5 (thorough); explicit data for "
                "d > 1, the exact scalar reduction for d = 1.",
    closed_form="m_k = g (h(2)^k - 1)/(h(2) - 1), g = eta^2 sigma2 sigma_eps^2 d/b, h(2) = 1 - 2cb + "
                "c^2 b(b+d+1); m_inf = eta sigma_eps^2 d/(2b - eta sigma2 (b+d+1)) (sympy fixed point).",
    examples={"dev": 2, "ci": 6, "thorough": 100},
)
def second_moment(inst: dict, ctx) -> Check:
    """The exact second-moment recursion (sympy + iteration) and its Monte-Carlo check below eta_4."""
    b, d, s2, se, k = inst["b"], inst["d"], inst["sigma2"], inst["sigma_eps"], inst["k"]
    sym = _second_moment_symbolic()
    eta4 = fourth_moment_step_size(b, d, s2)
    eta = inst["frac"] * eta4
    h2 = h2_closed(eta, b, d, s2)
    g = eta**2 * s2 * se**2 * d / b
    m, n_iter = 0.0, min(int(40 / (1 - h2)) + 10, 200_000)
    for _ in range(n_iter):
        m = h2 * m + g
    m_inf = stationary_second_moment(eta, b, d, s2, se)
    conv_err = abs(m / m_inf - 1)
    # at and above eta_crit: h(2) >= 1, so m_K >= K g for every K (unbounded)
    ec, em = critical_step_size(b, d, s2), max_step_size(b, d, s2)
    eta_w = ec + inst["w"] * (em - ec)
    big_k = 10_000
    m_w = second_moment_path(big_k, eta_w, b, d, s2, se)
    g_w = eta_w**2 * s2 * se**2 * d / b
    grows = h2_closed(eta_w, b, d, s2) >= 1 - 1e-15 and m_w >= 0.999 * big_k * g_w
    exact_ok = (sym["fixed_point_is_spec_formula"] and sym["pole_at_eta_crit"]
                and _h2_is_one_at_eta_crit() and conv_err < 1e-9 and grows
                and math.isinf(stationary_second_moment(eta_w, b, d, s2, se)))
    mk = second_moment_path(k, eta, b, d, s2, se)
    mc = _second_moment_sample(inst, ctx)
    if mc["n_diverged"]:
        return Check.inconclusive("diverging replicas", n_diverged=mc["n_diverged"])
    zstat, pval = _z_test(mc["mean"], mk, mc["se"])
    return Check.test(reject=(not exact_ok) or pval < ctx.level, p_value=pval, level=ctx.level,
                      supports=mc["se"] / mk < 0.05, measured=mc["mean"], predicted=mk,
                      margin=_z(ctx.level) - abs(zstat), z=zstat, se=mc["se"], R=mc["R"], eta=eta,
                      eta_4=eta4, eta_crit=ec, m_inf=m_inf, fixed_point_rel_err=conv_err,
                      eta_window=eta_w, m_10000_window=m_w, **sym)


@second_moment.false_variant(
    "finite_below_eta_max",
    "E||e_inf||^2 = eta sigma_eps^2 d/(2b - eta sigma2 (b+d+1)) is finite for every stationary step "
    "(eta < eta_max): m_k should converge to it in the window too.",
    strategy=S.window_point(),
)
def _(inst: dict, ctx) -> Check:
    b, d, s2, eta = _window_step(inst)
    formula = eta * d / (2 * b - eta * s2 * (b + d + 1))  # sigma_eps = 1
    h2 = h2_closed(eta, b, d, s2)
    k = int(min(2000, 600 / math.log(h2)))  # m_k grows like h(2)^k: stay inside float range
    m_k = second_moment_path(k, eta, b, d, s2)
    return Check.close(m_k, formula, rtol=1e-3, h2=h2, eta=eta, k=k)


@second_moment.false_variant(
    "mean_update_only",
    "m_k follows the noiseless-curvature recursion m_k = (1 - eta sigma2)^2 m_{k-1} + g (the "
    "multiplicative-noise term c^2 b (d+1) of h(2) dropped).",
    strategy=S.second_moment_point(frac_lo=0.3, d_max=1, k_lo=10),
)
def _(inst: dict, ctx) -> Check:
    b, d, s2, se, k = inst["b"], inst["d"], inst["sigma2"], inst["sigma_eps"], inst["k"]
    mc = _second_moment_sample(inst, ctx)
    eta = mc["eta"]
    h2w, g = (1 - eta * s2) ** 2, eta**2 * s2 * se**2 * d / b
    pred = g * sum(h2w**j for j in range(k))
    _, pval = _z_test(mc["mean"], pred, mc["se"])
    return Check.test(reject=pval < ctx.level, p_value=pval, level=ctx.level, measured=mc["mean"],
                      predicted=pred)


def _lyapunov_sample(inst: dict, ctx, eta: float) -> dict:
    """log||Pi_k Delta||/k over R replicas of explicit-data products (the definition of rho)."""
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    R, k = ctx.pick(dev=1000, ci=4000, thorough=20_000), 10
    rng = online.make_rng(np.random.SeedSequence([int(inst["seed"]), 4]))
    delta = rng.standard_normal(d)
    delta /= np.linalg.norm(delta)
    diff = online.coupled_difference(rng, R, k, eta, b, d, delta, np.zeros(d), s2, 0.0)
    lg = np.log(np.linalg.norm(diff, axis=1)) / k
    return {"mean": float(lg.mean()), "se": float(lg.std(ddof=1) / math.sqrt(R)), "R": R, "k": k}


def _shape(inst: dict) -> dict:
    """log h on a grid of (0, s_top], its second differences, sign changes, and the slope at 0."""
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    eta = inst["u"] * max_step_size(b, d, s2)
    c = eta * s2 / b
    alpha = _tail_indices(s2, (eta, b, d))[0]
    assume(alpha <= 60)  # the spec's range; the grid [0, min(100, 3 alpha)] then contains alpha
    s_top = min(S_MAX, 3 * alpha)
    grid = np.linspace(0.0, s_top, 301)
    lh = np.array([_log_h(s, c, b, d) for s in grid])
    # interleave the sympy even moments h(0), h(2), h(4) with quadrature at s = 1, 3: an independent
    # convexity check mixing two methods
    mixed = np.array([0.0, _log_h(1.0, c, b, d), math.log(h2_closed(eta, b, d, s2)),
                      _log_h(3.0, c, b, d), math.log(h4_closed(eta, b, d, s2))])
    eps = 1e-3  # Richardson extrapolation of log h(s)/s at 0: error O(eps^2)
    slope0 = 2 * _log_h(eps / 2, c, b, d) / (eps / 2) - _log_h(eps, c, b, d) / eps
    return {"eta": eta, "c": c, "alpha": alpha, "grid": grid, "log_h": lh, "mixed": mixed,
            "slope0": slope0, "h0": moment_function(0.0, eta, b, d, s2)}


def _sign_changes(grid: np.ndarray, lh: np.ndarray) -> list[tuple[float, float]]:
    """Intervals of the grid (s > 0) where log h changes sign (points with |log h| <= 1e-10, i.e. zero
    within quadrature accuracy, are skipped so that a grid point at alpha is not counted twice)."""
    keep = (grid > 0) & (np.abs(lh) > 1e-10)
    g, sg = grid[keep], np.sign(lh[keep])
    idx = np.nonzero(sg[1:] != sg[:-1])[0]
    return [(float(g[i]), float(g[i + 1])) for i in idx]


@claim(
    id="heavy_tail.h_shape",
    paper=PAPER, status="derived", kind="comparison",
    statement=r"$h(0) = 1$; $\log h$ is convex (Hölder); $(\log h)'(0^+) = \rho$, the top Lyapunov "
              r"exponent; when $\rho < 0$, $\log h$ changes sign exactly once on $(0, \infty)$, at "
              r"$\alpha$, so $\{s > 0: h(s) < 1\} = (0, \alpha)$.",
    strategy=S.shape_point(),
    tolerance="Convexity: second differences of log h on a 301-point grid of [0, min(100, 3 alpha)] "
              ">= -1e-9 (quadrature ~1e-12), and of the sequence (sympy h(0), quad h(1), sympy h(2), "
              "quad h(3), sympy h(4)) >= -1e-8; one sign change, in the grid cell containing alpha. The "
              "slope at 0 (Richardson, O(1e-6)) is z-tested at ctx.level against the Lyapunov exponent "
              "measured as the mean of log||Pi_k Delta||/k over R explicit-data products (k = 10; "
              "family error 0.01). h(0) = 1 to 1e-12 (by construction: normalised weights, dropped "
              "negligible nodes leave ~3e-15).",
    assumptions="a_i ~ N(0, sigma2 I_d), b in [1,16], d in [1,16], sigma2 in [0.1,10], eta = u eta_max, "
                "u in [0.05,0.95] (rho < 0); alpha <= 60 (the spec's range; else rejected). "
                "R = 1e3 (dev), 4e3 (ci), 2e4 (thorough) products.",
    closed_form="h(2) = 1 - 2cb + c^2 b(b+d+1), h(4) = 1 + c P(c) (sympy)",
    examples={"dev": 3, "ci": 10, "thorough": 100},
)
def h_shape(inst: dict, ctx) -> Check:
    """Shape of log h by quadrature and sympy; its slope at 0 against simulated Lyapunov growth."""
    sh = _shape(inst)
    d2 = np.diff(sh["log_h"], 2)
    d2m = np.diff(sh["mixed"], 2)
    changes = _sign_changes(sh["grid"], sh["log_h"])
    one = len(changes) == 1 and changes[0][0] <= sh["alpha"] <= changes[0][1]
    exact_ok = bool(abs(sh["h0"] - 1) <= 1e-12 and d2.min() >= -1e-9 and d2m.min() >= -1e-8 and one)
    ly = _lyapunov_sample(inst, ctx, sh["eta"])
    zstat, pval = _z_test(ly["mean"], sh["slope0"], ly["se"])
    return Check.test(reject=(not exact_ok) or pval < ctx.level, p_value=pval, level=ctx.level,
                      measured=sh["slope0"], predicted=ly["mean"], margin=_z(ctx.level) - abs(zstat),
                      min_second_difference=float(d2.min()), min_mixed_second_difference=float(d2m.min()),
                      sign_changes=changes, alpha=sh["alpha"], lyapunov_se=ly["se"], R=ly["R"],
                      rho_quadrature=_rho(sh["c"], inst["b"], inst["d"]), eta=sh["eta"])


@h_shape.false_variant("typical_growth",
                       "h(s) = exp(s rho) (typical growth in place of moment growth): then log h never "
                       "crosses 0 for rho < 0.")
def _(inst: dict, ctx) -> Check:
    sh = _shape(inst)
    rho = _rho(sh["c"], inst["b"], inst["d"])
    changes = _sign_changes(sh["grid"], sh["grid"] * rho)
    return Check(len(changes) == 1, len(changes), 1, margin=-abs(len(changes) - 1))


@h_shape.false_variant("second_moment_power",
                       "h(s) = h(2)^{s/2} (log h linear through the exact h(2)): slope at 0 is "
                       "log h(2)/2 instead of rho.",
                       strategy=S.shape_point(d_max=4, u_lo=0.3))
def _(inst: dict, ctx) -> Check:
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    eta = inst["u"] * max_step_size(b, d, s2)
    slope = 0.5 * math.log(h2_closed(eta, b, d, s2))
    ly = _lyapunov_sample(inst, ctx, eta)
    _, pval = _z_test(ly["mean"], slope, ly["se"])
    return Check.test(reject=pval < ctx.level, p_value=pval, level=ctx.level, measured=slope,
                      predicted=ly["mean"])


def _metamorphic_runs(inst: dict, ctx) -> dict:
    """Explicit-data chains (same seed) at (sigma_eps, x_hat = 0), (lam_eps sigma_eps, 0) and
    (sigma_eps, x_hat of norm xhat); plus d = 1 scalar vs full-vector chains with independent seeds."""
    b, d, s2, se, k = inst["b"], inst["d"], inst["sigma2"], inst["sigma_eps"], inst["k"]
    eta = inst["u"] * max_step_size(b, d, s2)
    R = ctx.pick(dev=2000, ci=10_000, thorough=100_000)
    R1 = ctx.pick(dev=5000, ci=20_000, thorough=200_000)

    def build() -> dict:
        seed = int(inst["seed"])
        ss = lambda j: np.random.SeedSequence([seed, 5, j])  # noqa: E731
        xh = online.make_rng(ss(9)).standard_normal(d)
        xh *= inst["xhat"] / np.linalg.norm(xh)
        base = online.vector_chains(ss(0), R, k, eta, b, d, s2, se)
        scaled = online.vector_chains(ss(0), R, k, eta, b, d, s2, inst["lam_eps"] * se)
        shifted = online.vector_chains(ss(0), R, k, eta, b, d, s2, se, x_hat=xh)
        vec1 = online.vector_chains(ss(1), R1, k, eta, b, 1, s2, se).state[:, 0]
        return {"base": base.state, "scaled": scaled.state, "shifted": shifted.state, "vec1": vec1,
                "n_div": base.n_diverged + scaled.n_diverged + shifted.n_diverged}
    out = _memo_sim(("meta", tuple(sorted(inst.items())), R, R1), build)
    return {**out, "eta": eta, "R": R, "R1": R1}


@claim(
    id="heavy_tail.metamorphic",
    paper=PAPER, status="derived", kind="equality",
    statement=r"The error chain $e_k = x_k - \hat x$ is invariant under a shift of $\hat x$, scales "
              r"exactly with $\sigma_\varepsilon$ (pathwise, so Hill estimates are unchanged), its law is "
              r"rotation invariant (every projection $u^Te_k$ has the same law), "
              r"$\alpha(\eta, \sigma^2) = \alpha(\eta/\lambda, \lambda\sigma^2)$, and in $d = 1$ the "
              r"scalar reduction $(A, B)$ and explicit data give the same law of $e_K$.",
    strategy=S.metamorphic_point(),
    tolerance="alpha identity to rtol 1e-9 (quadrature ~1e-10); pathwise identities (same seed) to "
              "1e-8 of max||e|| (float rounding; measured <= 1e-11 at ||x_hat||/sigma_eps = 1e3); "
              "two two-sample KS tests (u_1^T e vs u_2^T e on disjoint replica halves, d >= 2; scalar vs "
              "explicit-data d = 1 chains) at ctx.level/2 each (family error 0.01).",
    assumptions="a_i ~ N(0, sigma2 I_d), b, d in [1,3], sigma2 in [0.5,2], eta = u eta_max, u in "
                "[0.1,0.9]; lam, lam_eps in [0.1,10]; ||x_hat|| in [0,100]; K in [5,40] steps from "
                "e_0 = 0 (the identities hold at every K). R = 2e3 explicit-data chains per run and 5e3 "
                "per d = 1 law (dev).",
    examples={"dev": 2, "ci": 6, "thorough": 100},
)
def metamorphic(inst: dict, ctx) -> Check:
    """Quadrature scaling identity, pathwise identities with a common seed, and two KS tests."""
    b, d, s2, lam, k = inst["b"], inst["d"], inst["sigma2"], inst["lam"], inst["k"]
    r = _metamorphic_runs(inst, ctx)
    if r["n_div"]:
        return Check.inconclusive("diverging replicas", n_diverged=r["n_div"])
    eta = r["eta"]
    a1, a2 = _tail_indices(s2, (eta, b, d)), _tail_indices(lam * s2, (eta / lam, b, d))
    alpha_err = abs(a2[0] / a1[0] - 1)
    scale = float(np.max(np.abs(r["base"])))
    err_scale = float(np.max(np.abs(r["scaled"] - inst["lam_eps"] * r["base"]))) / (inst["lam_eps"] * scale)
    err_shift = float(np.max(np.abs(r["shifted"] - r["base"]))) / scale
    kk = max(10, r["R"] // 100)
    hill_equal = abs(hill_estimator(np.linalg.norm(r["scaled"], axis=1), kk)
                     / hill_estimator(np.linalg.norm(r["base"], axis=1), kk) - 1) < 1e-8
    rng = online.make_rng(np.random.SeedSequence([int(inst["seed"]), 6]))
    half = r["R"] // 2
    if d >= 2:
        u1, u2 = rng.standard_normal(d), rng.standard_normal(d)
        u1, u2 = u1 / np.linalg.norm(u1), u2 / np.linalg.norm(u2)
        p_rot = float(stats.ks_2samp(r["base"][:half] @ u1, r["base"][half:] @ u2).pvalue)
    else:
        p_rot = 1.0
    sc = online.scalar_chains(np.random.SeedSequence([int(inst["seed"]), 7]), r["R1"], k, eta, b, s2,
                              inst["sigma_eps"]).state
    p_int = float(stats.ks_2samp(sc, r["vec1"]).pvalue)
    exact_ok = alpha_err < 1e-9 and err_scale < 1e-8 and err_shift < 1e-8 and hill_equal
    p = min(p_rot, p_int)
    return Check.test(reject=(not exact_ok) or p < ctx.level / 2, p_value=p, level=ctx.level,
                      measured=a2[0], predicted=a1[0], alpha_rel_err=alpha_err,
                      sigma_eps_scaling_err=err_scale, x_hat_shift_err=err_shift, p_rotation=p_rot,
                      p_scalar_vs_vector=p_int, eta=eta, R=r["R"])


@metamorphic.false_variant("curvature_ignored",
                           "At fixed eta, rescaling the data sigma2 -> lam sigma2 leaves alpha unchanged.",
                           strategy=S.metamorphic_point(d_max=1))
def _(inst: dict, ctx) -> Check:
    b, d, s2, lam = inst["b"], inst["d"], inst["sigma2"], inst["lam"]
    eta = inst["u"] * min(max_step_size(b, d, s2), max_step_size(b, d, lam * s2))
    a1, a2 = _tail_indices(s2, (eta, b, d))[0], _tail_indices(lam * s2, (eta, b, d))[0]
    return Check.close(a2, a1, rtol=1e-6, eta=eta)


@metamorphic.false_variant("single_sample_reduction",
                           "Minibatch SGD (b, eta) has the law of single-sample SGD with step eta/b "
                           "(KS, d = 1, batch b + 1 >= 2).",
                           examples={"dev": 1, "ci": 2, "thorough": 20})
def _(inst: dict, ctx) -> Check:
    b, s2, se, k = inst["b"] + 1, inst["sigma2"], inst["sigma_eps"], inst["k"]
    eta = inst["u"] * max_step_size(b, 1, s2)
    R = ctx.pick(dev=5000, ci=20_000, thorough=200_000)
    ss = lambda j: np.random.SeedSequence([int(inst["seed"]), 8, j])  # noqa: E731
    mini = online.scalar_chains(ss(0), R, k, eta, b, s2, se).state
    single = online.scalar_chains(ss(1), R, k, eta / b, 1, s2, se).state
    ks = stats.ks_2samp(mini, single)
    return Check.test(reject=ks.pvalue < ctx.level, p_value=float(ks.pvalue), level=ctx.level,
                      measured=float(ks.statistic), eta=eta, b=b)


def _moment_bound_sample(inst: dict, ctx) -> dict:
    """||x_k||^p over R chains (x_hat = 0, so x_k = e_k) from a deterministic x_0, p = f alpha/2."""
    b, d, s2, se, k = inst["b"], inst["d"], inst["sigma2"], inst["sigma_eps"], inst["k"]
    eta = inst["u"] * max_step_size(b, d, s2)
    alpha = _tail_indices(s2, (eta, b, d))[0]
    p = inst["f"] * alpha / 2
    R = ctx.pick(dev=4000, ci=20_000, thorough=200_000)
    rng = online.make_rng(np.random.SeedSequence([int(inst["seed"]), 10]))
    x0 = rng.standard_normal(d)
    x0 *= inst["x0"] / np.linalg.norm(x0)
    res = online.vector_chains(rng, R, k, eta, b, d, s2, se, x0=x0)
    vals = np.linalg.norm(res.state, axis=1) ** p
    return {"eta": eta, "alpha": alpha, "p": p, "R": R, "mean": float(vals.mean()),
            "se": float(vals.std(ddof=1) / math.sqrt(R)), "n_diverged": res.n_diverged}


@claim(
    id="heavy_tail.moment_bound",
    paper=PAPER, status="theorem", kind="upper_bound",
    statement=r"For $p < \alpha$ ($h(p) < 1$) and deterministic $x_0$: if $p \le 1$, "
              r"$E\|x_k\|^p \le h(p)^k\|x_0\|^p + \frac{1-h(p)^k}{1-h(p)}E\|q_1\|^p$; if $1 < p < \alpha$, "
              r"with $r = (1+\varepsilon)h(p) < 1$, $E\|x_k\|^p \le r^k\|x_0\|^p + \frac{1-r^k}{1-r}"
              r"C_\varepsilon E\|q_1\|^p$, "
              r"$C_\varepsilon = (1+\varepsilon)/((1+\varepsilon)^{1/(p-1)}-1)^{p-1}$.",
    strategy=S.moment_bound_point(),
    tolerance="One-sided z-test at ctx.level (family error 0.01): rejected if the sample mean of "
              "||x_k||^p over R chains exceeds the bound by more than z s.e. (p < alpha/2, so the sample "
              "mean has finite variance). h(p) by quadrature (~1e-10), E||q_1||^p exact (Gamma functions).",
    assumptions="a_i ~ N(0, sigma2 I_d), eps_i ~ N(0, sigma_eps^2), x_hat = 0 (so q_1 = xi_1); b, d in "
                "[1,4], sigma2 in [0.5,2], sigma_eps in [0.1,10], eta = u eta_max, u in [0.05,0.9]; "
                "p = f alpha/2, f in [0.05,0.95]; eps = (1/h(p) - 1)/2; k in [1,50]; ||x_0|| in [0,10], "
                "random direction. R = 4e3 (dev), 2e4 (ci), 2e5 (thorough).",
    closed_form="E||q_1||^p = ((eta/b) sigma sigma_eps)^p 2^p Gamma((b+p)/2) Gamma((d+p)/2) / "
                "(Gamma(b/2) Gamma(d/2))",
    examples={"dev": 2, "ci": 6, "thorough": 100},
)
def moment_bound(inst: dict, ctx) -> Check:
    """Monte-Carlo E||x_k||^p against the moment bound (one-sided)."""
    b, d, s2, se, k = inst["b"], inst["d"], inst["sigma2"], inst["sigma_eps"], inst["k"]
    mc = _moment_bound_sample(inst, ctx)
    if mc["n_diverged"]:
        return Check.inconclusive("diverging replicas", n_diverged=mc["n_diverged"])
    bound = moment_upper_bound(mc["p"], k, inst["x0"], mc["eta"], b, d, s2, se)
    zstat = (mc["mean"] - bound) / mc["se"]
    return Check.test(reject=zstat > _z(ctx.level, two_sided=False), p_value=float(stats.norm.sf(zstat)),
                      level=ctx.level, measured=mc["mean"], predicted=bound,
                      margin=_z(ctx.level, two_sided=False) - zstat, bound_over_mean=bound / mc["mean"],
                      p=mc["p"], alpha=mc["alpha"], se=mc["se"], eta=mc["eta"], R=mc["R"])


@moment_bound.false_variant("no_noise_term", "E||x_k||^p <= h(p)^k ||x_0||^p (the noise term dropped); "
                            "x_0 = 0 falsifies it at once.", strategy=S.moment_bound_point(x0_max=0.0),
                            examples={"dev": 1, "ci": 2, "thorough": 20})
def _(inst: dict, ctx) -> Check:
    mc = _moment_bound_sample(inst, ctx)
    bound = moment_function(mc["p"], mc["eta"], inst["b"], inst["d"], inst["sigma2"]) ** inst["k"] \
        * inst["x0"] ** mc["p"]
    zstat = (mc["mean"] - bound) / mc["se"]
    return Check.test(reject=zstat > _z(ctx.level, two_sided=False), p_value=float(stats.norm.sf(zstat)),
                      level=ctx.level, measured=mc["mean"], predicted=bound)


def _gclt_run(inst: dict, ctx) -> dict:
    """IQR over R chains of the time average xbar_K at K = base 4^j max(1, 1/|rho|), j = 0, 1, 2 (one
    pass from e_0 = 0), the least-squares slope of log IQR on log K, and its bootstrap s.e."""
    b, s2, alpha = int(inst["b"]), float(inst["sigma2"]), float(inst["alpha"])
    R = ctx.pick(dev=4000, ci=8000, thorough=20_000)
    base = ctx.pick(dev=25, ci=50, thorough=250)

    def build() -> dict:
        eta = step_for_tail_index(alpha, b, 1, s2)
        rho = lyapunov_exponent(eta, b, 1, s2)
        ks = [int(base * 4**j * max(1.0, 1 / abs(rho))) for j in range(3)]
        rng = online.make_rng(np.random.SeedSequence([int(inst["seed"]), 11]))
        e, tot, avg = np.zeros(R), np.zeros(R), []
        # sim.online returns final states only; the time average needs the path, so step here with
        # the module's exact d = 1 step coefficients
        for k in range(1, ks[-1] + 1):
            A, B = online.scalar_step_coefficients(rng, R, eta, b, s2)
            e = A * e + B
            tot += e
            if k in ks:
                avg.append(tot / k)
        xbar = np.array(avg)  # (3, R); E x_inf = 0 (x_hat = 0, symmetric law)
        logk = np.log(ks)

        def slope(x: np.ndarray) -> float:
            q75, q25 = np.percentile(x, [75, 25], axis=-1)
            return float(np.polyfit(logk, np.log(q75 - q25), 1)[0])
        brng = online.make_rng(np.random.SeedSequence([int(inst["seed"]), 12]))
        boot = [slope(xbar[:, brng.integers(0, R, R)]) for _ in range(200)]
        return {"eta": eta, "rho": rho, "K": ks, "slope": slope(xbar), "se": float(np.std(boot, ddof=1)),
                "finite": bool(np.all(np.isfinite(xbar)))}
    return {**_memo_sim(("gclt", b, s2, alpha, int(inst["seed"]), R, base), build), "R": R}


GCLT_DRIFT = 0.06  # pre-asymptotic drift of the slope (spec, d = 1 trials); measured <= 0.045 at base 25


@claim(
    id="heavy_tail.gclt_scaling",
    paper=PAPER, status="theorem", kind="rate",
    statement=r"Generalised CLT for averages: the spread of $\bar x_K = K^{-1}\sum_{k\le K} x_k$ over "
              r"independent runs scales like $K^{\max(1/\alpha - 1, -1/2)}$: $\alpha$-stable fluctuations "
              r"of size $K^{1/\alpha - 1}$ for $\alpha \in (1, 2)$, the $\sqrt K$ CLT for $\alpha > 2$.",
    strategy=S.gclt_point(),
    tolerance="|slope - max(1/alpha - 1, -1/2)| <= 0.06 + z se: 0.06 is the pre-asymptotic drift of "
              "the spec's d = 1 trials (measured here <= 0.045 at K from 25/|rho|), se a 200-resample "
              "bootstrap of the replicas; z at ctx.level (family error 0.01). Supported when se < 0.03.",
    assumptions="d = 1 (exact scalar step), b in [1,3], sigma2 = 1, target alpha in [1.1,1.6] (alpha = 1 "
                "needs log corrections) or a control in [3,4]; K = base 4^j max(1, 1/|rho|), j = 0,1,2, "
                "base 25 (dev), 50 (ci), 250 (thorough, the spec's); R = 4e3 (dev), 8e3 (ci), 2e4 "
                "(thorough) runs from e_0 = 0.",
    closed_form="slope = max(1/alpha - 1, -1/2)",
    examples={"dev": 1, "ci": 3, "thorough": 30},
)
def gclt_scaling(inst: dict, ctx) -> Check:
    """Log-log slope of the IQR of time averages against K vs the GCLT exponent."""
    g = _gclt_run(inst, ctx)
    if not g["finite"]:
        return Check.inconclusive("non-finite averages", K=g["K"])
    pred = max(1 / float(inst["alpha"]) - 1, -0.5)
    z = _z(ctx.level)
    err = abs(g["slope"] - pred)
    return Check.test(reject=err > GCLT_DRIFT + z * g["se"], p_value=None, level=ctx.level,
                      supports=g["se"] < 0.03, measured=g["slope"], predicted=pred,
                      margin=GCLT_DRIFT + z * g["se"] - err, se=g["se"], K=g["K"], rho=g["rho"],
                      eta=g["eta"], R=g["R"])


@gclt_scaling.false_variant("sqrt_k_always", "sqrt(K) Gaussian scaling (slope -1/2) for every "
                            "stationary chain.", strategy=S.gclt_point(alpha_hi=1.3, control=False))
def _(inst: dict, ctx) -> Check:
    g = _gclt_run(inst, ctx)
    err = abs(g["slope"] + 0.5)
    z = _z(ctx.level)
    return Check.test(reject=err > GCLT_DRIFT + z * g["se"], p_value=None, level=ctx.level,
                      measured=g["slope"], predicted=-0.5)
