"""Instance strategies for the heavy-tail claims (Gürbüzbalaban, Şimşekli, Zhu 2021).

Instances are small dicts of plain numbers. Step sizes are encoded relative to the exact thresholds
(eta_crit, eta_max) or by a target tail index, so every instance is stationary (rho < 0) by
construction; the functions at the end of this module convert
them to eta and tail indices (moved here from ``theorems.strategies.heavy_tail``).

Assumptions encoded (paper, (A1)-(A2) specialised to the explicit results): a_i ~ N(0, sigma2 I_d), fresh
batches of b i.i.d. pairs every step (online SGD), Gaussian label noise. Default ranges:
b in [1, 32], d in [1, 64], sigma2 in [0.1, 10].
"""

from __future__ import annotations

from hypothesis import assume
from hypothesis import strategies as st
from scipy import optimize

from theorems.heavy_tail.formulas import (
    NoStationaryLaw,
    TailIndexOutOfRange,
    _log_h,
    critical_step_size,
    max_step_size,
    tail_index,
)

seeds = st.integers(0, 2**32 - 1)
batch_sizes = st.integers(1, 32)
dims = st.integers(1, 64)
small_dims = st.integers(1, 10)
sigma2s = st.floats(0.1, 10.0, allow_nan=False, allow_infinity=False)


def theory_point(frac_lo: float = 0.02, frac_hi: float = 1.5, d_min: int = 1) -> st.SearchStrategy:
    """(b, d, sigma2) and a step as a fraction of the critical step: c = eta sigma2/b <= 3/(b+d+1)."""
    return st.fixed_dictionaries(
        {
            "b": batch_sizes,
            "d": st.integers(d_min, 64),
            "sigma2": sigma2s,
            "frac": st.floats(frac_lo, frac_hi),
            "s": st.floats(0.05, 8.0),
        }
    )


def small_step_point(d_min: int = 1) -> st.SearchStrategy:
    """(b, d, sigma2) and a small step eta = 10^(q - 6) eta_crit, q in [2, 4] (false variants whose
    error vanishes as eta -> 0: hypothesis shrinks q toward 2, i.e. toward the boundary)."""
    return st.fixed_dictionaries(
        {"b": batch_sizes, "d": st.integers(d_min, 64), "sigma2": sigma2s, "q": st.floats(2.0, 4.0)}
    )


def around_crit(only_above: bool = False, t_hi: float = 0.99) -> st.SearchStrategy:
    """A step on either side of eta_crit, stationary by construction: above, eta = eta_crit + t
    (eta_max - eta_crit); below, eta = eta_crit (1 - t/2); t in [0.01, t_hi]."""
    return st.fixed_dictionaries(
        {
            "b": batch_sizes,
            "d": dims,
            "sigma2": sigma2s,
            "above": st.just(True) if only_above else st.booleans(),
            "t": st.floats(0.01, t_hi),
        }
    )


def window_point(w_hi: float = 0.99) -> st.SearchStrategy:
    """eta in the infinite-variance window: eta = eta_crit + w (eta_max - eta_crit), w in [0.01, w_hi]."""
    return st.fixed_dictionaries(
        {
            "b": batch_sizes,
            "d": dims,
            "sigma2": sigma2s,
            "w": st.floats(0.01, w_hi),
        }
    )


def tail_chain(alpha_lo: float, alpha_hi: float, b_max: int = 4) -> st.SearchStrategy:
    """A d = 1 chain set by a target tail index alpha in [alpha_lo, alpha_hi] (simulation claims)."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, b_max),
            "sigma2": st.floats(0.5, 2.0),
            "alpha": st.floats(alpha_lo, alpha_hi),
            "seed": seeds,
        }
    )


def pair_eta(proviso: bool = False, log_v: bool = False) -> st.SearchStrategy:
    """Two step sizes e1 < e2 < eta_max and a curvature rescaling lam (monotonicity in eta, sigma2).

    e1 = u1 eta_max, or with ``proviso`` e1 = u1 eta_1 with eta_1 the root of h(1) = 1, so that
    alpha(e1) >= 1 by construction; e2 = e1 + v (eta_max - e1).
    """
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 20),
            "d": small_dims,
            "sigma2": sigma2s,
            "proviso": st.just(proviso),
            "u1": st.floats(0.3, 1.0) if proviso else st.floats(0.05, 0.999),
            "v": st.floats(2.0, 5.99).map(lambda q: 10 ** (q - 6)) if log_v else st.floats(0.001, 0.999),
            "lam": st.floats(0.1, 10.0),
        }
    )


def pair_b() -> st.SearchStrategy:
    """d = 1, b < b', eta = eta*(1 - 10^-u) with eta* the smaller of the two eta_max (spec 9)."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 19),
            "db": st.integers(1, 10),
            "d": st.just(1),
            "u": st.floats(0.05, 6.0),
            "sigma2": st.just(1.0),
        }
    )


