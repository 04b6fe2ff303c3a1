"""Claims of Cohen-Karlik, Ben David, Cohen, Globerson (AISTATS 2022) on linear RNNs, in the paper's order.

Provenance (spec ``shared/claims/related_claims.md`` section 5): the abstract only; the linear-RNN
setting is [reconstructed], the paper's initialisation assumption was **not recovered**, and the
symmetric mechanism is our own derivation [design]. Every docstring repeats its label.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from scipy import stats

from theorems import Check, Citation, Context, claim
from theorems.rnn_extrapolation import formulas as F
from theorems.rnn_extrapolation import instances as I

PAPER = Citation(
    authors="E. Cohen-Karlik, A. Ben David, N. Cohen, A. Globerson",
    year=2022,
    title="On the Implicit Bias of Gradient Descent for Temporal Extrapolation",
    venue="AISTATS",
    arxiv="2202.04302",
    where="abstract; linear-RNN setting reconstructed (spec section 5)",
)
FIT = 1e-6  # "fits the training lags": L_k below 1e-6 of its initial value ~1
EXTRAP = 1e-6  # "extrapolates": E_40 below 1e-6
DESIGN = st.fixed_dictionaries({"k": st.sampled_from([2, 3]), "seed": st.integers(0, 3)})


def _log_margin(x: float, bound: float) -> float:
    return math.log10(bound) - math.log10(max(x, 1e-300))


# ------------------------------------------------------------------ 1. interpolation != extrapolation
@claim(
    id="rnn_extrapolation.interpolation_without_extrapolation",
    paper=PAPER,
    status="theorem",
    kind="equality",
    statement=r"[abstract; construction reconstructed] An RNN can fit the memoryless teacher $y = x_k$ "
    r"perfectly at training length $k$ and still fail to extrapolate: the shift register "
    r"($A$ = lower shift on $\mathbb R^d$, $B = e_1$, $C = e_1^\top + e_{k+1}^\top$, $d > k$) has "
    r"$CA^jB = \delta_{j0} + \delta_{jk}$, so $L_k = 0$ and the lag-$k$ response is 1.",
    strategy=I.shift_instances(),
    tolerance="exact: sympy integers, and the float model's loss is exactly 0 (integer arithmetic).",
    assumptions="1 <= k <= 8, k + 1 <= d <= k + 5.",
    closed_form="C A^j B = delta_{j0} + delta_{jk} for j < K = d + 2",
    examples={"dev": 6, "ci": 12, "thorough": 60},
)
def interpolation_without_extrapolation(inst: dict, ctx: Context) -> Check:
    """sympy response of the construction on lags 0..d+1 against delta_0 + delta_k; the float
    :class:`sim.rnn.LinearRNN` population loss at length k must be exactly 0."""
    from sim.rnn import LinearRNN

    d, k = inst["d"], inst["k"]
    K = d + 2
    h = F.derive_shift_response(d, k, K)
    pred = tuple(int(j in (0, k)) for j in range(K))
    prob = LinearRNN(d, k)
    loss = float(prob.loss(prob.pack(*F.shift_counterexample(d, k)))[0])
    exact = list(F.impulse_response(*F.shift_counterexample(d, k), K))
    ok = h == pred and loss == 0.0 and exact == list(pred)
    return Check(
        ok,
        measured=[int(v) for v in h],
        predicted=list(pred),
        margin=1.0 if ok else -1.0,
        details={"float_loss": loss},
    )


@interpolation_without_extrapolation.false_variant(
    "interpolation_implies_extrapolation",
    "Every RNN with zero loss at length k extrapolates: C A^j B = 0 for all j >= k.",
)
def _(inst, ctx):
    d, k = inst["d"], inst["k"]
    h = F.derive_shift_response(d, k, d + 2)
    E = sum(int(v) ** 2 for v in h[k:])
    return Check.close(E, 0.0, details_E=f"E_(d+2) = {E}")


@interpolation_without_extrapolation.false_variant(
    "stable_interpolation_extrapolates",
    "An interpolating RNN whose state matrix is stable (spectral radius < 1) extrapolates.",
)
def _(inst, ctx):
    import sympy as sp

    d, k = inst["d"], inst["k"]
    A = sp.Matrix(F.shift_counterexample(d, k)[0].tolist())
    if not (A**d).is_zero_matrix:  # nilpotent => spectral radius 0, exactly
        return Check.vacuous_instance("state matrix not certified stable")
    E = sum(int(v) ** 2 for v in F.derive_shift_response(d, k, d + 2)[k:])
    return Check.close(E, 0.0, spectral_radius=0.0)


# ------------------------------------------------------------------ 2. GD from small init
def _small_runs(inst: dict, ctx: Context, sigma: float) -> I.Runs:
    return I.gd_runs(
        inst["k"],
        inst["seed"],
        (sigma,),
        ctx.pick(dev=4, ci=6, thorough=8),
        ctx.pick(dev=2000, ci=5000, thorough=20000),
    )


@claim(
    id="rnn_extrapolation.small_init_extrapolates",
    paper=PAPER,
    status="empirical",
    kind="upper_bound",
    statement=r"[abstract; consistent with the paper, whose initialisation assumption was not "
    r"recovered] GD ($\eta = 0.01$, $d = 8$, population loss of the memoryless teacher) from a "
    r"small Gaussian init ($\sigma = 0.01$) fits the training lags ($L_k < 10^{-6}$) and "
    r"extrapolates ($E_{40} = \sum_{j=k}^{39}(CA^jB)^2 < 10^{-6}$), on every seed.",
    strategy=I.trained([2, 3, 5]),
    tolerance="1e-6 on L_k (1e-6 of its initial value ~1) and on E_40. For k >= 3 the training loss "
    "plateaus near h_2(0)^2 ~ sigma^4 = 1e-8 (lag 2 is learnt on a time scale 1/(eta sigma^2)), "
    "so the spec's 1e-8 bar on L_k is not a convergence criterion; 1e-6 is.",
    assumptions="k in {2, 3, 5}; 4-8 init seeds per instance; 2000-20000 steps.",
    examples={"dev": 3, "ci": 4, "thorough": 10},
)
def small_init_extrapolates(inst: dict, ctx: Context) -> Check:
    """Batch of GD runs at sigma = 0.01 (seeds on the replica axis): worst L_k and E_40 over seeds."""
    r = _small_runs(inst, ctx, 0.01)
    if r.diverged:
        return Check(False, margin=-math.inf, details={"reason": f"{r.diverged} runs diverged"})
    L, E = float(r.loss.max()), float(r.extrap.max())
    ok = L < FIT and E < EXTRAP
    return Check(
        ok,
        measured={"max_L_k": L, "max_E40": E},
        predicted=f"< {FIT:g}, < {EXTRAP:g}",
        margin=min(_log_margin(L, FIT), _log_margin(E, EXTRAP)),
        details={"rho_max": float(r.rho.max()), "n_seeds": int(r.loss.size)},
    )


@small_init_extrapolates.false_variant(
    "any_init",
    "GD extrapolates from any init scale: at sigma = 0.3 every seed that fits the training "
    "lags (L_k < 1e-6) has E_40 < 1e-6.",
    strategy=DESIGN,
    examples={"dev": 1, "ci": 2, "thorough": 4},
)
def _(inst, ctx):
    r = _small_runs(inst, ctx, 0.3)
    fit = r.loss < FIT
    if not fit.any():
        return Check.inconclusive("no seed fitted the training lags at sigma = 0.3")
    E = float(r.extrap[fit].max())
    return Check(
        E < EXTRAP,
        measured=E,
        predicted=f"< {EXTRAP:g}",
        margin=_log_margin(E, EXTRAP),
        details={"n_fitted": int(fit.sum()), "max_L_fitted": float(r.loss[fit].max())},
    )


@small_init_extrapolates.false_variant(
    "fits_below_sigma4",
    "GD from sigma = 0.01 fits the training lags far below sigma^4 = 1e-8 (L_k < 1e-10) within the same "
    "budget, as it does at k = 2 (at k = 3 the loss plateaus at ~1e-9-1e-8: 1-2 decades above the bar).",
    strategy=st.fixed_dictionaries({"k": st.just(3), "seed": st.integers(0, 3)}),
)
def _(inst, ctx):
    L = float(_small_runs(inst, ctx, 0.01).loss.max())
    return Check(L < 1e-10, measured=L, predicted="< 1e-10", margin=_log_margin(L, 1e-10))


# ------------------------------------------------------------------ 3. error grows with the init scale
SIGMAS = (0.003, 0.01, 0.03, 0.1)
N_FIT = 3  # slopes are fitted on the three smallest scales (at sigma = 0.1 single seeds bend, k = 2)
SLOPE_TOL = 0.5  # candidate power laws differ by 2 in the exponent; +-0.5 separates them


def _scaling(inst: dict, ctx: Context) -> dict:
    r = I.gd_runs(
        inst["k"],
        inst["seed"],
        SIGMAS,
        ctx.pick(dev=16, ci=20, thorough=28),
        ctx.pick(dev=3000, ci=5000, thorough=10000),
    )
    E = r.extrap  # (n_sigma, n_seeds), paired across sigma
    logs = np.log(np.asarray(SIGMAS[:N_FIT]))  # the law is asymptotic (sigma -> 0): smallest scales
    ok = np.all(np.isfinite(E) & (E > 0), axis=0)
    slopes = np.array(
        [np.polyfit(logs, np.log(E[:N_FIT, i]), 1)[0] if ok[i] else np.nan for i in range(E.shape[1])]
    )
    up = int(np.sum(np.all(np.diff(E, axis=0) > 0, axis=0)))
    down = int(np.sum(np.all(np.diff(E, axis=0) < 0, axis=0)))
    n, p0 = E.shape[1], 1.0 / math.factorial(len(SIGMAS))
    # under exchangeability in sigma, a seed's errors are strictly increasing with prob <= 1/S!
    return {
        "slopes": slopes,
        "up": up,
        "down": down,
        "n": n,
        "diverged": r.diverged,
        "p_up": float(stats.binom.sf(up - 1, n, p0)),
        "p_down": float(stats.binom.sf(down - 1, n, p0)),
        "max_L": float(r.loss.max()),
        "median_E": np.median(E, axis=1).tolist(),
    }


def _slope_test(slopes: np.ndarray, center: float) -> tuple[int, float, float]:
    """Seeds whose slope lies in ``center +- SLOPE_TOL`` and the exact sign-test p-values of
    'the median seed's slope is inside' (support) and '... is outside' (reject)."""
    n = slopes.size
    inside = int(np.sum(np.abs(slopes - center) <= SLOPE_TOL))  # NaN slopes count as outside
    return inside, float(stats.binom.sf(inside - 1, n, 0.5)), float(stats.binom.cdf(inside, n, 0.5))


