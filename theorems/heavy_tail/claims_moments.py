"""Claims about moments and dynamics (Gürbüzbalaban, Şimşekli, Zhu 2021).

The second-moment recursion, the shape of h (log-convexity, slope rho at 0), metamorphic relations of
the dynamics, the moment bound for finite k, and the generalised-CLT scaling of time averages.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume
from scipy import stats

from sim import online
from theorems import Check, claim
from theorems.heavy_tail import PAPER
from theorems.heavy_tail import instances as S
from theorems.heavy_tail.formulas import (
    S_MAX,
    _h2_is_one_at_eta_crit,
    _log_h,
    _rho,
    _second_moment_symbolic,
    _sign_changes,
    critical_step_size,
    fourth_moment_step_size,
    h2_closed,
    h4_closed,
    hill_estimator,
    max_step_size,
    moment_function,
    moment_upper_bound,
    second_moment_path,
    stationary_second_moment,
)
from theorems.heavy_tail.instances import _tail_indices, _window_step
from theorems.heavy_tail.simulations import (
    _gclt_run,
    _lyapunov_sample,
    _metamorphic_runs,
    _moment_bound_sample,
    _second_moment_sample,
    _z,
    _z_test,
)


@claim(
    id="heavy_tail.second_moment",
    statistical=True,
    paper=PAPER,
    status="derived",
    kind="equality",
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
    examples={"dev": 3, "ci": 6, "thorough": 100},
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
    exact_ok = (
        sym["fixed_point_is_spec_formula"]
        and sym["pole_at_eta_crit"]
        and _h2_is_one_at_eta_crit()
        and conv_err < 1e-9
        and grows
        and math.isinf(stationary_second_moment(eta_w, b, d, s2, se))
    )
    mk = second_moment_path(k, eta, b, d, s2, se)
    mc = _second_moment_sample(inst, ctx)
    if mc["n_diverged"]:
        return Check.inconclusive("diverging replicas", n_diverged=mc["n_diverged"])
    zstat, pval = _z_test(mc["mean"], mk, mc["se"])
    return Check.test(
        reject=(not exact_ok) or pval < ctx.level,
        p_value=pval,
        level=ctx.level,
        supports=mc["se"] / mk < 0.05,
        measured=mc["mean"],
        predicted=mk,
        margin=_z(ctx.level) - abs(zstat),
        z=zstat,
        se=mc["se"],
        R=mc["R"],
        eta=eta,
        eta_4=eta4,
        eta_crit=ec,
        m_inf=m_inf,
        fixed_point_rel_err=conv_err,
        eta_window=eta_w,
        m_10000_window=m_w,
        **sym,
    )


@second_moment.false_variant(
    "finite_below_eta_max",
    "m_k converges for every stationary step (eta < eta_max), as the finite-variance formula "
    "suggests: on window steps (w <= 0.2), a Cauchy test at the recursion's time scale K = "
    "ceil(2/|log h(2)|): "
    "m_2K/m_K - 1 <= 0.15. For any h(2) < 1 (from m_0 = 0) this ratio is exactly 1 + h(2)^K = "
    "1 + h(2)^K <= 1 + e^-2 = 1.135, so 0.15 accepts every convergent recursion; in the window "
    "it is 1 + h(2)^K, between 1 + e^2 and 1 + e^2 h(2).",
    strategy=S.window_point(w_hi=0.2),
)
def _(inst: dict, ctx) -> Check:
    b, d, s2, eta = _window_step(inst)
    h2 = h2_closed(eta, b, d, s2)
    k = max(1, math.ceil(2 / abs(math.log(h2))))
    ratio = second_moment_path(2 * k, eta, b, d, s2) / second_moment_path(k, eta, b, d, s2)
    return Check.upper(ratio - 1, 0.0, tol=0.15, h2=h2, eta=eta, k=k)


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
    return Check.test(
        reject=pval < ctx.level, p_value=pval, level=ctx.level, measured=mc["mean"], predicted=pred
    )


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
    mixed = np.array(
        [
            0.0,
            _log_h(1.0, c, b, d),
            math.log(h2_closed(eta, b, d, s2)),
            _log_h(3.0, c, b, d),
            math.log(h4_closed(eta, b, d, s2)),
        ]
    )
    eps = 1e-3  # Richardson extrapolation of log h(s)/s at 0: error O(eps^2)
    slope0 = 2 * _log_h(eps / 2, c, b, d) / (eps / 2) - _log_h(eps, c, b, d) / eps
    return {
        "eta": eta,
        "c": c,
        "alpha": alpha,
        "grid": grid,
        "log_h": lh,
        "mixed": mixed,
        "slope0": slope0,
        "h0": moment_function(0.0, eta, b, d, s2),
    }


@claim(
    id="heavy_tail.h_shape",
    statistical=True,
    paper=PAPER,
    status="derived",
    kind="comparison",
    statement=r"$h(0) = 1$; $\log h$ is convex (Hölder); $(\log h)'(0^+) = \rho$, the top Lyapunov "
    r"exponent; when $\rho < 0$, $\log h$ changes sign exactly once on $(0, \infty)$, at "
    r"$\alpha$, so $\{s > 0: h(s) < 1\} = (0, \alpha)$.",
    strategy=S.shape_point(),
    tolerance="Convexity: second differences of log h on a 301-point grid of [0, min(100, 3 alpha)] "
    ">= -1e-9 (quadrature ~1e-12), and of the sequence (sympy h(0), quad h(1), sympy h(2), "
    "quad h(3), sympy h(4)) >= -1e-8; one sign change, in the grid cell containing alpha. The "
    "slope at 0 (Richardson, O(1e-6)) is z-tested at ctx.level against the Lyapunov exponent "
    "measured as the mean of log||Pi_k Delta||/k over R explicit-data products (k = 10; "
    "family error 0.01); powered only if |log h(2)/2 - slope| (the false variant's error) exceeds "
    "(z + 0.84) s.e. (power 0.8; both reported). h(0) = 1 to 1e-12 (by construction: normalised "
    "weights, dropped negligible nodes leave ~3e-15).",
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
    # power: the z-test must resolve the false variant's slope log h(2)/2 (power >= 0.8)
    gap = abs(0.5 * math.log(h2_closed(sh["eta"], inst["b"], inst["d"], inst["sigma2"])) - sh["slope0"])
    detectable = (_z(ctx.level) + _Z_POWER) * ly["se"]
    return Check.test(
        reject=(not exact_ok) or pval < ctx.level,
        p_value=pval,
        level=ctx.level,
        supports=gap > detectable,
        reason="" if gap > detectable else "slope test cannot resolve log h(2)/2 from rho",
        detectable_slope_difference=detectable,
        variant_slope_gap=gap,
        measured=sh["slope0"],
        predicted=ly["mean"],
        margin=_z(ctx.level) - abs(zstat),
        min_second_difference=float(d2.min()),
        min_mixed_second_difference=float(d2m.min()),
        sign_changes=changes,
        alpha=sh["alpha"],
        lyapunov_se=ly["se"],
        R=ly["R"],
        rho_quadrature=_rho(sh["c"], inst["b"], inst["d"]),
        eta=sh["eta"],
    )


@h_shape.false_variant(
    "typical_growth",
    "h(s) = exp(s rho) (typical growth in place of moment growth): then log h never crosses 0 for rho < 0.",
)
def _(inst: dict, ctx) -> Check:
    sh = _shape(inst)
    rho = _rho(sh["c"], inst["b"], inst["d"])
    changes = _sign_changes(sh["grid"], sh["grid"] * rho)
    return Check(len(changes) == 1, len(changes), 1, margin=-abs(len(changes) - 1))


@h_shape.false_variant(
    "second_moment_power",
    "h(s) = h(2)^{s/2} (log h linear through the exact h(2)): slope at 0 is log h(2)/2 instead of rho.",
    strategy=S.shape_point(d_max=4, u_lo=0.3),
)
def _(inst: dict, ctx) -> Check:
    b, d, s2 = inst["b"], inst["d"], inst["sigma2"]
    eta = inst["u"] * max_step_size(b, d, s2)
    slope = 0.5 * math.log(h2_closed(eta, b, d, s2))
    ly = _lyapunov_sample(inst, ctx, eta)
    _, pval = _z_test(ly["mean"], slope, ly["se"])
    return Check.test(
        reject=pval < ctx.level, p_value=pval, level=ctx.level, measured=slope, predicted=ly["mean"]
    )


def _metamorphic_identities(inst: dict, r: dict) -> tuple[bool, bool, dict]:
    """The deterministic identities: quadrature scaling of alpha, sigma_eps scaling and x_hat shift
    of common-seed paths, and the Hill estimate's scale invariance."""
    b, d, s2, lam, eta = inst["b"], inst["d"], inst["sigma2"], inst["lam"], r["eta"]
    a1, a2 = _tail_indices(s2, (eta, b, d)), _tail_indices(lam * s2, (eta / lam, b, d))
    alpha_err = abs(a2[0] / a1[0] - 1)
    scale = float(np.max(np.abs(r["base"])))
    err_scale = float(np.max(np.abs(r["scaled"] - inst["lam_eps"] * r["base"]))) / (inst["lam_eps"] * scale)
    err_shift = float(np.max(np.abs(r["shifted"] - r["base"]))) / scale
    kk = max(10, r["R"] // 100)
    hill_ratio = hill_estimator(np.linalg.norm(r["scaled"], axis=1), kk) / hill_estimator(
        np.linalg.norm(r["base"], axis=1), kk
    )
    hill_equal = bool(abs(hill_ratio - 1) < 1e-8)
    exact_ok = alpha_err < 1e-9 and err_scale < 1e-8 and err_shift < 1e-8 and hill_equal
    exact = {
        "alpha_rel_err": alpha_err,
        "sigma_eps_scaling_err": err_scale,
        "x_hat_shift_err": err_shift,
        "measured": a2[0],
        "predicted": a1[0],
    }
    return exact_ok, hill_equal, exact


@claim(
    id="heavy_tail.metamorphic",
    statistical=True,
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"The error chain $e_k = x_k - \hat x$ is invariant under a shift of $\hat x$, scales "
    r"exactly with $\sigma_\varepsilon$ (pathwise, so Hill estimates are unchanged), its law is "
    r"rotation invariant (every projection $u^Te_k$ has the same law), "
    r"$\alpha(\eta, \sigma^2) = \alpha(\eta/\lambda, \lambda\sigma^2)$, and in $d = 1$ the "
    r"scalar reduction $(A, B)$ and explicit data give the same law of $e_K$.",
    strategy=S.metamorphic_point(b_min=2, u_lo=0.6),
    tolerance="alpha identity to rtol 1e-9 (quadrature ~1e-10); pathwise identities (same seed) to "
    "1e-8 of max||e|| (float rounding; measured <= 1e-11 at ||x_hat||/sigma_eps = 1e3); "
    "two two-sample KS tests (u_1^T e vs u_2^T e on disjoint replica halves, d >= 2; scalar vs "
    "explicit-data d = 1 chains at eta_1 = u eta_max(b, 1, sigma2)) at ctx.level/2 each "
    "(Bonferroni; scipy's KS p-values, valid for continuous laws: null rejection rate 8.5e-3 at "
    "0.01 and 1.25e-3 at 1e-3 over 4000 seeds, tests/test_statistical_calibration.py). "
    "Powered only if the KS distance from the d = 1 law to the false variant's law (single-sample "
    "SGD at eta_1/b), estimated on independent chains before any test, exceeds twice the KS "
    "critical distance at ctx.level/4; an unpowered instance runs no KS test and is inconclusive, "
    "so only the instances that count carry the family error.",
    assumptions="a_i ~ N(0, sigma2 I_d), b in [2,3] (for b = 1 the variant's law is the claim's), "
    "d in [1,3], sigma2 in [0.5,2], eta = u eta_max(b, d, sigma2), u in [0.6,0.9] (the KS "
    "distance to the variant's law is 0.09-0.29 there at d = 1, measured with 1e5 chains); "
    "lam, lam_eps in [0.1,10]; ||x_hat|| in [0,100]; K in [5,40] steps from e_0 = 0 (the "
    "identities hold at every K). R = 2e3 explicit-data chains per run and 2e4 per d = 1 law "
    "(dev); 1e4 and 2e4 (ci).",
    examples={"dev": 3, "ci": 6, "thorough": 100},
)
def metamorphic(inst: dict, ctx) -> Check:
    """Quadrature scaling identity, pathwise identities with a common seed, and two KS tests."""
    b, d, s2, k = inst["b"], inst["d"], inst["sigma2"], inst["k"]
    r = _metamorphic_runs(inst, ctx)
    if r["n_div"]:
        return Check.inconclusive("diverging replicas", n_diverged=r["n_div"])
    eta = r["eta"]
    exact_ok, hill_equal, exact = _metamorphic_identities(inst, r)
    # Power, decided before the tests and on samples they do not use (so the tests keep their exact
    # level on the instances they run on): the KS distance from the d = 1 law to the false variant's
    # law (single-sample SGD at eta/b) must exceed twice the KS critical distance. An unpowered
    # instance runs no KS test (it cannot add to the family error) and is inconclusive.
    eta1, seed = r["eta1"], int(inst["seed"])

    def chains(j: int, eta_: float, b_: int) -> np.ndarray:
        ss = np.random.SeedSequence([seed, j])
        return online.scalar_chains(ss, r["R1"], k, eta_, b_, s2, inst["sigma_eps"]).state

    d_alt = float(stats.ks_2samp(chains(10, eta1, b), chains(8, eta1 / b, 1)).statistic)
    d_crit = math.sqrt(-math.log(ctx.level / 4) / 2) * math.sqrt(2 / r["R1"])
    if not exact_ok:  # a deterministic identity failed: no statistics involved
        m, pr = exact.pop("measured"), exact.pop("predicted")
        return Check(False, m, pr, details={"relation": "identity", "hill_equal": hill_equal, **exact})
    if d_alt <= 2 * d_crit:
        return Check.inconclusive(
            "KS cannot see the single-sample law", ks_critical_distance=d_crit, variant_ks_distance=d_alt
        )
    rng = online.make_rng(np.random.SeedSequence([seed, 6]))
    half = r["R"] // 2
    if d >= 2:
        u1, u2 = rng.standard_normal(d), rng.standard_normal(d)
        u1, u2 = u1 / np.linalg.norm(u1), u2 / np.linalg.norm(u2)
        p_rot = float(stats.ks_2samp(r["base"][:half] @ u1, r["base"][half:] @ u2).pvalue)
    else:
        p_rot = 1.0
    p_int = float(stats.ks_2samp(chains(7, eta1, b), r["vec1"]).pvalue)
    p = min(p_rot, p_int)
    return Check.test(
        reject=p < ctx.level / 2,
        p_value=p,
        level=ctx.level,
        supports=True,
        ks_critical_distance=d_crit,
        variant_ks_distance=d_alt,
        p_rotation=p_rot,
        p_scalar_vs_vector=p_int,
        eta=eta,
        eta1=eta1,
        R=r["R"],
        R1=r["R1"],
        **exact,
    )


@metamorphic.false_variant(
    "curvature_ignored",
    "At fixed eta, rescaling the data sigma2 -> lam sigma2 leaves alpha unchanged; lam = 1 + "
    "10^(v - 9), v in [4, 8] (lam - 1 from 1e-5 to 0.1): small rescalings, near the tolerance.",
    strategy=S.st.fixed_dictionaries(
        {
            "b": S.st.integers(1, 3),
            "d": S.st.just(1),
            "sigma2": S.st.floats(0.5, 2.0),
            "u": S.st.floats(0.1, 0.9),
            "v": S.st.floats(4.0, 8.0),
        }
    ),
)
def _(inst: dict, ctx) -> Check:
    b, d, s2, lam = inst["b"], inst["d"], inst["sigma2"], 1 + 10 ** (inst["v"] - 9)
    eta = inst["u"] * min(max_step_size(b, d, s2), max_step_size(b, d, lam * s2))
    a1, a2 = _tail_indices(s2, (eta, b, d))[0], _tail_indices(lam * s2, (eta, b, d))[0]
    return Check.close(a2, a1, rtol=1e-6, eta=eta)


@metamorphic.false_variant(
    "single_sample_reduction",
    "Minibatch SGD (b, eta) has the law of single-sample SGD with step eta/b (KS, d = 1, batch b + 1 >= 2).",
    examples={"dev": 1, "ci": 2, "thorough": 20},
)
def _(inst: dict, ctx) -> Check:
    b, s2, se, k = inst["b"] + 1, inst["sigma2"], inst["sigma_eps"], inst["k"]
    eta = inst["u"] * max_step_size(b, 1, s2)
    R = ctx.pick(dev=5000, ci=20_000, thorough=200_000)
    ss = lambda j: np.random.SeedSequence([int(inst["seed"]), 8, j])  # noqa: E731
    mini = online.scalar_chains(ss(0), R, k, eta, b, s2, se).state
    single = online.scalar_chains(ss(1), R, k, eta / b, 1, s2, se).state
    ks = stats.ks_2samp(mini, single)
    return Check.test(
        reject=ks.pvalue < ctx.level,
        p_value=float(ks.pvalue),
        level=ctx.level,
        measured=float(ks.statistic),
        eta=eta,
        b=b,
    )


@claim(
    id="heavy_tail.moment_bound",
    statistical=True,
    paper=PAPER,
    status="theorem",
    kind="upper_bound",
    statement=r"For $p < \alpha$ ($h(p) < 1$) and deterministic $x_0$: if $p \le 1$, "
    r"$E\|x_k\|^p \le h(p)^k\|x_0\|^p + \frac{1-h(p)^k}{1-h(p)}E\|q_1\|^p$; if $1 < p < \alpha$, "
    r"with $r = (1+\varepsilon)h(p) < 1$, $E\|x_k\|^p \le r^k\|x_0\|^p + \frac{1-r^k}{1-r}"
    r"C_\varepsilon E\|q_1\|^p$, "
    r"$C_\varepsilon = (1+\varepsilon)/((1+\varepsilon)^{1/(p-1)}-1)^{p-1}$.",
    strategy=S.moment_bound_point(),
    tolerance="One-sided z-test at ctx.level (family error 0.01): rejected if the sample mean of "
    "||x_k||^p over R chains exceeds the bound by more than z s.e. (p < alpha/2, so the sample "
    "mean has finite variance); powered only if the noise term of the bound (dropped by the false "
    "variant) exceeds (z + 0.84) s.e. (power 0.8). h(p) by quadrature (~1e-10), E||q_1||^p exact "
    "(Gamma functions).",
    assumptions="a_i ~ N(0, sigma2 I_d), eps_i ~ N(0, sigma_eps^2), x_hat = 0 (so q_1 = xi_1); b, d in "
    "[1,4], sigma2 in [0.5,2], sigma_eps in [0.1,10], eta = u eta_max, u in [0.05,0.9]; "
    "p = f alpha/2, f in [0.05,0.95]; eps = (1/h(p) - 1)/2; k in [1,50]; ||x_0|| in [0,10], "
    "random direction. R = 4e3 (dev), 2e4 (ci), 2e5 (thorough).",
    closed_form="E||q_1||^p = ((eta/b) sigma sigma_eps)^p 2^p Gamma((b+p)/2) Gamma((d+p)/2) / "
    "(Gamma(b/2) Gamma(d/2))",
    examples={"dev": 3, "ci": 6, "thorough": 100},
)
def moment_bound(inst: dict, ctx) -> Check:
    """Monte-Carlo E||x_k||^p against the moment bound (one-sided)."""
    b, d, s2, se, k = inst["b"], inst["d"], inst["sigma2"], inst["sigma_eps"], inst["k"]
    mc = _moment_bound_sample(inst, ctx)
    if mc["n_diverged"]:
        return Check.inconclusive("diverging replicas", n_diverged=mc["n_diverged"])
    bound = moment_upper_bound(mc["p"], k, inst["x0"], mc["eta"], b, d, s2, se)
    zstat = (mc["mean"] - bound) / mc["se"]
    # power: the test must resolve the noise term the false variant drops (power >= 0.8)
    no_noise = moment_function(mc["p"], mc["eta"], b, d, s2) ** k * inst["x0"] ** mc["p"]
    detectable = (_z(ctx.level, two_sided=False) + _Z_POWER) * mc["se"]
    return Check.test(
        reject=zstat > _z(ctx.level, two_sided=False),
        p_value=float(stats.norm.sf(zstat)),
        level=ctx.level,
        supports=bound - no_noise > detectable,
        reason="" if bound - no_noise > detectable else "cannot resolve the noise term",
        detectable_excess=detectable,
        noise_term=bound - no_noise,
        measured=mc["mean"],
        predicted=bound,
        margin=_z(ctx.level, two_sided=False) - zstat,
        bound_over_mean=bound / mc["mean"],
        p=mc["p"],
        alpha=mc["alpha"],
        se=mc["se"],
        eta=mc["eta"],
        R=mc["R"],
    )


@moment_bound.false_variant(
    "no_noise_term",
    "E||x_k||^p <= h(p)^k ||x_0||^p (the noise term dropped), on the claim's instances (x_0 up to "
    "10, where the contraction term can dominate).",
    examples={"dev": 3, "ci": 4, "thorough": 20},
)
def _(inst: dict, ctx) -> Check:
    mc = _moment_bound_sample(inst, ctx)
    bound = (
        moment_function(mc["p"], mc["eta"], inst["b"], inst["d"], inst["sigma2"]) ** inst["k"]
        * inst["x0"] ** mc["p"]
    )
    zstat = (mc["mean"] - bound) / mc["se"]
    return Check.test(
        reject=zstat > _z(ctx.level, two_sided=False),
        p_value=float(stats.norm.sf(zstat)),
        level=ctx.level,
        measured=mc["mean"],
        predicted=bound,
    )


_Z_POWER = 0.8416  # z_{0.2}: a shift of (z_level + _Z_POWER) s.e. is detected with probability 0.8
GCLT_DRIFT = 0.06  # pre-asymptotic drift of the slope (spec, d = 1 trials); measured <= 0.045 at base 25


@claim(
    id="heavy_tail.gclt_scaling",
    statistical=True,
    paper=PAPER,
    status="theorem",
    kind="rate",
    statement=r"Generalised CLT for averages: the spread of $\bar x_K = K^{-1}\sum_{k\le K} x_k$ over "
    r"independent runs scales like $K^{\max(1/\alpha - 1, -1/2)}$: $\alpha$-stable fluctuations "
    r"of size $K^{1/\alpha - 1}$ for $\alpha \in (1, 2)$, the $\sqrt K$ CLT for $\alpha > 2$.",
    strategy=S.gclt_point(),
    tolerance="|slope - max(1/alpha - 1, -1/2)| <= 0.06 + z se: 0.06 is the pre-asymptotic drift of "
    "the spec's d = 1 trials (measured here <= 0.045 at K from 25/|rho|), se a 200-resample "
    "bootstrap of the replicas; z at ctx.level (family error 0.01). Supported when se < 0.03 and, "
    "for alpha < 2, the band excludes the false variant's slope -1/2.",
    assumptions="d = 1 (exact scalar step), b in [1,3], sigma2 = 1, target alpha in [1.1,1.45] "
    "(above 1.45 the band cannot exclude the slope -1/2 at dev; alpha = 1 "
    "needs log corrections) or a control in [3,4]; K = base 4^j max(1, 1/|rho|), j = 0,1,2, "
    "base 25 (dev), 50 (ci), 250 (thorough, the spec's); R = 4e3 (dev), 8e3 (ci), 2e4 "
    "(thorough) runs from e_0 = 0.",
    closed_form="slope = max(1/alpha - 1, -1/2)",
    examples={"dev": 3, "ci": 5, "thorough": 30},
)
def gclt_scaling(inst: dict, ctx) -> Check:
    """Log-log slope of the IQR of time averages against K vs the GCLT exponent."""
    g = _gclt_run(inst, ctx)
    if not g["finite"]:
        return Check.inconclusive("non-finite averages", K=g["K"])
    pred = max(1 / float(inst["alpha"]) - 1, -0.5)
    z = _z(ctx.level)
    err = abs(g["slope"] - pred)
    band = GCLT_DRIFT + z * g["se"]
    # power: for alpha < 2 the band around the slope must exclude the false variant's -1/2
    powered = g["se"] < 0.03 and (pred == -0.5 or abs(g["slope"] + 0.5) > band)
    return Check.test(
        reject=err > band,
        p_value=None,
        level=ctx.level,
        supports=powered,
        reason="" if powered else "band too wide to exclude the sqrt(K) slope",
        band=band,
        measured=g["slope"],
        predicted=pred,
        margin=GCLT_DRIFT + z * g["se"] - err,
        se=g["se"],
        K=g["K"],
        rho=g["rho"],
        eta=g["eta"],
        R=g["R"],
    )


@gclt_scaling.false_variant(
    "sqrt_k_always",
    "sqrt(K) Gaussian scaling (slope -1/2) for every stationary chain.",
    strategy=S.gclt_point(alpha_hi=1.3, control=False),
)
def _(inst: dict, ctx) -> Check:
    g = _gclt_run(inst, ctx)
    err = abs(g["slope"] + 0.5)
    z = _z(ctx.level)
    return Check.test(
        reject=err > GCLT_DRIFT + z * g["se"],
        p_value=None,
        level=ctx.level,
        measured=g["slope"],
        predicted=-0.5,
        margin=GCLT_DRIFT + z * g["se"] - err,
    )