def pair_b_proviso() -> st.SearchStrategy:
    """d = 1, b < b', eta = u eta_1(b) with eta_1(b) the root of h(1) = 1 at batch size b, so that
    alpha(b) >= 1 by construction (and eta < eta_max(b') on this range: measured eta_1(b) <= 1.99 <
    2.16 <= eta_max(b'))."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 19),
            "db": st.integers(1, 10),
            "d": st.just(1),
            "u": st.floats(0.3, 1.0),
            "sigma2": st.just(1.0),
        }
    )


def pair_d() -> st.SearchStrategy:
    """d < d', eta as a fraction of the smaller eta_max."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 20),
            "d": st.integers(1, 20),
            "dd": st.integers(1, 20),
            "u": st.floats(0.02, 0.98),
            "sigma2": sigma2s,
        }
    )


def ratio_pair() -> st.SearchStrategy:
    """b < b' and the common ratio eta/b set at b's critical ratio times a factor."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 16),
            "db": st.integers(1, 16),
            "d": st.integers(1, 16),
            "f": st.floats(0.5, 1.5),
            "sigma2": sigma2s,
        }
    )


def coupling_point() -> st.SearchStrategy:
    """p in [0.2, 3], d in [1, 6], b in [1, 6], eta as a fraction of eta_max; the horizon k is a fraction
    kf of the largest k <= 30 at which the Monte Carlo can resolve h(p)^k (see _coupling_samples)."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 6),
            "d": st.integers(1, 6),
            "p": st.floats(0.2, 3.0),
            "kf": st.floats(0.0, 1.0),
            "u": st.floats(0.05, 0.9),
            "sigma2": st.floats(0.5, 2.0),
            "seed": seeds,
        }
    )


def reduction_point(b_min: int = 1, d_min: int = 1, frac_min: float = 0.05) -> st.SearchStrategy:
    """b in [b_min,8], d in [d_min,16], sigma2, and c = frac * 3/(b+d+1), frac in [frac_min, 1].

    The defaults are the spec's range for the reduction; false variants narrow it (b >= 2 so that
    chi2_1 differs from chi2_b, d >= 2 so that the cross term is present, frac >= 0.3).
    """
    return st.fixed_dictionaries(
        {
            "b": st.integers(b_min, 8),
            "d": st.integers(d_min, 16),
            "sigma2": sigma2s,
            "frac": st.floats(frac_min, 1.0),
            "seed": seeds,
        }
    )


def tail_chain_vec() -> st.SearchStrategy:
    """d in [2,3], b in [1,3], sigma2 = 1, target alpha in [0.8,1.4] (multivariate Kesten tail)."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 3),
            "d": st.integers(2, 3),
            "sigma2": st.just(1.0),
            "alpha": st.floats(0.8, 1.4),
            "seed": seeds,
        }
    )


def second_moment_point(frac_lo: float = 0.05, d_max: int = 3, k_lo: int = 1) -> st.SearchStrategy:
    """b in [1,4], d in [1,d_max], a step eta = frac eta_4, frac in [frac_lo, 0.5] (alpha >= 8.6 on this
    range), k in [k_lo,30] steps from e_0 = 0, a window step eta_crit + w (eta_max - eta_crit), and
    the label-noise s.d."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 4),
            "d": st.integers(1, d_max),
            "sigma2": st.floats(0.5, 2.0),
            "sigma_eps": st.floats(0.1, 10.0),
            "frac": st.floats(frac_lo, 0.5),
            "k": st.integers(k_lo, 30),
            "w": st.floats(0.0, 0.99),
            "seed": seeds,
        }
    )


def shape_point(d_max: int = 16, u_lo: float = 0.05) -> st.SearchStrategy:
    """b in [1,16], d in [1,d_max], eta = u eta_max (stationary), seed for the Lyapunov simulation."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 16),
            "d": st.integers(1, d_max),
            "sigma2": sigma2s,
            "u": st.floats(u_lo, 0.95),
            "seed": seeds,
        }
    )


def metamorphic_point(d_max: int = 3, b_min: int = 1, u_lo: float = 0.1) -> st.SearchStrategy:
    """b in [1,3], d in [1,d_max], eta = u eta_max, rescalings lam (curvature) and lam_eps (noise), a shift
    of x_hat of norm xhat in [0, 100], K in [5, 40] steps, seed."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(b_min, 3),
            "d": st.integers(1, d_max),
            "sigma2": st.floats(0.5, 2.0),
            "u": st.floats(u_lo, 0.9),
            "lam": st.floats(0.1, 10.0),
            "sigma_eps": st.floats(0.1, 10.0),
            "lam_eps": st.floats(0.1, 10.0),
            "xhat": st.floats(0.0, 100.0),
            "k": st.integers(5, 40),
            "seed": seeds,
        }
    )