@claim(
    id="rnn_extrapolation.error_grows_with_init_scale",
    statistical=True,
    paper=PAPER,
    status="empirical",
    kind="monotone",
    statement=r"[abstract: extrapolation depends on the initialisation; the power law is our measurement, "
    r"[design]] After GD from $\sigma\cdot$(a fixed Gaussian direction), the extrapolation error "
    r"$E_{40}$ strictly increases with $\sigma \in \{0.003, 0.01, 0.03, 0.1\}$, and as $\sigma \to 0$ "
    r"$E_{40} \propto \sigma^{2k}$: the median seed's log-log slope over $\sigma \in \{0.003, 0.01, 0.03\}$ "
    r"is within 0.5 of $2k$ (single seeds can be steeper: a near-cancelling $\sigma^{2k}$ coefficient "
    r"lets the next order show).",
    strategy=I.trained([2, 3]),
    tolerance="Exact binomial tests at ctx.level (Bonferroni over the 2 parts): monotonicity against the "
    "exchangeable null (a seed strictly increasing with prob <= 1/4!), rejected if 'decreasing' is "
    "significant; slope: sign test that more than half of the seeds have |slope - 2k| <= 0.5 (a "
    "quarter of the spacing between the laws sigma^{2k} and sigma^{2k+-2}).",
    assumptions="k in {2, 3}; 16 (dev) to 28 (thorough) seeds; sigma <= 0.1 (the runs fit the lags).",
    examples={"dev": 3, "ci": 4, "thorough": 10},
)
def error_grows_with_init_scale(inst: dict, ctx: Context) -> Check:
    """Paired GD runs over four init scales; binomial test on per-seed strict monotonicity and a sign
    test on the per-seed least-squares slopes of log E_40 against log sigma."""
    s = _scaling(inst, ctx)
    if s["diverged"]:
        return Check.inconclusive(f"{s['diverged']} runs diverged")
    inside, p_in, p_out = _slope_test(s["slopes"], 2 * inst["k"])
    lvl = ctx.level / 2
    reject = s["p_down"] < lvl or p_out < lvl
    return Check.test(
        reject=reject,
        p_value=min(s["p_down"], p_out) if reject else max(s["p_up"], p_in),
        level=ctx.level,
        supports=s["p_up"] < lvl and p_in < lvl,
        measured={"slopes": np.round(s["slopes"], 3).tolist(), "increasing_seeds": s["up"]},
        predicted={"slope": 2 * inst["k"], "n": s["n"]},
        margin=SLOPE_TOL - float(np.nanmedian(np.abs(s["slopes"] - 2 * inst["k"]))),
        seeds_in_slope_band=inside,
        median_E=s["median_E"],
        max_L=s["max_L"],
    )


