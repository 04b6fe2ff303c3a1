"""Simulations shared by the heavy-tail claims: stationary chains (memoised, so a claim and its
false variants reuse one run), Monte Carlo samplers for each claim, and the statistics they share
(Hill confidence intervals, z-tests, the max-to-sum decay exponent).

Every sampler is reproducible from the instance's ``seed`` (drawn by hypothesis).
"""

from __future__ import annotations

import math
import time

import numpy as np
from hypothesis import assume
from scipy import stats

from sim import online
from theorems import Check
from theorems.heavy_tail.formulas import (
    _log_h,
    critical_step_size,
    fourth_moment_step_size,
    goldie_constant,
    hill_estimator,
    lyapunov_exponent,
    max_step_size,
    max_sum_ratio,
    step_for_tail_index,
)
from theorems.heavy_tail.instances import _tail_indices


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
        return {
            "eta": eta,
            "rho": rho,
            "K": K,
            "R": R,
            "z": res.state,
            "n_diverged": res.n_diverged,
            "sim_seconds": time.perf_counter() - t0,
            "eta_crit": critical_step_size(b, 1, s2),
        }

    return _memo_sim((b, s2, alpha, int(inst["seed"]), R, mix), build)


def _hill_check(z: np.ndarray, alpha: float, level: float) -> dict:
    """Hill at k = 1% of the sample; CI half-width z alpha/sqrt(k) plus a 10% second-order bias band."""
    k = max(50, int(0.01 * z.size))
    a_hat = hill_estimator(z, k)
    half = _z(level) * a_hat / math.sqrt(k) + HILL_BIAS * alpha
    return {"alpha_hat": a_hat, "k": k, "half_width": half, "ci": (a_hat - half, a_hat + half)}


# Relative second-order Hill bias allowed at k/R = 1e-2. Measured on control runs (R = 2e5, d = 1):
# at k/R in [3e-3, 1e-2] the Hill estimate was within 2% of alpha for alpha in {1.0, 1.2}, 5% for 1.5,
# and 9-10% for alpha in {1.9, 3.5}; the claims that use it draw alpha <= 1.8. Re-measured (issue 16)
# on 20 stationary controls at k/R = 1e-2 (d = 1: R = 2e5, alpha in {0.8, 1.1, 1.4, 1.8}; d = 2, 3:
# R = 1e5, alpha in {0.8, 1.1, 1.4}; b in {1, 3}; mean of 2 seeds): |bias| <= 3.1% (d = 1, s.e. 1.6%)
# and <= 4.6% (d = 2, 3, s.e. 2.2%), none beyond 2.1 s.e. of zero. 10% = the largest measured bias
# plus 2.5 s.e.: a calibrated width, not a derived one (no closed form for the Kesten second order).
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