def moment_bound_point(x0_max: float = 10.0) -> st.SearchStrategy:
    """b, d in [1,4], eta = u eta_max, p = f alpha/2 (p < alpha/2), k in [1,50], ||x_0|| in [0, x0_max]."""
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 4),
            "d": st.integers(1, 4),
            "sigma2": st.floats(0.5, 2.0),
            "sigma_eps": st.floats(0.1, 10.0),
            "u": st.floats(0.05, 0.9),
            "f": st.floats(0.05, 0.95),
            "k": st.integers(1, 50),
            "x0": st.floats(0.0, x0_max),
            "seed": seeds,
        }
    )


def gclt_point(alpha_hi: float = 1.45, control: bool = True) -> st.SearchStrategy:
    """d = 1, b in [1,3], sigma2 = 1, target alpha in [1.1, alpha_hi] (or a control in [3, 4])."""
    alphas = st.floats(1.1, alpha_hi)
    if control:
        alphas = alphas | st.floats(3.0, 4.0)
    return st.fixed_dictionaries(
        {
            "b": st.integers(1, 3),
            "sigma2": st.just(1.0),
            "alpha": alphas,
            "seed": seeds,
        }
    )


# --------------------------------------------------------- instance -> step sizes and tail indices


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


def _theory_step(inst: dict) -> tuple:
    """(b, d, sigma2, eta) of a theory_point instance: eta = frac * eta_crit."""
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    return b, d, s2, inst["frac"] * critical_step_size(b, d, s2)


def _small_step(inst: dict) -> tuple:
    """(b, d, sigma2, eta) of a small_step_point instance."""
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    return b, d, s2, 10 ** (inst["q"] - 6) * critical_step_size(b, d, s2)


def _crit_step(inst: dict) -> tuple:
    """(b, d, sigma2, eta, eta_crit) of an around_crit instance (stationary by construction)."""
    b, d, s2, t = inst["b"], inst["d"], inst["sigma2"], inst["t"]
    ec = critical_step_size(b, d, s2)
    eta = ec + t * (max_step_size(b, d, s2) - ec) if inst["above"] else ec * (1 - t / 2)
    return b, d, s2, eta, ec


def _window_step(inst: dict) -> tuple:
    """(b, d, sigma2, eta) of a window_point instance: eta = eta_crit + w (eta_max - eta_crit)."""
    b, d, s2, w = inst["b"], inst["d"], inst["sigma2"], inst["w"]
    ec, em = critical_step_size(b, d, s2), max_step_size(b, d, s2)
    return b, d, s2, ec + w * (em - ec)


def _step_h1(b: int, d: int, s2: float) -> float:
    """eta_1: the step where h(1) = 1 (alpha = 1), the root in c of log h(1) on (0, c_max)."""
    cm = max_step_size(b, d, s2) * s2 / b
    c1 = optimize.brentq(lambda c: _log_h(1.0, c, b, d), 1e-3 * cm, cm, xtol=1e-15, rtol=1e-13)
    return c1 * b / s2


def _alpha_pair_eta(inst: dict) -> tuple:
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    em = max_step_size(b, d, s2)
    e1 = inst["u1"] * (_step_h1(b, d, s2) if inst.get("proviso") else em)
    e2 = e1 + inst["v"] * (em - e1)
    a1, a2 = _tail_indices(s2, (e1, b, d), (e2, b, d))
    return e1, e2, a1, a2


def _alpha_pair_b(inst: dict) -> tuple:
    b, b2, d, s2 = inst["b"], inst["b"] + inst["db"], inst["d"], inst["sigma2"]
    es = min(max_step_size(b, d, s2), max_step_size(b2, d, s2))
    eta = es * (1 - 10 ** (-inst["u"]))
    return (eta, *_tail_indices(s2, (eta, b, d), (eta, b2, d)))


def _alpha_pair_b_proviso(inst: dict) -> tuple:
    b, b2, d, s2 = inst["b"], inst["b"] + inst["db"], inst["d"], inst["sigma2"]
    eta = inst["u"] * _step_h1(b, d, s2)
    return (eta, *_tail_indices(s2, (eta, b, d), (eta, b2, d)))


def _alpha_pair_d(inst: dict) -> tuple:
    b, d, d2, s2 = inst["b"], inst["d"], inst["d"] + inst["dd"], inst["sigma2"]
    es = min(max_step_size(b, d, s2), max_step_size(b, d2, s2))
    eta = inst["u"] * es
    return (eta, *_tail_indices(s2, (eta, b, d), (eta, b, d2)))