@error_grows_with_init_scale.false_variant(
    "independent_of_scale",
    "GD forgets its initialisation: E_40 does not depend on sigma (the per-seed "
    "ordering over sigma is exchangeable). Inherently ~20 decades of p-value away: every seed increases, "
    "and the null gives that probability 24^-16; the near variant is init_size_law.",
    strategy=DESIGN,
    examples={"dev": 1, "ci": 2, "thorough": 4},
)
def _(inst, ctx):
    s = _scaling(inst, ctx)
    return Check.test(
        reject=s["p_up"] < ctx.level or s["p_down"] < ctx.level,
        p_value=min(s["p_up"], s["p_down"]),
        level=ctx.level,
        measured=s["up"],
        predicted=f"~ n/24 of {s['n']}",
    )


@error_grows_with_init_scale.false_variant(
    "init_size_law",
    "E_40 keeps the scaling of its value at initialisation, (C A^k B)^2 ~ sigma^{2k+4}: the median "
    "seed's slope is within 0.5 of 2k + 4.",
    strategy=DESIGN,
    examples={"dev": 1, "ci": 2, "thorough": 4},
)
def _(inst, ctx):
    s = _scaling(inst, ctx)
    inside, p_in, p_out = _slope_test(s["slopes"], 2 * inst["k"] + 4)
    return Check.test(
        reject=p_out < ctx.level,
        p_value=p_out,
        level=ctx.level,
        supports=p_in < ctx.level,
        measured=np.round(s["slopes"], 3).tolist(),
        predicted=2 * inst["k"] + 4,
    )