def _coupling_samples(inst: dict, ctx, random_start: bool) -> dict:
    """||x_k - x'_k||^p over R synchronously coupled pairs with ||x_0 - x'_0|| = 1.

    The instance is rejected when the relative variance (h(2p)/h(p)^2)^k - 1 of ||Pi_k Delta||^p
    exceeds 10; R >= rel_var/0.05^2. ``random_start``: x_0 is a random Gaussian point (drawn after
    Delta), otherwise x_0 = 0.
    """
    b, d, s2, p = inst["b"], inst["d"], inst["sigma2"], inst["p"]
    eta = inst["u"] * max_step_size(b, d, s2)
    c = eta * s2 / b
    lh_p, lh_2p = _log_h(p, c, b, d), _log_h(2 * p, c, b, d)
    # relative s.d. of ||Pi_k Delta||^p is sqrt((h(2p)/h(p)^2)^k - 1); keep k where R can resolve it:
    # k = 1 + kf (k_max - 1), k_max the largest k <= 30 with relative variance <= 10
    gap = lh_2p - 2 * lh_p  # >= 0 (Jensen)
    k_max = min(30, int(math.log(11.0) / gap)) if gap > 0 else 30
    assume(k_max >= 1)
    k = 1 + int(inst["kf"] * (k_max - 1))
    rel_var = math.expm1(k * gap)
    R = max(ctx.pick(dev=2000, ci=10000, thorough=100000), int(math.ceil(rel_var / 0.05**2)))
    rng = online.make_rng(int(inst["seed"]))
    delta = rng.standard_normal(d)
    delta /= np.linalg.norm(delta)
    x0 = rng.standard_normal(d) if random_start else np.zeros(d)
    diff = online.coupled_difference(rng, R, k, eta, b, d, x0, x0 - delta, s2)
    vals = np.linalg.norm(diff, axis=1) ** p
    return {"vals": vals, "R": R, "eta": eta, "c": c, "lh_p": lh_p, "rel_var": rel_var, "k": k}


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
    return {
        "C": C,
        "se_C": se_c,
        "t": t,
        "n_exceed": n_exc,
        "empirical": emp,
        "se_rel": se_rel,
        "n_up": int(np.sum(z > t)),
        "n_down": int(np.sum(z < -t)),
        "R": z.size,
        "K": sim["K"],
    }


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
    # KS distances from the claimed law to the false variants' laws (common random numbers)
    u1 = rng.chisquare(1, n)
    d_u_df1 = float(stats.ks_2samp(n2_law, (1 - c * u1) ** 2 + c * c * u1 * v).statistic)
    d_drop_v = float(stats.ks_2samp(n2_law, (1 - c * u) ** 2).statistic)
    return {
        "d_u_df1": d_u_df1,
        "d_drop_v": d_drop_v,
        "ks_p": float(ks.pvalue),
        "ks_stat": float(ks.statistic),
        "n": n,
        "eta": eta,
        "c": c,
        "log_n2": np.log(n2_explicit),
    }


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
        return {"eta": eta, "rho": rho, "K": K, "R": R, "e": res.state, "u": u, "n_diverged": res.n_diverged}

    return _memo_sim(("vec", b, d, s2, alpha, int(inst["seed"]), R, mix), build)


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
    return {
        "eta": eta,
        "R": R,
        "mean": float(sim["sq"].mean()),
        "se": float(sim["sq"].std(ddof=1) / math.sqrt(R)),
        "n_diverged": sim["n_diverged"],
    }


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


def _metamorphic_runs(inst: dict, ctx) -> dict:
    """Explicit-data chains (same seed) at (sigma_eps, x_hat = 0), (lam_eps sigma_eps, 0) and
    (sigma_eps, x_hat of norm xhat); plus d = 1 full-vector chains (``vec1``, independent seed) at
    ``eta1 = u eta_max(b, 1, sigma2)`` for the scalar-reduction comparison."""
    b, d, s2, se, k = inst["b"], inst["d"], inst["sigma2"], inst["sigma_eps"], inst["k"]
    eta = inst["u"] * max_step_size(b, d, s2)
    eta1 = inst["u"] * max_step_size(b, 1, s2)  # the d = 1 chains at their own stability scale
    R = ctx.pick(dev=2000, ci=10_000, thorough=100_000)
    R1 = ctx.pick(dev=20_000, ci=20_000, thorough=200_000)

    def build() -> dict:
        seed = int(inst["seed"])
        ss = lambda j: np.random.SeedSequence([seed, 5, j])  # noqa: E731
        xh = online.make_rng(ss(9)).standard_normal(d)
        xh *= inst["xhat"] / np.linalg.norm(xh)
        base = online.vector_chains(ss(0), R, k, eta, b, d, s2, se)
        scaled = online.vector_chains(ss(0), R, k, eta, b, d, s2, inst["lam_eps"] * se)
        shifted = online.vector_chains(ss(0), R, k, eta, b, d, s2, se, x_hat=xh)
        v1 = online.vector_chains(ss(1), R1, k, eta1, b, 1, s2, se)
        return {
            "base": base.state,
            "scaled": scaled.state,
            "shifted": shifted.state,
            "vec1": v1.state[:, 0],
            "n_div": base.n_diverged + scaled.n_diverged + shifted.n_diverged + v1.n_diverged,
        }

    out = _memo_sim(("meta", tuple(sorted(inst.items())), R, R1), build)
    return {**out, "eta": eta, "eta1": eta1, "R": R, "R1": R1}


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
    return {
        "eta": eta,
        "alpha": alpha,
        "p": p,
        "R": R,
        "mean": float(vals.mean()),
        "se": float(vals.std(ddof=1) / math.sqrt(R)),
        "n_diverged": res.n_diverged,
    }


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
        return {
            "eta": eta,
            "rho": rho,
            "K": ks,
            "slope": slope(xbar),
            "se": float(np.std(boot, ddof=1)),
            "finite": bool(np.all(np.isfinite(xbar))),
        }

    return {**_memo_sim(("gclt", b, s2, alpha, int(inst["seed"]), R, base), build), "R": R}