# ------------------------------------------------------------------ 4. the symmetric manifold
def _one_step_asymmetry(k: int, seed: int, c_equals_b: bool) -> tuple[float, float]:
    from sim.rnn import LinearRNN

    prob = LinearRNN(I.D, k)
    th = prob.init(0.5, seed, 4, symmetric=True)
    if not c_equals_b:
        A, B, _ = prob.split(th)
        th = prob.pack(A, B, prob.split(prob.init(0.5, seed + 1, 4))[2])
    A1 = prob.split(th - I.LR * prob.grad(th))[0]
    asym = float(np.abs(A1 - A1.transpose(0, 2, 1)).max())
    return asym, float(np.abs(th).max())


@claim(
    id="rnn_extrapolation.symmetric_manifold_invariant",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"[design] GD preserves $\{A = A^\top, C = B^\top\}$: there $\partial L/\partial A$ is "
    r"symmetric and $\partial L/\partial C = (\partial L/\partial B)^\top$ (sympy, symbolic "
    r"$2\times 2$, $k = 3$); numerically a whole GD run from a symmetric init stays on the "
    r"manifold to round-off.",
    strategy=I.trained([2, 3, 5]),
    tolerance="asymmetry <= 1e-12 (1 + max|theta|) after the run: ~1e4 x double round-off per step.",
    assumptions="sigma = 0.5, 4 seeds, 300 steps of GD at eta = 0.01.",
    examples={"dev": 3, "ci": 5, "thorough": 20},
)
def symmetric_manifold_invariant(inst: dict, ctx: Context) -> Check:
    """sympy tangency identities once; then GD from symmetric inits and the final max asymmetry."""
    D = F.derive_symmetric_mechanism(2, 3)
    sym_ok = all(x == 0 for x in D["grad_A_asymmetry"] + D["grad_C_minus_B"] + D["response_identity"])
    r = I.gd_runs(inst["k"], inst["seed"], (0.5,), 4, ctx.pick(dev=300, ci=1000, thorough=3000), True)
    tol = 1e-12 * (1.0 + float(np.abs(r.theta).max()))
    a = float(r.asym.max())
    return Check(
        sym_ok and a <= tol,
        measured=a,
        predicted=0.0,
        margin=tol - a,
        tolerance=tol,
        details={"sympy_identities_zero": sym_ok},
    )


@symmetric_manifold_invariant.false_variant(
    "a_symmetric_suffices",
    "{A = A^T} alone (C != B^T) is invariant under GD: one step from a point with "
    "symmetric A keeps A symmetric to round-off. Inherently ~1e9 tolerances away: the claim is an exact "
    "invariance checked to round-off, and a broken one shows at O(eta) after one step.",
    strategy=DESIGN,
)
def _(inst, ctx):
    a, scale = _one_step_asymmetry(inst["k"], inst["seed"], c_equals_b=False)
    tol = 1e-12 * (1.0 + scale)
    return Check(a <= tol, measured=a, predicted=0.0, margin=tol - a, tolerance=tol)


@symmetric_manifold_invariant.false_variant(
    "near_manifold_suffices",
    "Points within 1e-9 of the manifold stay on it to round-off: one GD step from A = A^T, "
    "C = B^T + 1e-9 xi (xi standard normal) keeps A symmetric within the claim's tolerance. False: the "
    "asymmetry grows like eta * 1e-9 (3-40 tolerances); a near-boundary check of the tolerance's resolution.",
    strategy=DESIGN,
)
def _(inst, ctx):
    from sim.rnn import LinearRNN

    prob = LinearRNN(I.D, inst["k"])
    A, B, C = prob.split(prob.init(0.5, inst["seed"], 4, symmetric=True))
    C = C + 1e-9 * np.random.default_rng(inst["seed"]).normal(size=C.shape)
    th = prob.pack(A, B, C)
    A1 = prob.split(th - I.LR * prob.grad(th))[0]
    a = float(np.abs(A1 - A1.transpose(0, 2, 1)).max())
    tol = 1e-12 * (1.0 + float(np.abs(th).max()))
    return Check(a <= tol, measured=a, predicted=0.0, margin=tol - a, tolerance=tol)


# ------------------------------------------------------------------ 5. symmetric extrapolation, k >= 3
def _sym_runs(k: int, seed: int, ctx: Context) -> I.Runs:
    return I.gd_runs(k, seed, (0.1, 0.5), 4, ctx.pick(dev=1000, ci=5000, thorough=20000), True)


@claim(
    id="rnn_extrapolation.symmetric_extrapolation_bound",
    paper=PAPER,
    status="derived",
    kind="upper_bound",
    statement=r"[design: our mechanism, not the paper's] On $\{A = A^\top, C = B^\top = b^\top\}$ with "
    r"$k \ge 3$: $CA^jB = (Ab)^\top A^{j-2}(Ab)$ and $\|Ab\|^4 = (CA^2B)^2 \le L_k$, hence "
    r"$E_K \le L_k\sum_{j=k}^{K-1}\|A\|_2^{2(j-2)}$: fitting the training lags with bounded "
    r"$\|A\|$ forces extrapolation. Checked at the end of GD from symmetric inits.",
    strategy=I.trained([3, 4, 5]),
    tolerance="E_40 <= bound (1 + 1e-9) + 1e-300: the bound is exact algebra; 1e-9 covers round-off.",
    assumptions="k in {3, 4, 5}; symmetric init at sigma in {0.1, 0.5}, 4 seeds each.",
    examples={"dev": 3, "ci": 5, "thorough": 20},
)
def symmetric_extrapolation_bound(inst: dict, ctx: Context) -> Check:
    """Final E_40 against the bound's expression, per run; the worst ratio over runs."""
    r = _sym_runs(inst["k"], inst["seed"], ctx)
    if r.diverged or float(r.asym.max()) > 1e-9:
        return Check.vacuous_instance("a run left the symmetric manifold or diverged")
    slack = r.bound_k * (1 + 1e-9) + 1e-300 - r.extrap
    i = np.unravel_index(np.argmin(slack), slack.shape)
    return Check(
        bool(slack.min() >= 0),
        measured=float(r.extrap[i]),
        predicted=float(r.bound_k[i]),
        margin=float(slack.min()),
        details={"max_E40": float(r.extrap.max()), "max_L_k": float(r.loss.max())},
    )


@symmetric_extrapolation_bound.false_variant(
    "k2",
    "The same bound at k = 2: E_K <= L_2 sum_{j=2}^{K-1} ||A||^{2(j-2)}. Inherently far (relative to a "
    "bound ~ L_2 -> 0): at k = 2 lag 2 is not trained, so E_K stays O(||Ab||^4) while L_2 vanishes.",
    strategy=st.fixed_dictionaries({"k": st.just(2), "seed": st.integers(0, 3)}),
)
def _(inst, ctx):
    r = _sym_runs(2, inst["seed"], ctx)
    slack = r.bound_k * (1 + 1e-9) + 1e-300 - r.extrap
    return Check(
        bool(slack.min() >= 0),
        measured=float(r.extrap.max()),
        predicted=float(r.bound_k.max()),
        margin=float(slack.min()),
    )


@symmetric_extrapolation_bound.false_variant(
    "symmetric_suffices_k2",
    "A symmetric init also extrapolates at k = 2: every seed at sigma = 0.5 that "
    "fits the lags has E_40 <= 1e-3.",
    strategy=st.fixed_dictionaries({"k": st.just(2), "seed": st.integers(0, 3)}),
)
def _(inst, ctx):
    r = _sym_runs(2, inst["seed"], ctx)
    fit = r.loss[1] < FIT
    if not fit.any():
        return Check.inconclusive("no seed fitted at sigma = 0.5")
    E = float(r.extrap[1][fit].max())
    return Check(E <= 1e-3, measured=E, predicted="<= 1e-3", margin=_log_margin(E, 1e-3))


# The figures attach to the claims above (import last: figures.py imports this module).
from theorems.rnn_extrapolation import figures as _figures  # noqa: E402, F401
